// Tests of `auditwatch emulator`: in-process (the JSON first line, the human output with credentials and
// curl examples, option mistakes) and, from the compiled tree, as a real process stopped by SIGTERM.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAppError } from '../core/index.js';
import { createFixtureSource, feed, tokenFor } from '../emulator/server/fixtures.testing.js';
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
  for (const args of [['--port', 'abc'], ['--fault-rate', '2'], ['--latency', 'soon'], ['--bogus']]) {
    await assert.rejects(
      serve(args, { write: () => {}, signal: AbortSignal.abort(), makeSource: () => createFixtureSource() }),
      (err: unknown) => isAppError(err) && /--|duration|see --help/.test(err.message),
      args.join(' '),
    );
  }
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
