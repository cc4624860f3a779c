// auditwatch store copy on real servers: a DuckDB store filled by `collect --once` from the emulator
// (records, blob ledger, cursors, alerts delivered to a webhook, a workflow step, a report run) is
// copied into ClickHouse + PostgreSQL by a child process that is SIGKILLed midway and run again: the
// target then holds the same events (ids), alerts, history, outbox, cursors and every table's rows,
// nothing doubled; status and query read them there, and the workflow goes on in the target. Also:
// DuckDB into DuckDB, a non-empty target refused, and a complete copy run again changing nothing.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { Secret, systemClock } from '../core/index.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { COPY_TABLES, openDuckDbStore, openStore, type Store } from '../store/index.js';
import { clickhouseSkipReason, startTestClickHouse, type TestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../store/postgres/server.testing.js';
import { startWebhookReceiver, writeDemoConfig, type WebhookReceiver } from './demo-steps.js';

const skip = clickhouseSkipReason();
const BIN = fileURLToPath(new URL('../../bin/auditwatch.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'aw-copy-'));
const sourceDir = join(root, 'source');
let emu: RunningEmulator;
let rx: WebhookReceiver;
let ch: TestClickHouse;
let pgServer: TestPostgres;

function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, maxBuffer: 64 << 20 }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

const SOURCE = join(sourceDir, 'auditwatch.yaml');

before(async () => {
  if (skip) return;
  const source = createContentSource({
    seed: 'store-copy', days: 1, users: 10, tenants: 2, scenarios: ['brute-force'],
    latency: { kind: 'fixed', ms: 0 }, live: false, startTime: systemClock.now(),
  });
  [emu, rx, ch, pgServer] = await Promise.all([startEmulator({ source, throttlePerMinute: 0 }), startWebhookReceiver(join(root, 'webhook.log')), startTestClickHouse(), startTestPostgres()]);
  writeDemoConfig(sourceDir, emu.url, emu.tenants, rx.url);
  writeFileSync(SOURCE, readFileSync(SOURCE, 'utf8').replace('interval: 30s', 'interval: 30s\n  initialLookback: 2d'));
  const once = await cli('collect', '--once', '--config', SOURCE);
  assert.equal(once.code, 0, once.err);
  const list = await cli('alerts', 'list', '--format', 'json', '--config', SOURCE);
  const first = JSON.parse(list.out.trim().split('\n')[0]!) as { id: string };
  assert.equal((await cli('alerts', 'ack', first.id, '--as', 'ann', '--config', SOURCE)).code, 0);
  assert.equal((await cli('alerts', 'comment', first.id, 'looked at it', '--as', 'ann', '--config', SOURCE)).code, 0);
});
after(async () => {
  await Promise.all([rx?.close(), emu?.close(), ch?.stop(), pgServer?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

async function targetConfig(name: string): Promise<{ file: string; database: string; pgDatabase: string }> {
  const database = await ch.createDatabase();
  const pgDatabase = await pgServer.createDatabase();
  // The source's config (tenants, alerts, reports) with the store moved to ClickHouse + PostgreSQL.
  const file = join(sourceDir, `${name}.yaml`);
  const secret = join(root, `${name}.secrets`);
  writeFileSync(`${secret}.ch`, `${ch.password}\n`, { mode: 0o600 });
  writeFileSync(`${secret}.pg`, `${pgServer.password}\n`, { mode: 0o600 });
  const store = `store:
  engine: clickhouse
  path: ./${name}/endpoint.duckdb
  clickhouse:
    url: ${ch.url}
    database: ${database}
    user: ${ch.user}
    password: { file: ${secret}.ch }
  state:
    url: postgres://${pgServer.user}@127.0.0.1:${pgServer.port}/${pgDatabase}
    password: { file: ${secret}.pg }
`;
  writeFileSync(file, readFileSync(SOURCE, 'utf8').replace('store:\n  path: ./auditwatch.duckdb\n', store));
  return { file, database, pgDatabase };
}

const openTarget = (t: { database: string; pgDatabase: string }) =>
  openStore({
    engine: 'clickhouse',
    clickhouse: { url: ch.url, database: t.database, user: ch.user, password: new Secret(ch.password) },
    stateStore: { engine: 'postgres', connection: { host: '127.0.0.1', port: pgServer.port, database: t.pgDatabase, user: pgServer.user, password: new Secret(pgServer.password) } },
  });

/** What must be the same in both stores: every event key, every alert, its history, the outbox, cursors and each table's rows. */
async function snapshot(store: Store) {
  const alerts = await store.state.alerts.list({ limit: 100_000 });
  const history: Record<string, unknown> = {};
  for (const a of alerts) history[a.id] = await store.state.alerts.history(a.id);
  const tables: Record<string, unknown[]> = {};
  for (const table of COPY_TABLES) {
    const rows: unknown[] = [];
    for (let after = null, page; (page = await store.copy.readTable(table, after, 1000)).length > 0; after = page[page.length - 1]!) rows.push(...page);
    tables[table] = rows;
  }
  const cursors = (tables['cursors'] as { tenant_id: string; content_type: string }[]).map((c) => c.tenant_id + c.content_type);
  return {
    events: (await store.eventKeys()).map((k) => `${k.tenantId}/${k.id}`).sort(),
    alerts: alerts.sort((a, b) => (a.id < b.id ? -1 : 1)),
    history,
    outbox: (await store.state.outbox.list({ limit: 100_000 })).sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : 1)),
    cursors: await Promise.all(cursors.map(async (_, i) => { const c = tables['cursors']![i] as { tenant_id: string; content_type: string }; return store.getCursor(c.tenant_id, c.content_type); })),
    reportRuns: await store.state.reportRuns.list(),
    tables,
  };
}

async function sourceSnapshot() {
  const store = await openDuckDbStore({ path: join(sourceDir, 'auditwatch.duckdb'), readOnly: true });
  try {
    return await snapshot(store);
  } finally {
    await store.close();
  }
}

async function pgCount(database: string, q: string): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port: pgServer.port, user: pgServer.user, password: pgServer.password, database });
  await client.connect();
  try {
    return Number((await client.query(q)).rows[0].n);
  } finally {
    await client.end();
  }
}

test('store copy into ClickHouse + PostgreSQL, SIGKILLed midway and run again: the same events and state, nothing doubled', { skip, timeout: 300_000 }, async () => {
  const before = await sourceSnapshot();
  assert.ok(before.events.length > 500, `the source holds records (${before.events.length})`);
  assert.ok(before.alerts.length > 0 && before.outbox.some((o) => o.status === 'delivered'), 'the source holds alerts delivered');
  assert.ok(Object.values(before.history).some((h) => (h as unknown[]).length >= 3), 'an alert with a workflow history');
  assert.ok(before.tables['blob_ledger']!.length > 0 && before.cursors.length > 0, 'the source holds ledger and cursors');
  const target = await targetConfig('ch');

  // The first run is killed once it has copied some pages of events but not all.
  const child = spawn(process.execPath, [BIN, 'store', 'copy', '--config', SOURCE, '--to', target.file, '--batch', '25'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
  let copied = 0;
  for (let i = 0; i < 3000 && copied < 100 && exitCode === undefined; i++) {
    await new Promise((r) => setTimeout(r, 20));
    copied = await pgCount(target.pgDatabase, "SELECT coalesce(max(copied), 0) AS n FROM copy_progress WHERE step = 'events'").catch(() => 0);
  }
  assert.equal(exitCode, undefined, `the copy still runs: ${stderr}`);
  child.kill('SIGKILL');
  assert.equal(await exited, null, 'the copy was killed, not finished');
  assert.ok(copied >= 100 && copied < before.events.length, `killed midway (${copied} of ${before.events.length})`);
  assert.equal(await pgCount(target.pgDatabase, "SELECT count(*) AS n FROM copy_progress WHERE step = '_source' AND done"), 0, 'the copy is not marked complete');
  const midway = await cli('status', '--config', target.file);
  assert.match(midway.out, /warning: this store is an unfinished copy \(auditwatch store copy stopped at [\d-]+ [\d:]+: \d+ events and 0 of \d+ tables copied\); run the same store copy again to finish it/, 'status says the copy is unfinished');

  const again = await cli('store', 'copy', '--config', SOURCE, '--to', target.file);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /^Finished the interrupted copy: \d+ events .*The counts of both stores agree\.\n$/);
  assert.equal((await ch.run('SELECT count() FROM events_rows', target.database)).trim(), String(before.events.length), 'each record stored once in ClickHouse, none doubled by the re-run');

  const store = await openTarget(target);
  try {
    const afterCopy = await snapshot(store);
    assert.deepEqual(afterCopy.events, before.events);
    assert.deepEqual(afterCopy.alerts, before.alerts);
    assert.deepEqual(afterCopy.history, before.history);
    assert.deepEqual(afterCopy.outbox, before.outbox);
    assert.deepEqual(afterCopy.cursors, before.cursors);
    assert.deepEqual(afterCopy.reportRuns, before.reportRuns);
    for (const table of COPY_TABLES) assert.deepEqual(afterCopy.tables[table], before.tables[table], table);
  } finally {
    await store.close();
  }

  // The target works as a store of its own: status and query read it, the workflow of a copied alert goes on.
  const status = await cli('status', '--config', target.file);
  assert.equal(status.code, 0, status.err);
  for (const t of emu.tenants) assert.ok(status.out.includes(t.domain.split('.')[0]!), `status shows ${t.domain}: ${status.out}`);
  assert.equal(status.out.includes('unfinished copy'), false, 'a finished copy is no longer mentioned');
  const q = await cli('query', '--format', 'json', '--config', target.file, 'SELECT count() AS n FROM events');
  assert.equal(q.code, 0, q.err);
  assert.equal(Number((JSON.parse(q.out.trim()) as { n: number | string }).n), before.events.length);
  const alertId = before.alerts[0]!.id;
  const resolve = await cli('alerts', 'resolve', alertId, '--as', 'bob', '--config', target.file);
  assert.equal(resolve.code, 0, resolve.err);
  assert.equal(await pgCount(target.pgDatabase, `SELECT max(seq) AS n FROM alert_history WHERE alert_id = '${alertId}'`), (before.history[alertId] as unknown[]).length + 1, 'the next history entry follows the copied ones');

  // Run again on the complete copy: nothing changes (the resolve stays), and it says so.
  const third = await cli('store', 'copy', '--config', SOURCE, '--to', target.file);
  assert.equal(third.code, 0, third.err);
  assert.match(third.out, /^Already a complete copy: /);
  assert.equal((await ch.run('SELECT count() FROM events_rows', target.database)).trim(), String(before.events.length));
});

test('store copy into another DuckDB file; a target holding other data is refused in one line, unchanged', { skip: skip ?? false, timeout: 180_000 }, async () => {
  const before = await sourceSnapshot();
  const dir = join(root, 'duck');
  const file = join(dir, 'auditwatch.yaml');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, 'store:\n  path: ./copy.duckdb\n');
  const r = await cli('store', 'copy', '--config', SOURCE, '--to', file, '--batch', '300');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Copied \d+ events/);
  const copy = await openDuckDbStore({ path: join(dir, 'copy.duckdb'), readOnly: true });
  try {
    const s = await snapshot(copy);
    assert.deepEqual(s.events, before.events);
    assert.deepEqual(s.alerts, before.alerts);
    assert.deepEqual(s.history, before.history);
    for (const table of COPY_TABLES) assert.deepEqual(s.tables[table], before.tables[table], table);
  } finally {
    await copy.close();
  }

  // Another store that holds data is not a copy of this one.
  const other = join(root, 'other');
  mkdirSync(other, { recursive: true });
  writeFileSync(join(other, 'auditwatch.yaml'), 'store:\n  path: ./other.duckdb\n');
  writeFileSync(join(other, 'one.ndjson'), `${JSON.stringify({ Id: '20000000-0000-4000-8000-000000000001', CreationTime: '2026-01-05T12:00:00', RecordType: 15, Operation: 'UserLoggedIn', OrganizationId: 'aaaaaaaa-0000-4000-8000-000000000001', UserId: 'x@contoso.com', UserKey: 'k', UserType: 0, Workload: 'AzureActiveDirectory' })}\n`);
  assert.equal((await cli('import', '--config', join(other, 'auditwatch.yaml'), join(other, 'one.ndjson'))).code, 0);
  const refused = await cli('store', 'copy', '--config', SOURCE, '--to', join(other, 'auditwatch.yaml'));
  assert.equal(refused.code, 1);
  assert.match(refused.err, /^auditwatch store: The target store already holds data \(1 events\) and is not a copy of this store; give an empty store as --to/);
  assert.equal(refused.err.trim().split('\n').filter((l) => !l.startsWith('{')).length, 1, refused.err);
  const o = await openDuckDbStore({ path: join(other, 'other.duckdb'), readOnly: true });
  try {
    assert.equal((await o.eventKeys()).length, 1, 'the refused target is unchanged');
    assert.equal((await o.copy.loadProgress()).length, 0);
  } finally {
    await o.close();
  }
});

