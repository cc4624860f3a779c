// The PostgreSQL state store beyond the conformance suite, on a real server: migrations (idempotent,
// once across processes opening at the same time, a newer schema refused), and connection mistakes —
// wrong password, user, database, port, URL — as one-line errors that name the fix and never show the
// password.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import pg from 'pg';
import { AppError, Secret } from '../../core/index.js';
import { openPostgresState } from '../index.js';
import type { PostgresConnection } from './connect.js';
import { POSTGRES_STATE_MIGRATIONS } from './migrations.js';
import { startTestPostgres, type TestPostgres } from './server.testing.js';

let server: TestPostgres;
before(async () => {
  server = await startTestPostgres();
});
after(async () => {
  await server?.stop();
});

const connection = (database: string, o: Partial<PostgresConnection> = {}): PostgresConnection => ({ host: server.host, port: server.port, user: server.user, password: new Secret(server.password), database, ...o });

async function tables(database: string): Promise<{ versions: number[]; tables: string[] }> {
  const c = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database });
  await c.connect();
  try {
    const v = await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    const t = await c.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
    return { versions: v.rows.map((r) => r.version), tables: t.rows.map((r) => r.tablename) };
  } finally {
    await c.end();
  }
}

function oneLine(err: unknown, code: string, ...mentions: RegExp[]): true {
  assert.ok(err instanceof AppError, `an AppError, not ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.ok(!err.message.includes('\n'));
  assert.ok(!err.message.includes(server.password), 'the password never shows');
  for (const m of mentions) assert.match(err.message, m);
  return true;
}

test('postgres state: migrations apply at open, once, and again are a no-op; processes opening together apply each once', async () => {
  const db = await server.createDatabase();
  const opened = await Promise.all(Array.from({ length: 4 }, () => openPostgresState(connection(db))));
  const all = POSTGRES_STATE_MIGRATIONS.map((m) => m.version);
  assert.deepEqual(await opened[0]!.migrate(), []);
  await Promise.all(opened.map((s) => s.close()));
  const after = await tables(db);
  assert.deepEqual(after.versions, all);
  for (const t of ['alerts', 'alert_evidence', 'alert_history', 'alert_history_seq', 'alert_outbox', 'alert_suppressions', 'identities', 'detection_state', 'detection_evidence', 'report_runs', 'collector_state', 'accounts', 'schema_migrations']) {
    assert.ok(after.tables.includes(t), t);
  }
  const noMigrate = await openPostgresState(connection(await server.createDatabase()), { migrate: false });
  assert.deepEqual(await noMigrate.migrate(), all);
  await noMigrate.close();
  await noMigrate.close();
  await assert.rejects(noMigrate.state.alerts.get('x'), (err) => oneLine(err, 'store_closed'));
});

test('postgres state: a database written by a newer auditwatch is refused with the fix', async () => {
  const db = await server.createDatabase();
  const s = await openPostgresState(connection(db));
  await s.close();
  const c = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: db });
  await c.connect();
  await c.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', now())");
  await c.end();
  await assert.rejects(openPostgresState(connection(db)), (err) => oneLine(err, 'store_newer', /upgrade auditwatch/));
});

test('postgres state: wrong password, user, database, port and URL fail in one line naming the fix', async () => {
  const db = await server.createDatabase();
  await assert.rejects(openPostgresState(connection(db, { password: new Secret('not-the-password') })), (err) => oneLine(err, 'postgres_auth', /store\.postgres\.user or the password/));
  await assert.rejects(openPostgresState(connection(db, { user: 'mallory' })), (err) => oneLine(err, 'postgres_auth'));
  await assert.rejects(openPostgresState(connection('no_such_db')), (err) => oneLine(err, 'postgres_database', /no_such_db/, /store\.postgres\.database/));
  const closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  await assert.rejects(openPostgresState(connection(db, { port: closedPort })), (err) => oneLine(err, 'postgres_unreachable', /start the server or fix store\.postgres\.host and port/));
  const url = `postgres://${server.user}:${encodeURIComponent('wrong-' + server.password)}@${server.host}:${server.port}/${db}`;
  await assert.rejects(openPostgresState({ url: new Secret(url) }), (err) => {
    oneLine(err, 'postgres_auth');
    assert.ok(!(err as Error).message.includes('wrong-'), 'no piece of the URL secret');
    return true;
  });
  const good = await openPostgresState({ url: new Secret(`postgres://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${db}`) });
  assert.equal(await good.state.alerts.get('none'), null);
  await good.close();
  await assert.rejects(openPostgresState(connection(db, { ssl: true })), (err) => oneLine(err, 'postgres_ssl', /store\.postgres\.ssl/));
});
