// The ClickHouse schema per server version, pinned as text (no newer server runs here): 18.16 gets
// DateTime and no codec or TTL; 20.1 and later DateTime64(3), ZSTD on raw and a retention TTL; older
// than 18.16 is refused in one line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/index.js';
import { eventsRowsTable, retentionTtl, serverFeatures } from './schema.js';

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
