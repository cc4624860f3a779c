// The ClickHouse + PostgreSQL store from the command line, on real servers: `init --emulator --clickhouse
// --postgres` writes a config that names where the passwords are (never the passwords) and works at once;
// and a wrong URL, password or database, or a server that is down — of ClickHouse or of PostgreSQL — on
// init, on store copy and on the commands that open the store (import, status, query, alerts), exits non-zero with one line on stderr that
// names the fix, shows no password, and writes nothing: no config, no table in either database.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { systemClock } from '../core/index.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { clickhouseSkipReason, freePort, startTestClickHouse, type TestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../store/postgres/server.testing.js';

const skip = clickhouseSkipReason();
const BIN = fileURLToPath(new URL('../../bin/auditwatch.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'aw-servers-'));
let emu: RunningEmulator;
let ch: TestClickHouse;
let pgServer: TestPostgres;
const WRONG = 'not-the-password-4711';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, ...env } }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

before(async () => {
  if (skip) return;
  const source = createContentSource({ seed: 'servers', days: 1, users: 4, tenants: 1, scenarios: [], latency: { kind: 'fixed', ms: 0 }, live: false, startTime: systemClock.now() });
  [emu, ch, pgServer] = await Promise.all([startEmulator({ source, throttlePerMinute: 0 }), startTestClickHouse(), startTestPostgres()]);
  writeFileSync(join(root, 'ch.secret'), `${ch.password}\n`, { mode: 0o600 });
  writeFileSync(join(root, 'pg.secret'), `${pgServer.password}\n`, { mode: 0o600 });
  writeFileSync(join(root, 'wrong.secret'), `${WRONG}\n`, { mode: 0o600 });
  // A DuckDB store to copy from.
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'auditwatch.yaml'), 'store:\n  path: ./src.duckdb\n');
  writeFileSync(join(root, 'src', 'one.ndjson'), `${JSON.stringify({ Id: '30000000-0000-4000-8000-000000000001', CreationTime: '2026-01-05T12:00:00', RecordType: 15, Operation: 'UserLoggedIn', OrganizationId: 'aaaaaaaa-0000-4000-8000-000000000001', UserId: 'x@contoso.com', UserKey: 'k', UserType: 0, Workload: 'AzureActiveDirectory' })}\n`);
  const imported = await cli(['import', '--config', join(root, 'src', 'auditwatch.yaml'), join(root, 'src', 'one.ndjson')]);
  assert.equal(imported.code, 0, imported.err);
});
after(async () => {
  await Promise.all([emu?.close(), ch?.stop(), pgServer?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

async function pgTables(database: string): Promise<number> {
  const client = new pg.Client({ host: '127.0.0.1', port: pgServer.port, user: pgServer.user, password: pgServer.password, database });
  await client.connect();
  try {
    return Number((await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0].n);
  } finally {
    await client.end();
  }
}
const chTables = async (database: string) => Number((await ch.run('SELECT count() FROM system.tables WHERE database = currentDatabase()', database)).trim());

/** One bad setting of either server, as init's arguments and as a config's store section. */
interface Case {
  name: string;
  message: RegExp;
  ch?: { url?: string; database?: string; user?: string; passwordFile?: string };
  pg?: { port?: number; database?: string; user?: string; passwordFile?: string };
}

async function cases(): Promise<Case[]> {
  const down = await freePort();
  return [
    { name: 'pg-password', pg: { passwordFile: './wrong.secret' }, message: /PostgreSQL at 127\.0\.0\.1:\d+\/aw_test_\d+ refused the login of aw .*; fix the user in store\.state\.url or the password its \{ env \}\/\{ file \} holds\./ },
    { name: 'pg-database', pg: { database: 'no_such_db' }, message: /database "no_such_db" does not exist; create the database \(createdb\) or fix the database in store\.state\.url\./ },
    { name: 'pg-down', pg: { port: down }, message: /PostgreSQL at 127\.0\.0\.1:\d+\/aw_test_\d+ cannot be reached \(ECONNREFUSED\); start the server or fix the host in store\.state\.url\./ },
    { name: 'ch-password', ch: { passwordFile: './wrong.secret' }, message: /refused the login of aw .*fix store\.clickhouse\.user or the password/ },
    { name: 'ch-database', ch: { database: 'no_such_db' }, message: /create it \(CREATE DATABASE\) or fix store\.clickhouse\.database/ },
    { name: 'ch-down', ch: { url: `http://127.0.0.1:${down}` }, message: /cannot be reached \(ECONNREFUSED\); start the server or fix store\.clickhouse\.url/ },
  ];
}

function assertOneLine(r: { code: number; out: string; err: string }, c: Case, what: string): void {
  assert.notEqual(r.code, 0, `${what} ${c.name}: non-zero exit`);
  assert.match(r.err, c.message, `${what} ${c.name}`);
  assert.equal(r.err.trim().split('\n').length, 1, `${what} ${c.name}: one line: ${r.err}`);
  for (const secret of [ch.password, pgServer.password, WRONG]) assert.ok(!r.err.includes(secret) && !r.out.includes(secret), `${what} ${c.name}: no password shown`);
}

test('init --emulator --clickhouse --postgres writes a config naming the password files, which works at once', { skip, timeout: 120_000 }, async () => {
  const [database, pgDatabase] = [await ch.createDatabase(), await pgServer.createDatabase()];
  const dir = join(root, 'init-good');
  const file = join(dir, 'auditwatch.yaml');
  const r = await cli(
    ['init', '--config', file, '--emulator', emu.url, '--clickhouse', `${ch.url}/${database}`.replace('//', `//${ch.user}@`), '--clickhouse-password-file', './ch.secret',
      '--postgres', `postgres://${pgServer.user}@127.0.0.1:${pgServer.port}/${pgDatabase}`, '--postgres-password-env', 'AW_TEST_PG_PASSWORD'],
    { AW_TEST_PG_PASSWORD: pgServer.password },
  );
  assert.equal(r.code, 0, r.err);
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(ch.password) && !text.includes(pgServer.password), 'no password in the config');
  assert.match(text, /engine: clickhouse/);
  assert.match(text, /clickhouse:\n    url: "http:\/\/127\.0\.0\.1:\d+"\n    database: aw_test_\d+\n    user: "aw"\n    password: \{ file: "\.\.\/ch\.secret" \}|password: \{ file: "\/[^"]+\/ch\.secret" \}/);
  assert.match(text, /state: .*\n    url: "postgres:\/\/aw@127\.0\.0\.1:\d+\/aw_test_\d+"\n    password: \{ env: AW_TEST_PG_PASSWORD \}/);
  const once = await cli(['collect', '--once', '--config', file], { AW_TEST_PG_PASSWORD: pgServer.password });
  assert.equal(once.code, 0, once.err);
  assert.ok(Number((await ch.run('SELECT count() FROM events', database)).trim()) > 0, 'the records are in ClickHouse');
  assert.ok((await pgTables(pgDatabase)) > 0, 'the state is in PostgreSQL');

  // ClickHouse is a target, not a source: refused before the target is touched.
  writeFileSync(join(root, 'duck-target.yaml'), 'store:\n  path: ./duck-target/t.duckdb\n');
  const fromCh = await cli(['store', 'copy', '--config', file, '--to', join(root, 'duck-target.yaml')], { AW_TEST_PG_PASSWORD: pgServer.password });
  assert.equal(fromCh.code, 1);
  assert.match(fromCh.err, /^auditwatch store: auditwatch store copy reads the events of a DuckDB store; point --config at the DuckDB store to copy from\. \[copy_source\]\n$/);
  assert.equal(existsSync(join(root, 'duck-target')), false, 'the target is not created');

  // A password on the command line is refused before anything happens.
  const leaked = await cli(['init', '--config', join(root, 'init-leak', 'auditwatch.yaml'), '--clickhouse', ch.url, '--postgres', `postgres://aw:${pgServer.password}@127.0.0.1:${pgServer.port}/x`]);
  assert.equal(leaked.code, 2);
  assert.match(leaked.err, /^auditwatch init: --postgres carries a password, and secrets never go on the command line; give the URL without it and the password with --postgres-password-env VAR or --postgres-password-file FILE\. \[usage\]\n$/);
  assert.ok(!leaked.err.includes(pgServer.password));
  assert.equal(existsSync(join(root, 'init-leak')), false, 'nothing written');
});

test('a wrong ClickHouse or PostgreSQL URL, password or database, or a server that is down: init, store copy, import, status, query and alerts fail in one line and write nothing', { skip, timeout: 600_000 }, async () => {
  for (const c of await cases()) {
    const database = c.ch?.database ?? (await ch.createDatabase());
    const pgDatabase = c.pg?.database ?? (await pgServer.createDatabase());
    const chUrl = c.ch?.url ?? ch.url;
    const pgUrl = `postgres://${c.pg?.user ?? pgServer.user}@127.0.0.1:${c.pg?.port ?? pgServer.port}/${pgDatabase}`;
    const chFile = c.ch?.passwordFile ?? './ch.secret';
    const pgFile = c.pg?.passwordFile ?? './pg.secret';

    // init: nothing written, not even the secrets folder of the emulator's tenants.
    const dir = join(root, `init-${c.name}`);
    const init = await cli(['init', '--config', join(dir, 'auditwatch.yaml'), '--emulator', emu.url, '--clickhouse', `${chUrl}/${database}`.replace('//', `//${ch.user}@`),
      '--clickhouse-password-file', chFile, '--postgres', pgUrl, '--postgres-password-file', pgFile]);
    assertOneLine(init, c, 'init');
    assert.equal(existsSync(dir), false, `init ${c.name}: nothing written`);

    // A config with the same mistake, for store copy and import.
    const config = join(root, `${c.name}.yaml`);
    writeFileSync(config, `store:
  engine: clickhouse
  path: ./data-${c.name}/endpoint.duckdb
  clickhouse:
    url: ${chUrl}
    database: ${database}
    user: ${ch.user}
    password: { file: ${chFile} }
  state:
    url: ${pgUrl}
    password: { file: ${pgFile} }
`);
    const copy = await cli(['store', 'copy', '--config', join(root, 'src', 'auditwatch.yaml'), '--to', config]);
    assertOneLine(copy, c, 'store copy');
    // Every command opens the store the same way; these open it for writing, reading and the state.
    for (const args of [['import', join(root, 'src', 'one.ndjson')], ['status'], ['query', 'SELECT count() FROM events'], ['alerts', 'list']]) {
      assertOneLine(await cli([...args, '--config', config]), c, args[0]!);
    }
    if (!c.pg?.database && !c.pg?.port) assert.equal(await pgTables(pgDatabase), 0, `${c.name}: nothing in PostgreSQL`);
    if (!c.ch?.database && !c.ch?.url) assert.equal(await chTables(database), 0, `${c.name}: nothing in ClickHouse`);
  }
});
