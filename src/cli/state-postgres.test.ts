// The command line on a config with `store: { state: postgres }`: alerts opened by the alert service
// land in PostgreSQL (not in the DuckDB file), `alerts list/ack/show` work on them through the CLI, the
// password comes from a file, and a wrong password or a written one fails in one line without showing it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ManualClock, Secret } from '../core/index.js';
import { createAlertService } from '../alerts/index.js';
import { hit, T0 } from '../alerts/testing.js';
import { openStore, sql } from '../store/index.js';
import { startTestPostgres, type TestPostgres } from '../store/postgres/server.testing.js';

let server: TestPostgres;
let dir = '';
let database = '';
const BIN = fileURLToPath(new URL('../../bin/auditwatch.js', import.meta.url));

const yaml = (passwordFile: string) =>
  `store:\n  path: ./store.duckdb\n  state: postgres\n  postgres:\n    host: 127.0.0.1\n    port: ${server.port}\n    database: ${database}\n    user: ${server.user}\n    password: { file: ${passwordFile} }\nalerts:\n  destinations:\n    - name: hook\n      type: webhook\n      url: http://127.0.0.1:9/hook\n`;

before(async () => {
  server = await startTestPostgres();
  database = await server.createDatabase();
  dir = await mkdtemp(join(tmpdir(), 'aw-cli-pg-'));
  await writeFile(join(dir, 'pg.secret'), `${server.password}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'wrong.secret'), 'not-the-password\n', { mode: 0o600 });
  await writeFile(join(dir, 'auditwatch.yaml'), yaml('./pg.secret'));
  await writeFile(join(dir, 'wrong.yaml'), yaml('./wrong.secret'));
  await writeFile(join(dir, 'literal.yaml'), yaml('./pg.secret').replace('password: { file: ./pg.secret }', 'password: hunter2-literal'));
  const store = await openStore({
    engine: 'duckdb',
    path: join(dir, 'store.duckdb'),
    stateStore: { engine: 'postgres', connection: { host: '127.0.0.1', port: server.port, database, user: server.user, password: new Secret(server.password) } },
  });
  const svc = createAlertService({ store, clock: new ManualClock(T0), config: { destinations: [{ name: 'hook' }] } });
  await svc.ingestHits([hit({ groupKey: 'pg-1', evidence: ['p1'] }), hit({ groupKey: 'pg-2', severity: 'low', evidence: ['p2'] })]);
  await store.close();
});
after(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function cli(config: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--config', join(dir, config)], (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

test('state in PostgreSQL: alerts list, ack and show through the CLI; nothing of it in the DuckDB file', async () => {
  const list = await cli('auditwatch.yaml', 'alerts', 'list', '--format', 'json');
  assert.equal(list.code, 0, list.err);
  const rows = list.out.trim().split('\n').map((l) => JSON.parse(l) as { id: string; severity: string });
  assert.equal(rows.length, 2);
  const id = rows.find((r) => r.severity === 'high')!.id;
  const ack = await cli('auditwatch.yaml', 'alerts', 'ack', id, '--as', 'ann');
  assert.equal(ack.code, 0, ack.err);
  const show = JSON.parse((await cli('auditwatch.yaml', 'alerts', 'show', id, '--format', 'json')).out) as { status: string; history: { actor: string; action: string }[] };
  assert.equal(show.status, 'acknowledged');
  assert.deepEqual(show.history.map((h) => `${h.actor}:${h.action}`), ['system:open', 'ann:ack']);

  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: server.user, password: server.password, database });
  await client.connect();
  try {
    assert.deepEqual((await client.query('SELECT status FROM alerts WHERE id = $1', [id])).rows, [{ status: 'acknowledged' }]);
    assert.equal((await client.query('SELECT count(*)::int AS n FROM alert_outbox')).rows[0].n, 2, 'one delivery per alert queued in PostgreSQL');
  } finally {
    await client.end();
  }
  const file = await openStore({ engine: 'duckdb', path: join(dir, 'store.duckdb') });
  try {
    assert.deepEqual(await file.query(sql`SELECT count(*) AS n FROM alerts`), [{ n: 0 }]);
    assert.deepEqual(await file.query(sql`SELECT count(*) AS n FROM alert_outbox`), [{ n: 0 }]);
  } finally {
    await file.close();
  }
});

test('state in PostgreSQL: a wrong password fails in one line naming the fix; a written password is refused; neither is shown', async () => {
  const wrong = await cli('wrong.yaml', 'alerts', 'list');
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.err, /store\.postgres\.user or the password/);
  assert.equal(wrong.err.trim().split('\n').length, 1, wrong.err);
  assert.ok(!wrong.err.includes('not-the-password') && !wrong.err.includes(server.password));
  const literal = await cli('literal.yaml', 'alerts', 'list');
  assert.notEqual(literal.code, 0);
  assert.match(literal.err, /store\.postgres\.password/);
  assert.match(literal.err, /\{ env: AUDITWATCH_POSTGRES_PASSWORD \}/);
  assert.ok(!literal.err.includes('hunter2-literal'));
});
