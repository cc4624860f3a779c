// Tests of the CLI's shared pieces: hostile values in tables, CSV and JSON output, the progress line,
// and the daemon's control server (metrics open, status and query behind the token).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry, Counter } from 'prom-client';
import { silentLogger } from '../../core/index.js';
import { request } from 'node:http';
import { startControlServer } from './control.js';
import { hostOf } from './host.js';
import { csv, jsonLines, table } from './format.js';
import { createProgress } from './progress.js';

describe('output formats', () => {
  it('table escapes control characters and bounds the width', () => {
    const rows = [{ user: 'evil\u001b[31m\r\nuser', note: 'x'.repeat(500), n: 3, none: null }];
    const out = table(rows, { maxWidth: 40 });
    assert.ok(!out.includes('\u001b'), 'no raw ESC');
    assert.ok(!out.includes('\r'), 'no raw CR');
    assert.ok(out.includes('\\u001b[31m\\u000d\\u000auser'));
    const widest = Math.max(...out.split('\n').map((l) => l.length));
    assert.ok(widest < 120, `lines stay bounded (${widest})`);
    assert.equal(out.split('\n').length, 4, 'header, rule, one row, trailing newline');
  });

  it('json is one object per line and csv neutralises formulas', () => {
    const rows = [{ a: '=cmd|x', b: 1 }, { a: 'line\nbreak', b: null }];
    const lines = jsonLines(rows).trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l)), rows);
    const text = csv(rows);
    assert.ok(text.startsWith('"a","b"\r\n'));
    assert.ok(text.includes(`"'=cmd|x"`), text);
  });
});

describe('progress', () => {
  it('writes plain lines with records/s and an ETA when not a TTY', () => {
    const chunks: string[] = [];
    let t = 0;
    const stream = { write: (s: string) => (chunks.push(s), true), isTTY: false } as unknown as NodeJS.WritableStream;
    const p = createProgress(stream, () => t, 1000);
    t = 2000;
    p.update({ records: 1000, blobs: 5, fraction: 0.5 });
    t = 2500;
    p.update({ records: 1200, blobs: 6, fraction: 0.6 });
    t = 4000;
    p.done({ records: 2000, blobs: 10 });
    assert.equal(chunks.length, 2, 'a throttled update is skipped');
    assert.match(chunks[0]!, /50% 1000 records, 5 blobs, 500 records\/s, ETA 2s/);
    assert.match(chunks[1]!, /100% 2000 records, 10 blobs, 500 records\/s\n$/);
    assert.ok(chunks.every((c) => !c.includes('\r')), 'no carriage returns off a TTY');
  });
});

describe('control server', () => {
  it('serves /metrics openly and /status, /query only with the token', async () => {
    const registry = new Registry();
    new Counter({ name: 'auditwatch_test_total', help: 'test', registers: [registry] }).inc(7);
    const queries: string[] = [];
    const server = await startControlServer(
      { host: '127.0.0.1', port: 0 },
      {
        metrics: registry,
        status: async () => ({ ok: 'yes' }),
        query: async (q) => {
          queries.push(q);
          return [{ n: 1 }];
        },
        command: async (args) => ({ code: 0, stdout: `ran ${args.join(' ')}\n`, stderr: '' }),
      },
      silentLogger,
    );
    try {
      const m = await fetch(`${server.url}/metrics`);
      assert.equal(m.status, 200);
      assert.match(await m.text(), /auditwatch_test_total 7/);
      const denied = await fetch(`${server.url}/status`);
      assert.equal(denied.status, 401);
      const wrong = await fetch(`${server.url}/query`, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '{"sql":"SELECT 1"}' });
      assert.equal(wrong.status, 401);
      const noCommand = await fetch(`${server.url}/command`, { method: 'POST', body: '{"args":["alerts","list"]}' });
      assert.equal(noCommand.status, 401, 'commands need the token too');
      const cmd = await fetch(`${server.url}/command`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: '{"args":["alerts","list"]}' });
      assert.deepEqual(await cmd.json(), { code: 0, stdout: 'ran alerts list\n', stderr: '' });
      assert.deepEqual(queries, []);
      const auth = { authorization: `Bearer ${server.token}` };
      const s = await fetch(`${server.url}/status`, { headers: auth });
      assert.deepEqual(await s.json(), { ok: 'yes' });
      const q = await fetch(`${server.url}/query`, { method: 'POST', headers: auth, body: JSON.stringify({ sql: 'SELECT 1 AS n' }) });
      assert.deepEqual(await q.json(), { rows: [{ n: 1 }] });
      assert.deepEqual(queries, ['SELECT 1 AS n']);
    } finally {
      await server.close();
    }
  });

  it('refuses a Host header that does not name the daemon on every endpoint (DNS rebinding), /metrics and /healthz included', async () => {
    const registry = new Registry();
    new Counter({ name: 'auditwatch_rebind_total', help: 'test', registers: [registry] }).inc(1);
    const handlers = { metrics: registry, status: async () => ({}), query: async () => [], command: async () => ({ code: 0, stdout: '', stderr: '' }) };
    const server = await startControlServer({ host: '127.0.0.1', port: 0 }, handlers, silentLogger, ['proxy.example.net']);
    const port = Number(new URL(server.url).port);
    // fetch() sets Host from the URL; a rebinding page's request carries its own name, so send raw Host headers.
    const get = (path: string, host: string, auth = false) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers: { host, ...(auth ? { authorization: `Bearer ${server.token}` } : {}) } }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      for (const path of ['/metrics', '/healthz', '/status']) {
        const refused = await get(path, `evil.example.com:${port}`, true);
        assert.equal(refused.status, 403, path);
        assert.match(refused.body, /Host header does not name this daemon.*collect\.allowedHosts/);
        assert.doesNotMatch(refused.body, /auditwatch_rebind_total/);
      }
      assert.equal((await get('/metrics', `127.0.0.1.evil.example:${port}`)).status, 403, 'a name that only starts like the address');
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST.:${port}`, `proxy.example.net`, `app.localhost:${port}`]) {
        const ok = await get('/metrics', host);
        assert.equal(ok.status, 200, host);
        assert.match(ok.body, /auditwatch_rebind_total 1/);
      }
      assert.equal((await get('/status', `localhost:${port}`, true)).status, 200);
    } finally {
      await server.close();
    }
    assert.equal(hostOf('[::1]:9464'), '::1');
    assert.equal(hostOf('a b'), null);
    assert.equal(hostOf(undefined), null);
  });
});
