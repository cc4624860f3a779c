// The ClickHouse store on a cluster of two shards (store.clickhouse.cluster) beyond the shared suites:
// the tables on each node (local ReplacingMergeTree, Distributed sharded by tenant, the FINAL view) and
// each node's own schema_migrations; each tenant's records on one shard and the records readable from
// either node, also with the login in store.clickhouse.url; de-duplication across the shards by
// FINAL; a failure between the (synchronous) Distributed insert and the PostgreSQL commit; retention
// and the enrichment mutation on both shards; the refusals: an unknown cluster, a database of the
// other layout, a node without the database; and a shard killed under ingest.
// Real servers (two clickhouse-server processes and PostgreSQL as nobody in temp folders); skipped only
// when clickhouse-server is not installed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { AppError, Secret } from '../../core/index.js';
import { clickhouseDetect, openStore, sql, type Store } from '../index.js';
import { raw } from '../sql/index.js';
import { makeBlob, makeEventRow } from '../conformance/rows.js';
import { clickhouseSkipReason } from './server.testing.js';
import { clickhouseTarget, type ClickHouseConfig } from './target.testing.js';

const skip = clickhouseSkipReason();
const target = clickhouseTarget(2);

before(async () => {
  if (!skip) await target.start();
});
after(() => target.stop());

const TENANTS = Array.from({ length: 8 }, (_, i) => `tenant-${i}`);

/** Two records of every tenant, in one blob per tenant. */
const tenantBlobs = (prefix = 'blob') => TENANTS.map((t, i) => makeBlob(`${prefix}-${t}`, [makeEventRow(2 * i + 1, { tenantId: t }), makeEventRow(2 * i + 2, { tenantId: t })]));

/** One statement on each node's own tables, the answers' TSV lines, shard 1 first. */
const onEach = async (c: ClickHouseConfig, q: string): Promise<string[]> => (await target.runOnEach(q, c.clickhouse.database)).map((a) => a.trim());

/** tenant → the shard (1, 2) holding its rows; fails when a tenant is on both. */
async function owners(c: ClickHouseConfig): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  (await onEach(c, 'SELECT DISTINCT tenant_id FROM events_rows_local')).forEach((body, i) => {
    for (const t of body.split('\n').filter(Boolean)) {
      assert.equal(out.get(t), undefined, `${t} is on shard ${out.get(t)} and shard ${i + 1}`);
      out.set(t, i + 1);
    }
  });
  return out;
}

const count = async (store: Store, from = 'events') => Number((await store.query(sql`SELECT count() AS n FROM ${raw(from)}`))[0]?.['n']);

