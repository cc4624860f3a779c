// A small DER encoder and X.509 v3 certificate builder. Node can make RSA keys and signatures but not
// certificates; the emulator needs a CA and a server certificate it signs for HTTPS (--tls, for any
// names: --tls-names), and a self-signed client certificate per tenant (client_assertion). The SHA-1 of
// the DER is the certificate's thumbprint (x5t).

import { createHash, createPublicKey, generateKeyPair, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// ---- DER primitives ----

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derTlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

export const der = {
  sequence: (...items: Buffer[]) => derTlv(0x30, Buffer.concat(items)),
  set: (...items: Buffer[]) => derTlv(0x31, Buffer.concat(items)),
  /** A non-negative INTEGER from big-endian bytes (a leading zero is added when the top bit is set). */
  integer(value: Buffer | number): Buffer {
    let bytes = typeof value === 'number' ? intBytes(value) : value;
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0 && (bytes[i + 1]! & 0x80) === 0) i++;
    bytes = bytes.subarray(i);
    if (bytes.length === 0) bytes = Buffer.from([0]);
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return derTlv(0x02, bytes);
  },
  boolean: (v: boolean) => derTlv(0x01, Buffer.from([v ? 0xff : 0x00])),
  null: () => Buffer.from([0x05, 0x00]),
  oid(dotted: string): Buffer {
    const parts = dotted.split('.').map(Number);
    if (parts.length < 2 || parts.some((p) => !Number.isInteger(p) || p < 0)) throw new Error(`bad OID ${dotted}`);
    const out: number[] = [parts[0]! * 40 + parts[1]!];
    for (const p of parts.slice(2)) {
      const chunk: number[] = [p & 0x7f];
      for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
      out.push(...chunk);
    }
    return derTlv(0x06, Buffer.from(out));
  },
  utf8: (s: string) => derTlv(0x0c, Buffer.from(s, 'utf8')),
  ia5: (s: string) => derTlv(0x16, Buffer.from(s, 'ascii')),
  octetString: (b: Buffer) => derTlv(0x04, b),
  bitString: (b: Buffer) => derTlv(0x03, Buffer.concat([Buffer.from([0]), b])),
  /** UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
  time(ms: number): Buffer {
    const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.000Z
    const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
    const year = new Date(ms).getUTCFullYear();
    return year < 2050 ? derTlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : derTlv(0x18, Buffer.from(`${digits}Z`));
  },
  explicit: (n: number, inner: Buffer) => derTlv(0xa0 | n, inner),
  implicit: (n: number, content: Buffer) => derTlv(0x80 | n, content),
};

function intBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad integer ${n}`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes.length ? bytes : [0]);
}

// ---- X.509 ----

const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

export interface CertificateOptions {
  commonName: string;
  organization?: string;
  /** DNS names and IP addresses for subjectAltName (HTTPS needs them). */
  altNames?: string[];
  /** Validity in epoch ms; defaults to one day before now until ten years after. */
  notBefore?: number;
  notAfter?: number;
  /** Serial number bytes; random-looking bytes from the key when omitted. */
  serial?: Buffer;
}

export interface GeneratedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  certificateDer: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SHA-1 of the DER, upper-case hex (as the Entra portal shows it). */
  thumbprint: string;
  /** SHA-1 of the DER, base64url (the JWT `x5t` header). */
  x5t: string;
  /** SHA-256 of the DER, base64url (the JWT `x5t#S256` header). */
  x5tS256: string;
}

function name(commonName: string, organization?: string): Buffer {
  const rdns = [der.set(der.sequence(der.oid(OID.commonName), der.utf8(commonName)))];
  if (organization) rdns.unshift(der.set(der.sequence(der.oid(OID.organization), der.utf8(organization))));
  return der.sequence(...rdns);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? der.sequence(der.oid(oid), der.boolean(true), der.octetString(value))
    : der.sequence(der.oid(oid), der.octetString(value));
}

