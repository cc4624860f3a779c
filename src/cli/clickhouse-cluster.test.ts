// The command line on a config naming a ClickHouse cluster (store.clickhouse.cluster) of two shards:
// `auditwatch import` of eight tenants' records stores each once, each tenant on one shard and both
// shards used; importing again adds nothing; `auditwatch query` reads them all from the Distributed
// table; an unknown cluster name exits non-zero with one line naming the fix.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { clickhouseSkipReason } from '../store/clickhouse/server.testing.js';
import { clickhouseTarget, type ClickHouseConfig } from '../store/clickhouse/target.testing.js';

const skip = clickhouseSkipReason();
const BIN = fileURLToPath(new URL('../../bin/auditwatch.js', import.meta.url));
const target = clickhouseTarget(2);
let dir = '';

before(async () => {
  if (skip) return;
  await target.start();
  dir = await mkdtemp(join(tmpdir(), 'aw-cli-cluster-'));
  await writeFile(join(dir, 'ch.secret'), `${target.clickhouse.password}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'pg.secret'), `${target.postgres.password}\n`, { mode: 0o600 });
});
after(async () => {
  await target.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const yaml = (c: ClickHouseConfig, cluster: string) => `store:
  path: ./data/store.duckdb
  engine: clickhouse
  clickhouse:
    url: ${target.clickhouse.url}
    database: ${c.clickhouse.database}
    user: ${target.clickhouse.user}
    password: { file: ./ch.secret }
    cluster: ${cluster}
  state: postgres
  postgres:
    host: 127.0.0.1
    port: ${target.postgres.port}
    database: ${c.stateStore.connection.database}
    user: ${target.postgres.user}
    password: { file: ./pg.secret }
`;

function cli(config: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--config', join(dir, config)], (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

const tenant = (t: number) => `aaaaaaaa-0000-4000-8000-${String(t).padStart(12, '0')}`;
const record = (t: number, n: number) =>
  JSON.stringify({ Id: `10000000-0000-4000-8000-${String(t * 100 + n).padStart(12, '0')}`, CreationTime: `2026-01-05T12:00:${String(n).padStart(2, '0')}`, RecordType: 15, Operation: 'UserLoggedIn', OrganizationId: tenant(t), UserId: `u${n}@contoso.com`, UserKey: `k${n}`, UserType: 0, Workload: 'AzureActiveDirectory', ClientIP: '203.0.113.9' });

test('cluster: import spreads eight tenants over both shards, each record once; query reads them all', { skip }, async () => {
  const c = await target.config();
  await writeFile(join(dir, 'good.yaml'), yaml(c, 'aw_cluster'));
  const lines = Array.from({ length: 8 }, (_, t) => [1, 2, 3].map((n) => record(t + 1, n))).flat();
  await writeFile(join(dir, 'records.ndjson'), `${lines.join('\n')}\n`);
  for (const pass of ['first', 'again']) {
    const r = await cli('good.yaml', 'import', join(dir, 'records.ndjson'));
    assert.equal(r.code, 0, `${pass}: ${r.err}`);
  }
  const perShard = (await target.runOnEach('SELECT uniqExact(tenant_id), count() FROM events_rows_local FORMAT TSV', c.clickhouse.database)).map((a) => a.trim().split('\t').map(Number));
  assert.ok(perShard.every(([tenants]) => tenants! > 0), `both shards hold tenants: ${JSON.stringify(perShard)}`);
  assert.deepEqual(perShard.reduce((a, [t, n]) => [a[0]! + t!, a[1]! + n!], [0, 0]), [8, 24], 'eight tenants, each on one shard; each record stored once');
  const q = await cli('good.yaml', 'query', '--format', 'json', 'SELECT count() AS n, uniqExact(tenant_id, id) AS u, uniqExact(tenant_id) AS tenants FROM events');
  assert.equal(q.code, 0, q.err);
  assert.deepEqual(JSON.parse(q.out.trim()), { n: 24, u: 24, tenants: 8 });
});

test('cluster: an unknown cluster name exits non-zero with one line naming the fix', { skip }, async () => {
  const c = await target.config();
  await writeFile(join(dir, 'unknown.yaml'), yaml(c, 'elsewhere'));
  await writeFile(join(dir, 'one.ndjson'), `${record(1, 1)}\n`);
  const r = await cli('unknown.yaml', 'import', join(dir, 'one.ndjson'));
  assert.notEqual(r.code, 0);
  assert.match(r.err, /has no cluster "elsewhere" in its <remote_servers> \(it has .*aw_cluster.*\); fix store\.clickhouse\.cluster or the server's remote_servers\./);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.ok(!r.err.includes(target.clickhouse.password));
  assert.deepEqual(await target.runOnEach('SELECT count() FROM system.tables WHERE database = currentDatabase()', c.clickhouse.database), ['0\n', '0\n'], 'nothing written');
});
