// The store.engine: clickhouse keys: the ClickHouse connection with its password (or a URL carrying a
// login) only from { env } or { file }, a written credential refused without echoing it, state: postgres
// required beside it, and the cluster name (a <remote_servers> entry) reaching the store's settings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config/index.js';
import { parseConfig } from './index.js';

const parse = (store: string, env: Record<string, string> = {}) => parseConfig(`store:\n${store}`, { file: '/tmp/aw-config-test/auditwatch.yaml', env });
const PG = '  state: postgres\n  postgres:\n    host: db.example.com\n    database: aw\n    user: auditwatch\n    password: { env: AW_PG_PW }\n';

function refused(store: string, env: Record<string, string>, ...messages: RegExp[]): string {
  try {
    parse(store, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    for (const m of messages) assert.match(err.message, m);
    return err.message;
  }
  assert.fail('the config was accepted');
}

test('store.engine: clickhouse with url, database, user and a password from the environment, beside state: postgres', () => {
  const c = parse(`  engine: clickhouse\n  clickhouse:\n    url: http://ch.example.com:8123\n    database: audit\n    user: aw\n    password: { env: AW_CH_PW }\n${PG}`, { AW_CH_PW: 'ch-s3cret-pw', AW_PG_PW: 'pg-pw-1' });
  assert.equal(c.store.engine, 'clickhouse');
  const ch = c.store.clickhouse!;
  assert.deepEqual({ url: ch.url, database: ch.database, user: ch.user }, { url: 'http://ch.example.com:8123', database: 'audit', user: 'aw' });
  assert.equal(ch.password?.reveal(), 'ch-s3cret-pw');
  assert.ok(!JSON.stringify(c).includes('ch-s3cret-pw'), 'the password prints as <redacted>');
  assert.equal(parse(`  engine: clickhouse\n  clickhouse:\n    url: https://ch.example.com:8443\n${PG}`, { AW_PG_PW: 'x' }).store.clickhouse?.database, 'default');
});

test('store.clickhouse: a URL with a login only from { env } or { file }; written passwords and other schemes refused', () => {
  const fromEnv = parse(`  engine: clickhouse\n  clickhouse:\n    url: { env: AW_CH_URL }\n${PG}`, { AW_CH_URL: 'http://aw:hidden-ch-pw@ch:8123', AW_PG_PW: 'x' });
  assert.ok(!JSON.stringify(fromEnv).includes('hidden-ch-pw'));
  const m = refused(`  engine: clickhouse\n  clickhouse:\n    url: http://aw:written-ch-pw@ch:8123\n${PG}`, { AW_PG_PW: 'x' }, /store\.clickhouse\.url carries a login/, /AUDITWATCH_CLICKHOUSE_URL/);
  assert.ok(!m.includes('written-ch-pw'));
  const p = refused(`  engine: clickhouse\n  clickhouse:\n    url: http://ch:8123\n    password: hunter2-ch\n${PG}`, { AW_PG_PW: 'x' }, /store\.clickhouse\.password must not be written in the config/);
  assert.ok(!p.includes('hunter2-ch'));
  refused(`  engine: clickhouse\n  clickhouse:\n    url: tcp://ch:9000\n${PG}`, { AW_PG_PW: 'x' }, /store\.clickhouse\.url must be an http:\/\/ or https:\/\/ URL/);
  refused(`  engine: clickhouse\n  clickhouse:\n    url: http://ch:8123\n    database: "x; DROP"\n${PG}`, { AW_PG_PW: 'x' }, /store\.clickhouse\.database must be a database name/);
});

test('store.engine: clickhouse needs its section and state: postgres; cluster names a <remote_servers> entry', () => {
  refused(`  engine: clickhouse\n${PG}`, { AW_PG_PW: 'x' }, /store\.clickhouse has engine: clickhouse but no clickhouse section/);
  refused('  engine: clickhouse\n  clickhouse:\n    url: http://ch:8123\n', {}, /store\.state has engine: clickhouse, which keeps the blob ledger, cursors and state in PostgreSQL; add state: postgres/);
  assert.equal(parse(`  engine: clickhouse\n  clickhouse:\n    url: http://ch:8123\n    cluster: main_2\n${PG}`, { AW_PG_PW: 'x' }).store.clickhouse?.cluster, 'main_2');
  refused(`  engine: clickhouse\n  clickhouse:\n    url: http://ch:8123\n    cluster: "main; DROP"\n${PG}`, { AW_PG_PW: 'x' }, /store\.clickhouse\.cluster must be a cluster name/);
  refused('  engine: mysql\n', {}, /must be duckdb .* or clickhouse/);
});