async function withPg<T>(c: ClickHouseConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const conn = c.stateStore.connection;
  const client = new pg.Client({ host: conn.host, port: conn.port, user: conn.user, password: target.postgres.password, database: conn.database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

test('schema on each node: events_rows_local (ReplacingMergeTree), events_rows Distributed by sipHash64(tenant_id), the FINAL view, migrations 100 and 101 in each node\'s schema_migrations', { skip }, async () => {
  const c = await target.config();
  const store = await openStore(c);
  try {
    for (const body of await onEach(c, "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name LIKE 'events%' ORDER BY name")) {
      assert.equal(body, 'events\tView\nevents_rows\tDistributed\nevents_rows_local\tReplacingMergeTree');
    }
    for (const body of await onEach(c, 'SHOW CREATE TABLE events_rows')) {
      assert.match(body, new RegExp(`ENGINE = Distributed\\(aw_cluster, ${c.clickhouse.database}, events_rows_local, sipHash64\\(tenant_id\\)\\)`));
    }
    for (const body of await onEach(c, 'SHOW CREATE TABLE events_rows_local')) assert.match(body, /ORDER BY \(tenant_id, creation_time, id\)/);
    assert.deepEqual(await onEach(c, 'SELECT arraySort(groupArray(version)) FROM schema_migrations FINAL'), ['[100,101]', '[100,101]'], 'the events (100) and the identities copy (101) on each node');
    assert.deepEqual(await store.migrate(), [], 'nothing left to apply');
  } finally {
    await store.close();
  }
});

test('each tenant\'s records sit on one shard, both shards hold some, and every node reads them all once', { skip }, async () => {
  const c = await target.config();
  const store = await openStore(c);
  try {
    const results = await Promise.all(tenantBlobs().map((b) => store.commitBlobs([b])));
    assert.ok(results.every((r) => r.inserted === 2 && r.duplicates === 0));
    const byShard = await owners(c);
    assert.equal(byShard.size, TENANTS.length);
    assert.deepEqual(new Set(byShard.values()), new Set([1, 2]), `both shards used: ${JSON.stringify([...byShard])}`);
    assert.equal(await count(store), 16);
    // The same records again in other blobs (re-delivered): the probe over all shards finds every one.
    const again = await store.commitBlobs(tenantBlobs('again'));
    assert.deepEqual(again, { inserted: 0, duplicates: 16, deadLetters: 0 });
    assert.equal(await count(store, 'events_rows'), 16, 'nothing stored twice');
  } finally {
    await store.close();
  }
  // A process connected to the second node sees the same.
  const other = await openStore({ ...c, clickhouse: { ...c.clickhouse, url: target.clickhouse.url.replace('127.0.0.1', '127.0.0.2') } });
  try {
    assert.equal(await count(other), 16);
    assert.deepEqual(await other.queryReadOnly('SELECT count() AS n, uniqExact(tenant_id, id) AS u FROM events'), [{ n: 16, u: 16 }]);
  } finally {
    await other.close();
  }
});

test('a store.clickhouse.url carrying the login (a Secret) reaches every node with it', { skip }, async () => {
  const c = await target.config();
  const { user: _u, password: _p, ...rest } = c.clickhouse;
  const u = new URL(target.clickhouse.url);
  u.username = target.clickhouse.user;
  u.password = target.clickhouse.password;
  const store = await openStore({ ...c, clickhouse: { ...rest, url: new Secret(u.toString()) } });
  try {
    await store.commitBlobs(tenantBlobs());
    assert.deepEqual((await onEach(c, 'SELECT count() > 0 FROM events_rows_local')), ['1', '1'], 'both shards written');
    assert.equal(await count(store), 16);
  } finally {
    await store.close();
  }
});

test('the FINAL view and the rules\' and reports\' reads show each (tenant, Id) once when a racing writer stored it again on its shard, before any merge', { skip }, async () => {
  const c = await target.config();
  const store = await openStore(c);
  try {
    await store.commitBlobs(tenantBlobs());
    // Another writer without the probe: every row once more, as a new part on each shard.
    await onEach(c, 'INSERT INTO events_rows_local SELECT * FROM events_rows_local');
    assert.equal(await count(store, 'events_rows'), 32, 'two physical rows of every record');
    assert.equal(await count(store), 16);
    assert.equal((await store.eventKeys()).length, 16);
    assert.deepEqual(await store.queryReadOnly("SELECT tenant_id, count() AS n FROM events WHERE tenant_id IN ('tenant-0', 'tenant-7') GROUP BY tenant_id ORDER BY tenant_id"), [{ tenant_id: 'tenant-0', n: 2 }, { tenant_id: 'tenant-7', n: 2 }]);
    // What the rules and reports read (fromEvents over the Distributed table: LIMIT 1 BY on each shard, then on the initiator).
    const perTenant = sql`SELECT tenant_id, count() AS n, uniqExact(id) AS u ${clickhouseDetect.fromEvents(sql`tenant_id != ''`)} GROUP BY tenant_id ORDER BY tenant_id`;
    const rows = await store.query(perTenant);
    assert.equal(rows.length, 8);
    assert.ok(rows.every((r) => r['n'] === 2 && r['u'] === 2), JSON.stringify(rows));
    const ids = await store.query(sql`SELECT tenant_id, id ${clickhouseDetect.fromEvents(sql`operation != ''`)} ORDER BY tenant_id, id`);
    assert.equal(new Set(ids.map((r) => `${r['tenant_id']}/${r['id']}`)).size, 16);
    assert.equal(ids.length, 16);
  } finally {
    await store.close();
  }
});

test('a failure between the Distributed insert and the PostgreSQL commit: the rows are on their shards already, the retry stores nothing twice', { skip }, async () => {
  const c = await target.config();
  const rows = TENANTS.map((t, i) => makeEventRow(100 + i, { tenantId: t }));
  let store = await openStore(c);
  try {
    await withPg(c, (client) => client.query("ALTER TABLE blob_ledger ADD CONSTRAINT fail_here CHECK (content_id <> 'crash')"));
    await assert.rejects(store.commitBlobs([makeBlob('crash', rows, { tenantId: 'tenant-0' })]), (err) => err instanceof AppError);
    // insert_distributed_sync: the INSERT returned only once each shard had its rows, before the commit.
    const local = (await onEach(c, 'SELECT count() FROM events_rows_local')).map(Number);
    assert.equal(local[0]! + local[1]!, 8);
    assert.ok(local.every((n) => n > 0), `on both shards: ${local.join(', ')}`);
    assert.equal((await store.knownBlobs('tenant-0', 'Audit.AzureActiveDirectory', 0)).has('crash'), false, 'the blob is fetched again');
  } finally {
    await store.close();
  }
  await withPg(c, (client) => client.query('ALTER TABLE blob_ledger DROP CONSTRAINT fail_here'));
  store = await openStore(c);
  try {
    assert.deepEqual(await store.commitBlobs([makeBlob('crash', rows, { tenantId: 'tenant-0' })]), { inserted: 8, duplicates: 0, deadLetters: 0 }, 'its own rows count as inserted');
    assert.equal(await count(store, 'events_rows'), 8, 'nothing sent twice');
  } finally {
    await store.close();
  }
});

test('retention drops old month partitions and the enrichment updates records on both shards', { skip }, async () => {
  const c = await target.config();
  const store = await openStore(c);
  try {
    const jan = Date.UTC(2025, 0, 10, 12);
    const mar = Date.UTC(2025, 2, 10, 12);
    await store.commitBlobs(TENANTS.map((t, i) => makeBlob(`b-${t}`, [
      makeEventRow(2 * i + 1, { tenantId: t, creationTime: jan, clientIp: '198.51.100.9' }),
      makeEventRow(2 * i + 2, { tenantId: t, creationTime: mar, clientIp: '198.51.100.9' }),
    ])));
    assert.deepEqual(await store.unenrichedClientIps(), ['198.51.100.9']);
    assert.equal(await store.enrichClientIp('198.51.100.9', { country: 'NL', city: null, latitude: null, longitude: null, asn: 64500, asOrg: 'Example' }), 16);
    assert.deepEqual(await onEach(c, "SELECT countIf(country = 'NL') = count() AND count() > 0 FROM events_rows_local"), ['1', '1'], 'updated on each shard');
    assert.deepEqual(await store.unenrichedClientIps(), []);
    assert.equal(await store.applyRetention(Date.UTC(2025, 1, 1)), 8, 'January went, from both shards');
    assert.deepEqual(await onEach(c, "SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = 'events_rows_local' AND active AND partition = '202501'"), ['0', '0']);
    assert.equal(await count(store), 8);
    assert.equal(await store.applyRetention(Date.UTC(2025, 1, 1)), 0);
  } finally {
    await store.close();
  }
});

/** Opening must fail with `code` in one line, and leave both databases untouched. */
async function refused(c: ClickHouseConfig, code: string, message: RegExp): Promise<void> {
  const err = await openStore(c).then(async (s) => {
    await s.close();
    return null;
  }, (e: unknown) => e);
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  assert.ok(!err.message.includes('\n'), 'one line');
  assert.ok(!err.display().includes(target.clickhouse.password), 'no password shown');
  assert.equal(await withPg(c, async (client) => (await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0].n), 0, 'nothing written to PostgreSQL');
}

test('refused in one line: an unknown cluster and a node missing the database (nothing written), a one-node database opened as a cluster and back', { skip }, async () => {
  const c = await target.config();
  await refused({ ...c, clickhouse: { ...c.clickhouse, cluster: 'no_such_cluster' } }, 'clickhouse_cluster', /has no cluster "no_such_cluster" in its <remote_servers> \(it has .*aw_cluster.*\); fix store\.clickhouse\.cluster/);
  assert.deepEqual(await onEach(c, 'SELECT count() FROM system.tables WHERE database = currentDatabase()'), ['0', '0'], 'nothing written to ClickHouse');

  // A database migrated for one node, then opened as a cluster (and the other way round).
  const one = await target.config();
  const { cluster: _cluster, ...single } = one.clickhouse;
  const s = await openStore({ ...one, clickhouse: single });
  await s.close();
  const err = await openStore(one).then(async (x) => {
    await x.close();
    return null;
  }, (e: unknown) => e);
  assert.ok(err instanceof AppError && err.code === 'clickhouse_layout', String(err));
  assert.match(err.message, /holds the tables of one node \(events_rows is ReplacingMergeTree\), not of cluster aw_cluster; give the cluster another database \(on every node\)/);
  const clustered = await target.config();
  await (await openStore(clustered)).close();
  const { cluster: _c2, ...plain } = clustered.clickhouse;
  const back = await openStore({ ...clustered, clickhouse: plain }).then(async (x) => {
    await x.close();
    return null;
  }, (e: unknown) => e);
  assert.ok(back instanceof AppError && back.code === 'clickhouse_layout', String(back));
  assert.match(back.message, /holds the tables of a cluster \(events_rows is Distributed\); set store\.clickhouse\.cluster/);

  // The second node's database missing: the open names that node.
  const missing = await target.config();
  await target.runOnEach(`DROP DATABASE ${missing.clickhouse.database}`);
  await first(`CREATE DATABASE ${missing.clickhouse.database}`);
  await refused(missing, 'clickhouse_database', /^Node 127\.0\.0\.2:\d+ of cluster aw_cluster \(from system\.clusters, at the scheme and port of store\.clickhouse\.url\): ClickHouse at .* the database does not exist/);
});

/** One statement on the first node. */
async function first(statement: string): Promise<void> {
  const res = await fetch(target.clickhouse.url, { method: 'POST', body: statement, headers: { 'X-ClickHouse-User': target.clickhouse.user, 'X-ClickHouse-Key': target.clickhouse.password } });
  assert.ok(res.ok, await res.text());
}

// Last in the file: it kills shard 2.
test('a shard down: ingest fails in one line (clickhouse_unreachable, retryable) and neither the ledger nor the cursor moves', { skip }, async () => {
  const c = await target.config();
  const store = await openStore(c);
  try {
    await store.commitBlobs(tenantBlobs());
    target.killShard(2);
    const cursor = { tenantId: 'tenant-0', contentType: 'Audit.AzureActiveDirectory', position: Date.UTC(2026, 5, 1) };
    const err = await store.commitBlobs(tenantBlobs('late'), cursor).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof AppError, String(err));
    assert.ok(!err.message.includes('\n') && !err.display().includes(target.clickhouse.password), err.message);
    assert.equal(err.code, 'clickhouse_unreachable', err.message);
    assert.match(err.message, /cannot reach another node of its cluster .*; start that server or fix the cluster's <remote_servers>\./);
    assert.equal(err.retryable, true);
    assert.equal(await store.getCursor('tenant-0', 'Audit.AzureActiveDirectory'), null, 'the cursor did not move');
    assert.equal((await store.knownBlobs('tenant-0', 'Audit.AzureActiveDirectory', 0)).has('late-tenant-0'), false, 'the blob is fetched again');
  } finally {
    await store.close();
  }
});
