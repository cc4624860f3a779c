// Tests of `auditwatch emulator`: in-process (the JSON first line, the human output with credentials and
// curl examples, option mistakes) and, from the compiled tree, as a real process stopped by SIGTERM.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAppError } from '../core/index.js';
import { createFixtureSource, feed, tokenFor } from '../emulator/server/fixtures.testing.js';
import { generateCa, generateServerCertificate } from '../emulator/index.js';
import { serve } from './emulator.js';

async function started(args: string[]) {
  const stop = new AbortController();
  let out = '';
  let firstWrite!: () => void;
  const written = new Promise<void>((resolve) => (firstWrite = resolve));
  const done = serve(args, {
    write: (text) => {
      out += text;
      firstWrite();
    },
    signal: stop.signal,
    makeSource: () => createFixtureSource({ tenants: 2 }),
  });
  await Promise.race([written, done]);
  return { output: () => out, stop: () => stop.abort(), done };
}

test('--json: the first line is exactly {url, tenants[{tenantId, clientId, clientSecret}]} and the URL serves the API', async () => {
  const run = await started(['--port', '0', '--json', '--page-size', '2', '--throttle', '100']);
  try {
    const first = run.output().split('\n')[0]!;
    const info = JSON.parse(first) as { url: string; tenants: { tenantId: string; clientId: string; clientSecret: string }[] };
    assert.deepEqual(Object.keys(info), ['url', 'tenants']);
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.tenants.length, 2);
    assert.deepEqual(Object.keys(info.tenants[0]!), ['tenantId', 'clientId', 'clientSecret']);
    const t = info.tenants[0]!;
    const token = await tokenFor(info.url, t);
    const list = await feed(info.url, t.tenantId, token, 'subscriptions/list');
    assert.equal(list.status, 200);
  } finally {
    run.stop();
  }
  assert.equal(await run.done, 0);
});

test('human output: tenant id, client id and secret, curl examples, and a clean stop', async () => {
  const run = await started(['--port', '0']);
  run.stop();
  assert.equal(await run.done, 0);
  const text = run.output();
  const source = createFixtureSource({ tenants: 2 });
  for (const t of source.tenants()) {
    assert.ok(text.includes(t.tenantId));
    assert.ok(text.includes(t.clientId));
    assert.ok(text.includes(t.clientSecret));
  }
  assert.match(text, /not real secrets/);
  assert.match(text, /curl -s .*oauth2\/v2\.0\/token/);
  assert.match(text, /subscriptions\/content\?contentType=/);
  assert.match(text, /The emulator stopped\./);
});

test('option mistakes are usage errors naming the fix', async () => {
  for (const args of [
    ['--port', 'abc'],
    ['--fault-rate', '2'],
    ['--latency', 'soon'],
    ['--bogus'],
    ['--tls-cert', 'cert.pem'],
    ['--tls-names', 'bad name!'],
    ['--tls-names', ','],
    ['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'],
  ]) {
    await assert.rejects(
      serve(args, { write: () => {}, signal: AbortSignal.abort(), makeSource: () => createFixtureSource() }),
      (err: unknown) => isAppError(err) && /--|duration|see --help|DNS name/.test(err.message),
      args.join(' '),
    );
  }
});

function httpsGet(url: string, ca: string, servername?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, ...(servername ? { servername } : {}) }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('--tls-cert/--tls-key: serves your certificate, trusted through the CA that issued it; the output says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditwatch-emu-tls-'));
  try {
    const ca = await generateCa({ commonName: 'my CA' });
    const leaf = await generateServerCertificate(ca, { commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
    writeFileSync(join(dir, 'cert.pem'), leaf.certificatePem);
    writeFileSync(join(dir, 'key.pem'), leaf.privateKeyPem);
    const run = await started(['--port', '0', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
    try {
      const url = /listening on (https:\/\/\S+)/.exec(run.output())![1]!;
      const r = await httpsGet(`${url}/_emulator/tenants`, ca.certificatePem);
      assert.equal(r.status, 200);
      assert.match(run.output(), /clients trust the CA that issued it/);
    } finally {
      run.stop();
    }
    assert.equal(await run.done, 0);
    // A key that is not the certificate's is refused before listening.
    const other = await generateServerCertificate(ca, { commonName: 'localhost', altNames: ['localhost'] });
    writeFileSync(join(dir, 'other-key.pem'), other.privateKeyPem);
    await assert.rejects(
      serve(['--port', '0', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'other-key.pem')], { write: () => {}, signal: AbortSignal.abort(), makeSource: () => createFixtureSource() }),
      (err: unknown) => isAppError(err) && /does not belong to the TLS certificate/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--tls-names: the printed CA file makes the certificate trusted for the names given', async () => {
  const run = await started(['--port', '0', '--json', '--tls-names', 'manage.office.com,login.microsoftonline.com']);
  try {
    const info = JSON.parse(run.output().split('\n')[0]!) as { url: string; caFile: string };
    assert.match(info.url, /^https:/);
    const ca = readFileSync(info.caFile, 'utf8');
    const r = await httpsGet(`${info.url}/_emulator/ca`, ca, 'manage.office.com');
    assert.equal(r.status, 200);
    assert.equal(r.body, ca, 'the CA served is the one in the file');
    await assert.rejects(httpsGet(`${info.url}/_emulator/ca`, ca, 'graph.microsoft.com'), /altnames|does not match/i);
  } finally {
    run.stop();
  }
  assert.equal(await run.done, 0);
});

// As a real process, from the compiled tree only (the test suite runs dist/ with plain node).
const compiledEntry = fileURLToPath(new URL('./entry.js', import.meta.url));
const tenantBuilt = existsSync(fileURLToPath(new URL('../emulator/tenant/index.js', import.meta.url)));
test('as a process: the --json first line, then SIGTERM stops it with exit code 0', { skip: !import.meta.url.endsWith('.js') || !existsSync(compiledEntry) || !tenantBuilt }, async () => {
  const child = spawn(process.execPath, [compiledEntry, 'emulator', '--port', '0', '--json', '--days', '1', '--users', '5', '--seed', '3', '--no-live'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        buf += c;
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const info = JSON.parse(first) as { url: string; tenants: { tenantId: string }[] };
    const gt = await fetch(`${info.url}/_emulator/ground-truth`);
    assert.equal(gt.status, 200);
    const body = (await gt.json()) as { available: Record<string, unknown> };
    assert.ok(body.available[info.tenants[0]!.tenantId] !== undefined);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
