// store: { engine: duckdb, state: postgres } at the store level: the state conformance suite on the
// composed store (one skip, with its reason), state writes landing in PostgreSQL and not in the DuckDB
// file, identities beside the events where the rules join them, migrate and close reaching both.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Secret } from '../core/index.js';
import { openStore, sql, type StoreEngineConfig } from './index.js';
import { runStateConformance } from './conformance/state.js';
import { makeAlert } from './conformance/state-rows.js';
import { startTestPostgres, type TestPostgres } from './postgres/server.testing.js';

let server: TestPostgres;
let dir = '';
let n = 0;
before(async () => {
  server = await startTestPostgres();
  dir = await mkdtemp(join(tmpdir(), 'auditwatch-compose-'));
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function config(): Promise<Extract<StoreEngineConfig, { engine: 'duckdb' }>> {
  const database = await server.createDatabase();
  return {
    engine: 'duckdb',
    path: join(dir, `s${++n}`, 'auditwatch.duckdb'),
    stateStore: { engine: 'postgres', connection: { host: server.host, port: server.port, user: server.user, password: new Secret(server.password), database } },
  };
}

runStateConformance('duckdb events + postgres state', {
  async open() {
    const store = await openStore(await config());
    return { state: store.state, close: () => store.close() };
  },
  skips: {
    'identities written in a unit of work that throws are rolled back with it':
      'identities stay in DuckDB beside the events (compiled rules join them there), so they are not part of a PostgreSQL unit of work; the alerts part never writes them in one',
  },
});

test('duckdb events + postgres state: state goes to PostgreSQL, identities stay beside the events, close ends both', async () => {
  const c = await config();
  const store = await openStore(c);
  await store.state.unitOfWork(async (tx) => {
    await tx.alerts.insert(makeAlert(1));
    await tx.alerts.appendHistory('alert-0001', { at: 1, actor: 'system', action: 'open', from: null, to: 'new', detail: null });
  });
  await store.state.identities.apply('tenant-a', { add: [{ value: 'alice@contoso.com', kind: 'upn', personId: 'p1' }], relabel: [], ambiguous: [] }, 1);
  assert.deepEqual(await store.query(sql`SELECT count(*) AS n FROM alerts`), [{ n: 0 }], 'the DuckDB file holds no alert');
  assert.deepEqual(await store.query(sql`SELECT person_id FROM identities`), [{ person_id: 'p1' }], 'identities are joinable with events');
  const conn = c.stateStore!.connection;
  const client = new pg.Client({ host: conn.host, port: conn.port, user: conn.user, password: server.password, database: conn.database });
  await client.connect();
  try {
    assert.deepEqual((await client.query('SELECT id FROM alerts')).rows, [{ id: 'alert-0001' }]);
    assert.deepEqual((await client.query('SELECT seq FROM alert_history')).rows, [{ seq: '1' }]);
    assert.deepEqual((await client.query('SELECT count(*)::int AS n FROM identities')).rows, [{ n: 0 }]);
    assert.deepEqual(await store.migrate(), []);
    await store.close();
    const left = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'auditwatch'");
    assert.equal(left.rows[0].n, 0, 'close ended the pool');
  } finally {
    await client.end();
  }
  // Reopened: the state is still there (and the DuckDB file was closed, so it opens again).
  const again = await openStore(c);
  assert.equal((await again.state.alerts.get('alert-0001'))?.id, 'alert-0001');
  await again.close();
});

test('duckdb events + postgres state: an unreachable PostgreSQL fails the open in one line and releases the DuckDB file', async () => {
  const c = await config();
  const bad = { ...c, stateStore: { engine: 'postgres' as const, connection: { ...c.stateStore!.connection, password: new Secret('wrong') } } };
  await assert.rejects(openStore(bad), (err) => err instanceof Error && /postgres_auth|refused the login/.test(`${(err as { code?: string }).code} ${err.message}`));
  const ok = await openStore({ engine: 'duckdb', path: c.path });
  await ok.close();
});