function altName(entry: string): Buffer {
  const kind = isIP(entry);
  if (kind === 4) return der.implicit(7, Buffer.from(entry.split('.').map(Number)));
  if (kind === 6) return der.implicit(7, ipv6Bytes(entry));
  return der.implicit(2, Buffer.from(entry, 'ascii'));
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

/** Who signs a certificate: the CA's subject name (DER), private key and key identifier. */
export interface Issuer {
  name: Buffer;
  privateKey: KeyObject;
  keyId: Buffer;
}

export type CertificateRole = 'self-signed' | 'ca' | 'server';

/**
 * Builds an X.509 v3 certificate (sha256WithRSAEncryption). 'self-signed': one certificate that is its
 * own CA (the tenants' client certificates); 'ca': a root that signs server certificates; 'server': a
 * leaf for HTTPS signed by `issuer` (not a CA, serverAuth only), with the subjectAltNames TLS checks.
 */
export function buildCertificate(privateKey: KeyObject, options: CertificateOptions, role: CertificateRole = 'self-signed', issuer?: Issuer): Buffer {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const now = Date.now();
  const notBefore = options.notBefore ?? now - 86_400_000;
  const notAfter = options.notAfter ?? now + 10 * 365 * 86_400_000;
  const serial = options.serial ?? Buffer.concat([Buffer.from([0x01]), keyId.subarray(0, 15)]);
  const sigAlg = der.sequence(der.oid(OID.sha256WithRSA), der.null());
  const subject = name(options.commonName, options.organization);
  if (role === 'server' && !issuer) throw new Error('a server certificate needs an issuer');
  const signer: Issuer = role === 'server' ? issuer! : { name: subject, privateKey, keyId };
  const extensions: Buffer[] = [];
  if (role === 'server') {
    extensions.push(
      extension(OID.basicConstraints, true, der.sequence()),
      // digitalSignature, keyEncipherment: bits 0, 2 → 0b10100000, 5 unused bits.
      extension(OID.keyUsage, true, derTlv(0x03, Buffer.from([0x05, 0xa0]))),
      extension(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth))),
    );
  } else if (role === 'ca') {
    extensions.push(
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.integer(0))),
      // keyCertSign, cRLSign: bits 5, 6 → 0b00000110, 1 unused bit.
      extension(OID.keyUsage, true, derTlv(0x03, Buffer.from([0x01, 0x06]))),
    );
  } else {
    extensions.push(
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true))),
      // digitalSignature, keyEncipherment, keyCertSign: bits 0, 2, 5 → 0b10100100, 2 unused bits.
      extension(OID.keyUsage, true, derTlv(0x03, Buffer.from([0x02, 0xa4]))),
      extension(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth), der.oid(OID.clientAuth))),
    );
  }
  extensions.push(extension(OID.subjectKeyId, false, der.octetString(keyId)));
  if (role === 'server') extensions.push(extension(OID.authorityKeyId, false, der.sequence(der.implicit(0, signer.keyId))));
  if (options.altNames?.length) {
    extensions.push(extension(OID.subjectAltName, false, der.sequence(...options.altNames.map(altName))));
  }
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(serial),
    sigAlg,
    signer.name,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject,
    spki,
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, signer.privateKey);
  return der.sequence(tbs, sigAlg, der.bitString(signature));
}

/** Builds a self-signed X.509 v3 certificate (sha256WithRSAEncryption) for an RSA key pair. */
export function buildSelfSignedCertificate(privateKey: KeyObject, options: CertificateOptions): Buffer {
  return buildCertificate(privateKey, options, 'self-signed');
}

export function derToPem(derBytes: Buffer, label = 'CERTIFICATE'): string {
  const b64 = derBytes.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function thumbprintOf(certificateDer: Buffer): { thumbprint: string; x5t: string; x5tS256: string } {
  const sha1 = createHash('sha1').update(certificateDer).digest();
  return {
    thumbprint: sha1.toString('hex').toUpperCase(),
    x5t: sha1.toString('base64url'),
    x5tS256: createHash('sha256').update(certificateDer).digest('base64url'),
  };
}

/** An RSA-2048 private key, generated off the main thread. */
export function rsaKeyPair(): Promise<KeyObject> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
  );
}

/** Generates an RSA-2048 key and a self-signed certificate for it, checked with node:crypto. */
export async function generateCertificate(options: CertificateOptions): Promise<GeneratedCertificate> {
  return finish(await rsaKeyPair(), (key) => buildSelfSignedCertificate(key, options));
}

/** A generated certificate authority: its certificate and what it needs to sign server certificates. */
export interface GeneratedCa extends GeneratedCertificate {
  issuer: Issuer;
}

/** Generates a root CA (RSA-2048) whose PEM clients trust instead of each server certificate. */
export async function generateCa(options: CertificateOptions): Promise<GeneratedCa> {
  const cert = await finish(await rsaKeyPair(), (key) => buildCertificate(key, options, 'ca'));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return { ...cert, issuer: { name: name(options.commonName, options.organization), privateKey: cert.privateKey, keyId: createHash('sha1').update(spki).digest() } };
}

/** Generates an HTTPS server certificate for `options.altNames`, signed by `ca` (checked with node:crypto). */
export async function generateServerCertificate(ca: GeneratedCa, options: CertificateOptions): Promise<GeneratedCertificate> {
  const cert = await finish(await rsaKeyPair(), (key) => buildCertificate(key, options, 'server', ca.issuer));
  if (!new X509Certificate(cert.certificatePem).verify(ca.publicKey)) throw new Error('generated server certificate does not verify with its CA');
  return cert;
}

async function finish(privateKey: KeyObject, build: (key: KeyObject) => Buffer): Promise<GeneratedCertificate> {
  const certificateDer = build(privateKey);
  const certificatePem = derToPem(certificateDer);
  const x509 = new X509Certificate(certificatePem);
  if (!x509.checkPrivateKey(privateKey)) throw new Error('generated certificate does not match its key');
  return {
    certificatePem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificateDer,
    privateKey,
    publicKey: x509.publicKey,
    ...thumbprintOf(certificateDer),
  };
}