test('store copy into DuckDB with its state in PostgreSQL: events, ledger and identities in the file, the rest in PostgreSQL', { skip, timeout: 180_000 }, async () => {
  const before = await sourceSnapshot();
  const pgDatabase = await pgServer.createDatabase();
  writeFileSync(join(root, 'mixed.pg'), `${pgServer.password}\n`, { mode: 0o600 });
  const file = join(sourceDir, 'mixed.yaml');
  writeFileSync(file, readFileSync(SOURCE, 'utf8').replace('store:\n  path: ./auditwatch.duckdb\n', `store:\n  path: ./mixed/events.duckdb\n  state:\n    url: postgres://${pgServer.user}@127.0.0.1:${pgServer.port}/${pgDatabase}\n    password: { file: ${join(root, 'mixed.pg')} }\n`));
  const r = await cli('store', 'copy', '--config', SOURCE, '--to', file, '--batch', '100');
  assert.equal(r.code, 0, r.err);
  const store = await openStore({
    engine: 'duckdb',
    path: join(sourceDir, 'mixed', 'events.duckdb'),
    stateStore: { engine: 'postgres', connection: { host: '127.0.0.1', port: pgServer.port, database: pgDatabase, user: pgServer.user, password: new Secret(pgServer.password) } },
  });
  try {
    const s = await snapshot(store);
    assert.deepEqual(s.events, before.events);
    assert.deepEqual(s.alerts, before.alerts);
    assert.deepEqual(s.history, before.history);
    for (const table of COPY_TABLES) assert.deepEqual(s.tables[table], before.tables[table], table);
  } finally {
    await store.close();
  }
  assert.equal(await pgCount(pgDatabase, 'SELECT count(*) AS n FROM alerts'), before.alerts.length, 'alerts in PostgreSQL');
  assert.equal(await pgCount(pgDatabase, 'SELECT count(*) AS n FROM blob_ledger'), 0, 'the ledger stays beside the events');
  assert.equal(await pgCount(pgDatabase, 'SELECT count(*) AS n FROM identities'), 0, 'identities stay beside the events');
  const file2 = await openDuckDbStore({ path: join(sourceDir, 'mixed', 'events.duckdb'), readOnly: true });
  try {
    assert.equal(await file2.copy.countTable('blob_ledger'), before.tables['blob_ledger']!.length);
    assert.equal(await file2.copy.countTable('identities'), before.tables['identities']!.length);
    assert.equal(await file2.copy.countTable('alerts'), 0, 'no alert in the file');
  } finally {
    await file2.close();
  }
});
