// Tests of the DER/X.509 builder: node:crypto parses what it makes, the key matches, the SANs and
// dates are right, and an HTTPS client that trusts the certificate connects to a server using it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { der, generateCa, generateCertificate, generateServerCertificate } from './certs.js';

test('DER primitives encode known values', () => {
  assert.equal(der.integer(0).toString('hex'), '020100');
  assert.equal(der.integer(128).toString('hex'), '02020080');
  assert.equal(der.oid('1.2.840.113549.1.1.11').toString('hex'), '06092a864886f70d01010b');
  assert.equal(der.time(Date.UTC(2026, 0, 2, 3, 4, 5)).toString(), '\x17\x0d260102030405Z');
  assert.equal(der.time(Date.UTC(2051, 0, 2, 3, 4, 5)).toString(), '\x18\x0f20510102030405Z');
  const long = der.octetString(Buffer.alloc(300));
  assert.equal(long.subarray(0, 4).toString('hex'), '0482012c');
});

test('a generated certificate parses, matches its key and carries the SANs and thumbprint', async () => {
  const notBefore = Date.UTC(2026, 0, 1);
  const notAfter = Date.UTC(2036, 0, 1);
  const cert = await generateCertificate({
    commonName: 'auditwatch emulator',
    organization: 'auditwatch',
    altNames: ['localhost', '127.0.0.1', '::1'],
    notBefore,
    notAfter,
  });
  const x509 = new X509Certificate(cert.certificatePem);
  assert.equal(x509.checkPrivateKey(cert.privateKey), true);
  assert.equal(x509.verify(x509.publicKey), true);
  assert.match(x509.subject, /CN=auditwatch emulator/);
  assert.match(x509.subjectAltName ?? '', /DNS:localhost/);
  assert.match(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.match(x509.subjectAltName ?? '', /IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
  assert.equal(new Date(x509.validFrom).getTime(), notBefore);
  assert.equal(new Date(x509.validTo).getTime(), notAfter);
  assert.equal(x509.fingerprint.replace(/:/g, ''), cert.thumbprint);
  assert.equal(cert.x5t, createHash('sha1').update(x509.raw).digest('base64url'));
  assert.equal(x509.checkHost('localhost'), 'localhost');
});

test('an HTTPS client that trusts the generated certificate connects', async () => {
  const cert = await generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
  const server = createServer({ key: cert.privateKeyPem, cert: cert.certificatePem }, (_req, res) => res.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', ca: cert.certificatePem }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(body, 'hello');
    // Without trusting it, the connection is refused: the certificate really is what is checked.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/' }, resolve);
        req.on('error', reject);
        req.end();
      }),
      /self[- ]signed|unable to verify/i,
    );
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a server certificate signed by a generated CA: trusted through the CA alone, for every name it carries', async () => {
  const ca = await generateCa({ commonName: 'test CA', organization: 'auditwatch' });
  const names = ['manage.office.com', 'login.microsoftonline.com', '*.example.test', '127.0.0.1'];
  const leaf = await generateServerCertificate(ca, { commonName: 'manage.office.com', altNames: names });
  const caX509 = new X509Certificate(ca.certificatePem);
  const x509 = new X509Certificate(leaf.certificatePem);
  assert.equal(caX509.ca, true);
  assert.equal(x509.ca, false, 'the server certificate is not a CA');
  assert.equal(x509.verify(caX509.publicKey), true);
  assert.equal(x509.checkIssued(caX509), true);
  assert.equal(x509.checkHost('login.microsoftonline.com'), 'login.microsoftonline.com');
  assert.equal(x509.checkHost('a.example.test'), '*.example.test');
  assert.equal(x509.checkHost('graph.microsoft.com'), undefined);
  const server = createServer({ key: leaf.privateKeyPem, cert: leaf.certificatePem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const get = (servername: string, ca: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername, headers: { host: servername }, path: '/', ca }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
  try {
    assert.equal(await get('manage.office.com', ca.certificatePem), 'ok');
    assert.equal(await get('login.microsoftonline.com', ca.certificatePem), 'ok');
    await assert.rejects(get('graph.microsoft.com', ca.certificatePem), /altnames|does not match/i);
    const other = await generateCa({ commonName: 'another CA' });
    await assert.rejects(get('manage.office.com', other.certificatePem), /unable to (get|verify)|self[- ]signed|issuer/i);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
