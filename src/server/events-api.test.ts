// The investigation routes over real HTTP on a real DuckDB store with imported records and real
// detection: a viewer's session searches events page by page, downloads the CSV (text/csv, attachment,
// formula cells neutralised), reads one event with its raw record and the user and IP pages; a wrong
// cursor is a one-line 400; without a session nothing; the typed client (bearer) gets the same file.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { silentLogger, systemClock } from '../core/index.js';
import { configuredSessions, createOperations, openConfiguredStore, parseConfig } from '../service/index.js';
import type { Store } from '../store/index.js';
import { bruteForce, record, TENANT } from '../web/web.testing.js';
import { CookieClient } from './auth.testing.js';
import { createDaemonClient, readEndpoint, startApiServer, type ApiServer } from './index.js';

const VICTIM = 'victim@contoso.com';
const PASSWORD = 'a viewer password';

describe('investigation API', () => {
  let dir: string;
  let store: Store;
  let server: ApiServer;
  let viewer: CookieClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aw-events-api-'));
    const config = parseConfig(`store:\n  path: ${join(dir, 'store.duckdb')}\n`, { file: join(dir, 'auditwatch.yaml') });
    store = await openConfiguredStore(config);
    const operations = createOperations({ config, store, clock: systemClock, logger: silentLogger });
    const rows = [
      ...bruteForce(1, VICTIM),
      record(100, 5, { Operation: '=HYPERLINK("http://evil.example/")', UserId: '+1+cmd|calc', ClientIP: '198.51.100.9', ResultStatus: '@SUM(A1)' }),
      record(101, 6, { Operation: 'UserLoggedIn', UserId: VICTIM, ClientIP: '198.51.100.9', ResultStatus: 'Success' }),
    ];
    await store.importRecords({ tenantId: TENANT, sourceId: 'import:api-test', rows, rejects: [], ingestedAt: Date.now() });
    await operations.detect({ from: '7d', to: new Date(Date.now() + 60_000).toISOString() });
    await operations.usersAdd({ name: 'vera', role: 'viewer', password: PASSWORD });
    server = await startApiServer(
      { operations, metrics: new Registry(), sessions: configuredSessions({ config, store, clock: systemClock, logger: silentLogger }) },
      { listen: { host: '127.0.0.1', port: 0 }, allowedHosts: [], auth: config.collect.auth, storePath: config.store.path, logger: silentLogger, clock: systemClock },
    );
    viewer = new CookieClient(server.url);
    const login = await viewer.send('/api/v1/session', { method: 'POST', json: { username: 'vera', password: PASSWORD } });
    assert.equal(login.status, 200, login.body);
  });
  after(async () => {
    await server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a viewer pages through a search: every event once, newest first; a wrong cursor is a one-line 400', async () => {
    const seen: string[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const a = await viewer.send(`/api/v1/events?user=${encodeURIComponent(VICTIM.toUpperCase())}&since=7d&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(a.status, 200, a.body);
      for (const e of a.json.data.events) {
        seen.push(e.id);
        times.push(e.time);
        assert.equal(e.user, VICTIM);
      }
      cursor = a.json.data.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.equal(seen.length, 13);
    assert.equal(new Set(seen).size, 13);
    assert.deepEqual(times, [...times].sort().reverse());
    const op = await viewer.send('/api/v1/events?operation=userloggedin');
    assert.deepEqual(op.json.data.events.map((e: { id: string }) => e.id), ['00000000-0000-4000-8000-000000000101']);
    const bad = await viewer.send('/api/v1/events?cursor=AAAA');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'bad_cursor');
    assert.doesNotMatch(bad.json.error.message, /\n/);
    const big = await viewer.send('/api/v1/events?limit=5000');
    assert.equal(big.status, 400);
    assert.equal(big.json.error.code, 'bad_request');
    const when = await viewer.send('/api/v1/events?since=yesterday');
    assert.equal(when.status, 400);
    assert.match(when.json.error.message, /--since "yesterday" is neither a time/);
    assert.equal((await new CookieClient(server.url).send('/api/v1/events')).status, 401);
  });

  it('the CSV download is text/csv, an attachment, with formula cells neutralised', async () => {
    const a = await viewer.send('/api/v1/events.csv?since=7d');
    assert.equal(a.status, 200, a.body);
    assert.match(a.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(a.headers.get('content-disposition') ?? '', /^attachment; filename="events-\d{8}-\d{6}\.csv"$/);
    const lines = a.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    assert.equal(lines.length, 1 + 14);
    assert.match(lines[0]!, /^"Time \(UTC\)","Tenant","User","Client IP"/);
    const hostile = lines.find((l) => l.includes('HYPERLINK'))!;
    assert.ok(hostile.includes(`"'=HYPERLINK(""http://evil.example/"")"`), hostile);
    assert.ok(hostile.includes(`"'+1+cmd|calc"`), hostile);
    assert.ok(hostile.includes(`"'@SUM(A1)"`), hostile);
    for (const line of lines) for (const cell of line.split('","')) assert.doesNotMatch(cell.replace(/^"/, ''), /^[=+\-@]/);
    const one = await viewer.send(`/api/v1/events.csv?ip=198.51.100.9&limit=1`);
    assert.equal(one.body.trimEnd().split('\r\n').length, 3, 'header, one row, the truncation note');
    assert.match(one.body, /only the first 1 events/);
    assert.match(one.headers.get('x-auditwatch-warnings') ?? '', /more than 1 events match/);
  });

  it('one event with its raw record; an unknown one is 404', async () => {
    const id = '00000000-0000-4000-8000-000000000101';
    const a = await viewer.send(`/api/v1/events/${TENANT}/${id}`);
    assert.equal(a.status, 200, a.body);
    assert.equal(a.json.data.id, id);
    assert.equal(a.json.data.raw.Id, id);
    assert.equal(a.json.data.raw.Operation, 'UserLoggedIn');
    const none = await viewer.send(`/api/v1/events/${TENANT}/${encodeURIComponent("x' OR '1'='1")}`);
    assert.equal(none.status, 404);
    assert.equal(none.json.error.code, 'not_found');
  });

  it("the user and IP pages: sign-ins by country, IPs, recent events, the alerts naming them", async () => {
    const u = await viewer.send(`/api/v1/entities/users/${encodeURIComponent(VICTIM)}?since=30d`);
    assert.equal(u.status, 200, u.body);
    assert.deepEqual(u.json.data.signInsByCountry, [{ country: null, ok: 1, failed: 12 }]);
    assert.deepEqual(u.json.data.ips.map((i: { ip: string; count: number }) => [i.ip, i.count]), [['203.0.113.77', 12], ['198.51.100.9', 1]]);
    assert.equal(u.json.data.recentEvents.length, 13);
    assert.ok(u.json.data.alerts.length >= 1, 'detection raised an alert naming the user');
    assert.ok(u.json.data.alerts.every((al: { entities: { users?: string[] } }) => al.entities.users?.includes(VICTIM)));
    const ip = await viewer.send('/api/v1/entities/ips/203.0.113.77');
    assert.equal(ip.status, 200, ip.body);
    assert.deepEqual(ip.json.data.users, [{ user: VICTIM, count: 12 }]);
    assert.deepEqual(ip.json.data.operations, [{ operation: 'UserLoginFailed', count: 12 }]);
    assert.ok(ip.json.data.alerts.length >= 1);
    const other = await viewer.send('/api/v1/entities/ips/192.0.2.1');
    assert.deepEqual([other.json.data.users, other.json.data.alerts], [[], []]);
  });

  it('the typed client (bearer) gets the CSV as a file answer and searches the same', async () => {
    const ops = createDaemonClient(readEndpoint(join(dir, 'store.duckdb'))!);
    const file = await ops.eventsCsv({ ip: '198.51.100.9' });
    assert.match(file.data.filename, /^events-\d{8}-\d{6}\.csv$/);
    assert.match(file.data.contentType, /^text\/csv/);
    assert.equal(file.data.content.trimEnd().split('\r\n').length, 3);
    assert.deepEqual(file.warnings, []);
    const page = await ops.eventsSearch({ ip: '198.51.100.9' });
    assert.equal(page.data.events.length, 2);
    assert.equal(page.data.nextCursor, null);
    const doc = await viewer.send('/api/v1/openapi.json');
    assert.ok(doc.json.paths['/api/v1/events.csv'].get);
    assert.ok(doc.json.paths['/api/v1/entities/users/{user}'].get);
  });
});
