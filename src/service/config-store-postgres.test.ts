// The store.state / store.postgres keys: the PostgreSQL connection with its password (or a URL with a
// password) only from { env } or { file }, a written credential refused without echoing it, and
// state: postgres needing the connection.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config/index.js';
import { parseConfig } from './index.js';

const parse = (store: string, env: Record<string, string> = {}) => parseConfig(`store:\n${store}`, { file: '/tmp/aw-config-test/auditwatch.yaml', env });

function refused(store: string, ...messages: RegExp[]): string {
  try {
    parse(store);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    for (const m of messages) assert.match(err.message, m);
    return err.message;
  }
  assert.fail('the config was accepted');
}

test('store.postgres: host, port, database, user and a password from the environment; state defaults to duckdb', () => {
  const c = parse('  state: postgres\n  postgres:\n    host: db.example.com\n    port: 6432\n    database: aw\n    user: auditwatch\n    password: { env: AW_PG_PW }\n    ssl: true\n', { AW_PG_PW: 's3cret-pw' });
  assert.equal(c.store.state, 'postgres');
  const p = c.store.postgres!;
  assert.deepEqual({ host: p.host, port: p.port, database: p.database, user: p.user, ssl: p.ssl }, { host: 'db.example.com', port: 6432, database: 'aw', user: 'auditwatch', ssl: true });
  assert.equal(p.password?.reveal(), 's3cret-pw');
  assert.ok(!JSON.stringify(c).includes('s3cret-pw'), 'the password prints as <redacted>');
  assert.equal(parse('  path: ./x.duckdb\n').store.state, 'duckdb');
});

test('store.postgres: a URL without a password may be written; one with a password only from { env } or { file }', () => {
  const c = parse('  state: postgres\n  postgres:\n    url: postgres://auditwatch@db.example.com:5432/aw?sslmode=require\n    password: { env: AW_PG_PW }\n', { AW_PG_PW: 'x-pw-1' });
  assert.equal(c.store.postgres?.url, 'postgres://auditwatch@db.example.com:5432/aw?sslmode=require');
  const fromEnv = parse('  state: postgres\n  postgres:\n    url: { env: AW_PG_URL }\n', { AW_PG_URL: 'postgres://u:hidden-pw@db:5432/aw' });
  assert.ok(!JSON.stringify(fromEnv).includes('hidden-pw'));
  const message = refused('  state: postgres\n  postgres:\n    url: postgres://u:written-pw@db:5432/aw\n', /store\.postgres\.url carries a password/, /AUDITWATCH_POSTGRES_URL/);
  assert.ok(!message.includes('written-pw'));
  refused('  postgres:\n    url: https://db.example.com/\n', /postgres:\/\//);
});

test('store.postgres: a written password, a missing connection, a bad port are refused with the fix', () => {
  const message = refused('  state: postgres\n  postgres:\n    host: db\n    password: hunter2-written\n', /store\.postgres\.password must not be written in the config/);
  assert.ok(!message.includes('hunter2-written'));
  refused('  state: postgres\n', /store\.postgres has state: postgres but no postgres section/);
  refused('  postgres:\n    database: aw\n', /needs url or host/);
  refused('  postgres:\n    host: db\n    port: 70000\n', /port number from 1 to 65535/);
  refused('  state: mysql\n', /must be duckdb .* or postgres/);
});

test('store.state: { url, password }: the PostgreSQL connection under state, same as state: postgres with store.postgres', () => {
  const c = parse('  state:\n    url: postgres://auditwatch@db.example.com:5432/aw\n    password: { env: AW_PG_PW }\n    ssl: true\n', { AW_PG_PW: 'state-pw-1' });
  assert.equal(c.store.state, 'postgres');
  assert.equal(c.store.postgres?.url, 'postgres://auditwatch@db.example.com:5432/aw');
  assert.equal(c.store.postgres?.password?.reveal(), 'state-pw-1');
  assert.equal(c.store.postgres?.ssl, true);
  assert.equal((c.store.postgres as { setting?: string }).setting, 'store.state', 'messages name the key it was written under');
  assert.equal((parse('  state: postgres\n  postgres:\n    host: db\n').store.postgres as { setting?: string }).setting, 'store.postgres');
  assert.ok(!JSON.stringify(c).includes('state-pw-1'));
  const fromFile = refused('  state:\n    url: postgres://u:written-pw@db:5432/aw\n', /store\.state\.url carries a password/);
  assert.ok(!fromFile.includes('written-pw'));
  refused('  state:\n    url: postgres://u@db/aw\n  postgres:\n    host: db\n', /store\.postgres repeats the PostgreSQL connection of store\.state; give it once/);
  refused('  state: mysql\n', /store\.state must be duckdb \(beside the events\), a PostgreSQL connection \{ url: postgres:\/\/user@host:5432\/db/);
  refused('  state:\n    port: 5432\n', /store\.state needs url or host/);
  refused('  state:\n    url: postgres://u@db/aw\n    password: hunter2-written\n', /store\.state\.password must not be written in the config/);
});
