// Tests of the daemon's HTTP API over real HTTP on a real DuckDB store: /metrics and /healthz open,
// /api/v1 only with the bearer token (401 without or with a wrong one), the OpenAPI document, and the
// Host-header check on every endpoint (#16 finding 8: a DNS-rebinding page reads nothing).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { silentLogger, systemClock } from '../core/index.js';
import { configuredSessions, createOperations, openConfiguredStore, parseConfig } from '../service/index.js';
import type { Store } from '../store/index.js';
import { CONTENT_SECURITY_POLICY, endpointFile, hostOf, readEndpoint, roleAllows, ROUTES, startApiServer, type ApiServer } from './index.js';

describe('daemon HTTP API', () => {
  let dir: string;
  let store: Store;
  let server: ApiServer;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aw-api-'));
    const file = join(dir, 'auditwatch.yaml');
    const config = parseConfig(`store:\n  path: ${join(dir, 'store.duckdb')}\n`, { file });
    store = await openConfiguredStore(config);
    const metrics = new Registry();
    new Counter({ name: 'auditwatch_api_test_total', help: 'test', registers: [metrics] }).inc(3);
    const operations = createOperations({ config, store, clock: systemClock, logger: silentLogger });
    server = await startApiServer(
      { operations, metrics, sessions: configuredSessions({ config, store, clock: systemClock, logger: silentLogger }) },
      { listen: { host: '127.0.0.1', port: 0 }, allowedHosts: ['proxy.example.net'], auth: config.collect.auth, storePath: config.store.path, logger: silentLogger, clock: systemClock },
    );
    port = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // fetch() sets Host from the URL; a rebinding page's request carries its own name, so send raw headers.
  const call = (path: string, o: { host?: string; token?: string; method?: string; body?: string } = {}) =>
    new Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      const headers: Record<string, string> = { host: o.host ?? `127.0.0.1:${port}` };
      if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(o.body);
    });

  it('writes a private endpoint file with the URL and token, and serves /metrics openly', async () => {
    const ep = readEndpoint(join(dir, 'store.duckdb'));
    assert.ok(ep);
    assert.equal(ep.url, server.url);
    assert.equal(ep.token, server.token);
    assert.equal(statSync(endpointFile(join(dir, 'store.duckdb'))).mode & 0o777, 0o600);
    const m = await call('/metrics');
    assert.equal(m.status, 200);
    assert.match(m.body, /auditwatch_api_test_total 3/);
    assert.equal((await call('/healthz')).status, 200);
  });

  it('answers /api/v1 only with the token: 401 without or with a wrong one, JSON errors with a code', async () => {
    const none = await call('/api/v1/status');
    assert.equal(none.status, 401);
    assert.equal(JSON.parse(none.body).error.code, 'unauthorized');
    assert.equal((await call('/api/v1/query', { method: 'POST', token: 'nope', body: '{"sql":"SELECT 1"}' })).status, 401);
    const status = await call('/api/v1/status', { token: server.token });
    assert.equal(status.status, 200, status.body);
    assert.equal(JSON.parse(status.body).data.source, 'store');
    const q = await call('/api/v1/query', { method: 'POST', token: server.token, body: JSON.stringify({ sql: 'SELECT 41 + 1 AS n' }) });
    assert.equal(q.status, 200, q.body);
    assert.equal(Number(JSON.parse(q.body).data[0].n), 42);
    const bad = await call('/api/v1/alerts/not-an-alert/ack', { method: 'POST', token: server.token, body: '{}' });
    assert.ok(bad.status >= 400 && bad.status < 500, bad.body);
    assert.equal(typeof JSON.parse(bad.body).error.message, 'string');
  });

  it('publishes its OpenAPI document', async () => {
    const r = await call('/api/v1/openapi.json', { token: server.token });
    assert.equal(r.status, 200);
    const doc = JSON.parse(r.body);
    assert.match(String(doc.openapi), /^3\./);
    assert.ok(doc.paths['/api/v1/status'], Object.keys(doc.paths).join(' '));
    assert.ok(doc.paths['/api/v1/session'].post && doc.paths['/api/v1/session'].delete && doc.paths['/auth/oidc/login'].get);
    assert.deepEqual(doc.paths['/api/v1/status'].get.security, [{ bearer: [] }, { session: [] }]);
  });

  it('refuses a Host header that does not name the daemon on every endpoint, /metrics and /healthz included', async () => {
    for (const path of ['/metrics', '/healthz', '/api/v1/status']) {
      const refused = await call(path, { host: `evil.example.com:${port}`, token: server.token });
      assert.equal(refused.status, 403, path);
      assert.match(refused.body, /does not name this daemon.*collect\.allowedHosts/);
      assert.doesNotMatch(refused.body, /auditwatch_api_test_total/);
    }
    assert.equal((await call('/metrics', { host: `127.0.0.1.evil.example:${port}` })).status, 403, 'a name that only starts like the address');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST.:${port}`, 'proxy.example.net', `app.localhost:${port}`]) {
      assert.equal((await call('/metrics', { host })).status, 200, host);
    }
    assert.equal(hostOf('[::1]:9464'), '::1');
    assert.equal(hostOf('a b'), null);
    assert.equal(hostOf(undefined), null);
  });

  it('sends the security headers on every answer: ok, 401, 403 (Host), 404', async () => {
    const answers = [
      await call('/healthz'),
      await call('/api/v1/status', { token: server.token }),
      await call('/api/v1/status'),
      await call('/metrics', { host: 'evil.example.com' }),
      await call('/nothing-here'),
    ];
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 401, 403, 404]);
    for (const a of answers) {
      assert.equal(a.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
      assert.equal(a.headers['x-content-type-options'], 'nosniff');
      assert.equal(a.headers['x-frame-options'], 'DENY');
      assert.equal(a.headers['referrer-policy'], 'no-referrer');
      assert.equal(a.headers['cross-origin-opener-policy'], 'same-origin');
    }
    assert.equal(answers[1]!.headers['cache-control'], 'no-store', 'API answers are not cached');
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|\*/);
  });

  it('gives every route a role: reads for viewers, the alert workflow for analysts, files and SQL for admins', () => {
    const role = (op: string) => ROUTES.find((r) => r.op === op)!.role;
    // Reads are the viewer's, but the list of local accounts is the admin's (who may sign in, with what role).
    for (const r of ROUTES) if (r.method === 'GET' && r.op !== 'usersList') assert.equal(r.role, 'viewer', r.op);
    for (const op of ['usersList', 'usersAdd', 'usersPasswd', 'usersRemove']) assert.equal(role(op), 'admin', op);
    for (const op of ['alertsAck', 'alertsAssign', 'alertsComment', 'alertsResolve', 'alertsReopen', 'suppressionsAdd', 'suppressionsRemove']) assert.equal(role(op), 'analyst', op);
    for (const op of ['detect', 'hunt', 'importFiles', 'query', 'rulesValidate', 'rulesTest']) assert.equal(role(op), 'admin', op);
    assert.equal(roleAllows('admin', 'analyst'), true);
    assert.equal(roleAllows('analyst', 'viewer'), true);
    assert.equal(roleAllows('viewer', 'analyst'), false);
    assert.equal(roleAllows('analyst', 'admin'), false);
  });
});
