// The ClickHouse schema per server version, pinned as text (no newer server runs here): 18.16 gets
// DateTime and no codec or TTL; 20.1 and later DateTime64(3), ZSTD on raw and a retention TTL; older
// than 18.16 is refused in one line; a cluster gets the local table, the Distributed table by tenant
// and the same view, and the oldest node's version decides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/index.js';
import { oldestVersion, type Layout } from './cluster.js';
import { CLICKHOUSE_MIGRATIONS, eventsRowsTable, retentionTtl, serverFeatures } from './schema.js';

test('18.16: whole-second DateTime, no codec, no TTL; ingested_ms on every version', () => {
  const f = serverFeatures('18.16.1');
  assert.deepEqual(f, { version: '18.16.1', dateTime64: false, codecs: false, ttl: false });
  const ddl = eventsRowsTable(f);
  assert.match(ddl, /^  creation_time DateTime\('UTC'\),$/m);
  assert.match(ddl, /^  ingested_at DateTime\('UTC'\),$/m);
  assert.match(ddl, /^  raw String,$/m);
  assert.match(ddl, /^  ingested_ms Int64$/m);
  assert.match(ddl, /^  client_ip Nullable\(String\),$/m);
  assert.match(ddl, /ENGINE = ReplacingMergeTree\nPARTITION BY toYYYYMM\(creation_time\)\nORDER BY \(tenant_id, creation_time, id\)$/);
  assert.ok(!ddl.includes('CODEC'));
});

test('23.8: DateTime64(3), ZSTD on raw, TTL by days; older than 18.16 refused', () => {
  const f = serverFeatures('23.8.2.7');
  assert.deepEqual(f, { version: '23.8.2.7', dateTime64: true, codecs: true, ttl: true });
  const ddl = eventsRowsTable(f);
  assert.match(ddl, /^  creation_time DateTime64\(3, 'UTC'\),$/m);
  assert.match(ddl, /^  raw String CODEC\(ZSTD\(3\)\),$/m);
  assert.equal(retentionTtl(364.2), 'ALTER TABLE events_rows MODIFY TTL creation_time + toIntervalDay(365)');
  assert.throws(() => serverFeatures('1.1.54394'), (err) => err instanceof AppError && err.code === 'clickhouse_version' && /older than 18\.16/.test(err.message));
});

test('a cluster: events_rows_local on each node, events_rows Distributed by sipHash64(tenant_id), the same FINAL view; the oldest node decides', () => {
  const f = serverFeatures('18.16.1');
  const [m] = CLICKHOUSE_MIGRATIONS;
  assert.deepEqual(m!.statements(f, { cluster: null, database: 'aw' }).map((s) => s.split('\n')[0]), ['CREATE TABLE IF NOT EXISTS events_rows (', 'CREATE VIEW IF NOT EXISTS events AS SELECT * FROM events_rows FINAL']);
  const [local, distributed, view] = m!.statements(f, { cluster: 'audit', database: 'aw' });
  assert.match(local!, /^CREATE TABLE IF NOT EXISTS events_rows_local \(\n[\s\S]*ENGINE = ReplacingMergeTree\nPARTITION BY toYYYYMM\(creation_time\)\nORDER BY \(tenant_id, creation_time, id\)$/);
  assert.equal(distributed, 'CREATE TABLE IF NOT EXISTS events_rows AS events_rows_local ENGINE = Distributed(audit, aw, events_rows_local, sipHash64(tenant_id))');
  assert.equal(view, 'CREATE VIEW IF NOT EXISTS events AS SELECT * FROM events_rows FINAL');
  assert.equal(retentionTtl(30, 'events_rows_local'), 'ALTER TABLE events_rows_local MODIFY TTL creation_time + toIntervalDay(30)');
  const layout = (versions: string[]) => ({ cluster: 'audit', local: 'events_rows_local', nodes: versions.map((version) => ({ version })) }) as unknown as Layout;
  assert.equal(oldestVersion(layout(['23.8.2.7', '18.16.1', '20.3.1'])), '18.16.1');
  assert.equal(oldestVersion(layout(['20.10.1', '20.9.3'])), '20.9.3');
});
