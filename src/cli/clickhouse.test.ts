// The command line on a config with `store: { engine: clickhouse, state: postgres }`: import stores the
// records in ClickHouse (once, also when imported again) and `auditwatch query` reads them there; a wrong
// ClickHouse password, user, database or URL, or a server that is down, exits non-zero with one line on
// stderr that names the fix, never shows a password, and writes nothing to either database.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { clickhouseSkipReason, freePort, startTestClickHouse, type TestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../store/postgres/server.testing.js';

const skip = clickhouseSkipReason();
const BIN = fileURLToPath(new URL('../../bin/auditwatch.js', import.meta.url));
let ch: TestClickHouse;
let pgServer: TestPostgres;
let dir = '';

interface Settings {
  url?: string;
  database: string;
  user?: string;
  passwordFile?: string;
  pgDatabase: string;
}

const yaml = (s: Settings) => `store:
  path: ./data/store.duckdb
  engine: clickhouse
  clickhouse:
    url: ${s.url ?? ch.url}
    database: ${s.database}
    user: ${s.user ?? ch.user}
    password: { file: ${s.passwordFile ?? './ch.secret'} }
  state: postgres
  postgres:
    host: 127.0.0.1
    port: ${pgServer.port}
    database: ${s.pgDatabase}
    user: ${pgServer.user}
    password: { file: ./pg.secret }
`;

before(async () => {
  if (skip) return;
  [ch, pgServer] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  dir = await mkdtemp(join(tmpdir(), 'aw-cli-ch-'));
  await writeFile(join(dir, 'ch.secret'), `${ch.password}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'pg.secret'), `${pgServer.password}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'wrong.secret'), 'not-the-ch-password\n', { mode: 0o600 });
});
after(async () => {
  await Promise.all([ch?.stop(), pgServer?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function cli(config: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--config', join(dir, config)], (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

const record = (n: number) =>
  JSON.stringify({ Id: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`, CreationTime: `2026-01-05T12:00:${String(n).padStart(2, '0')}`, RecordType: 15, Operation: 'UserLoggedIn', OrganizationId: 'aaaaaaaa-0000-4000-8000-000000000001', UserId: `u${n}@contoso.com`, UserKey: `k${n}`, UserType: 0, Workload: 'AzureActiveDirectory', ClientIP: '203.0.113.9' });

test('engine clickhouse: import stores the records in ClickHouse once, query reads them there', { skip }, async () => {
  const settings = { database: await ch.createDatabase(), pgDatabase: await pgServer.createDatabase() };
  await writeFile(join(dir, 'good.yaml'), yaml(settings));
  await writeFile(join(dir, 'records.ndjson'), `${[1, 2, 3].map(record).join('\n')}\n`);
  const first = await cli('good.yaml', 'import', join(dir, 'records.ndjson'));
  assert.equal(first.code, 0, first.err);
  const again = await cli('good.yaml', 'import', join(dir, 'records.ndjson'));
  assert.equal(again.code, 0, again.err);
  assert.equal((await ch.run('SELECT count() FROM events_rows', settings.database)).trim(), '3', 'each record stored once in ClickHouse');
  const q = await cli('good.yaml', 'query', '--format', 'json', 'SELECT user_id, client_ip FROM events ORDER BY user_id');
  assert.equal(q.code, 0, q.err);
  assert.deepEqual(q.out.trim().split('\n').map((l) => JSON.parse(l) as unknown), [1, 2, 3].map((n) => ({ user_id: `u${n}@contoso.com`, client_ip: '203.0.113.9' })));
});

test('engine clickhouse: a wrong password, user, database or URL, or a server that is down, exits non-zero with one line naming the fix and writes nothing', { skip }, async () => {
  const cases: { name: string; settings: Partial<Settings>; message: RegExp }[] = [
    { name: 'password', settings: { passwordFile: './wrong.secret' }, message: /refused the login of aw .*fix store\.clickhouse\.user or the password/ },
    { name: 'user', settings: { user: 'intruder' }, message: /refused the login of intruder/ },
    { name: 'database', settings: { database: 'no_such_db' }, message: /create it \(CREATE DATABASE\) or fix store\.clickhouse\.database/ },
    { name: 'down', settings: { url: `http://127.0.0.1:${await freePort()}` }, message: /cannot be reached \(ECONNREFUSED\); start the server or fix store\.clickhouse\.url/ },
    { name: 'scheme', settings: { url: 'ftp://127.0.0.1:21' }, message: /store\.clickhouse\.url must be an http:\/\/ or https:\/\/ URL/ },
  ];
  for (const c of cases) {
    const settings: Settings = { database: await ch.createDatabase(), pgDatabase: await pgServer.createDatabase(), ...c.settings };
    await writeFile(join(dir, `${c.name}.yaml`), yaml(settings));
    await writeFile(join(dir, 'one.ndjson'), `${record(9)}\n`);
    const r = await cli(`${c.name}.yaml`, 'import', join(dir, 'one.ndjson'));
    assert.notEqual(r.code, 0, `${c.name}: non-zero exit`);
    assert.match(r.err, c.message, c.name);
    assert.equal(r.err.trim().split('\n').length, 1, `${c.name}: one line: ${r.err}`);
    assert.ok(!r.err.includes(ch.password) && !r.err.includes('not-the-ch-password') && !r.err.includes(pgServer.password), `${c.name}: no password shown`);
    const client = new pg.Client({ host: '127.0.0.1', port: pgServer.port, user: pgServer.user, password: pgServer.password, database: settings.pgDatabase });
    await client.connect();
    try {
      assert.equal((await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0].n, 0, `${c.name}: nothing in PostgreSQL`);
    } finally {
      await client.end();
    }
    if (settings.database.startsWith('aw_test_')) {
      assert.equal((await ch.run('SELECT count() FROM system.tables WHERE database = currentDatabase()', settings.database)).trim(), '0', `${c.name}: nothing in ClickHouse`);
    }
  }
});
