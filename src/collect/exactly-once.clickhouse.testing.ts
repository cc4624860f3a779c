// The exactly-once collection test on ClickHouse + PostgreSQL, for one node (collector.clickhouse.test.ts)
// and for a cluster of two shards (collector.clickhouse-cluster.test.ts): the collector against the
// emulator over real HTTP (a week of three tenants with duplicates, blobs up to 12 hours late,
// throttling past the quota and server faults) into real clickhouse-servers with the ledger and cursors
// in a real PostgreSQL, restarted between the backfill and the late pass. Every ground-truth Id is
// visible exactly once in `events`, as the rules and `auditwatch query` read it, and stored once in
// events_rows too; on a cluster each tenant's records sit on one shard and both shards hold some.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR, ManualClock, DAY } from '../core/index.js';
import { startEmulator } from '../emulator/index.js';
import { clickhouseDetect, openStore, sql } from '../store/index.js';
import { clickhouseSkipReason } from '../store/clickhouse/server.testing.js';
import type { ClickHouseTarget } from '../store/clickhouse/target.testing.js';
import { createCollector } from './index.js';
import { difference, emulatorTenants, expectedKeys, storedKeys, weekSource } from './harness.testing.js';

const T0 = Date.UTC(2026, 2, 2, 9, 30, 0);

export function exactlyOnceOnClickHouse(target: ClickHouseTarget): void {
  const skip = clickhouseSkipReason();
  before(async () => {
    if (!skip) await target.start();
  });
  after(() => target.stop());

  test(`exactly once on ${target.label}: duplicates, 12-hour-late blobs, AF429 throttling and 5xx over a restart`, { skip, timeout: 240_000 }, async () => {
    const clock = new ManualClock(T0, { autoAdvance: true });
    const source = weekSource(T0);
    // A budget above the quota, so the emulator throttles (AF429) and the collector backs off.
    const emu = await startEmulator({
      source, clock, pageSize: 7, throttlePerMinute: 300, seed: 5,
      faults: { rate500: 0.03, rate503: 0.02, rateAf50000: 0.02, resetRate: 0.01, truncateRate: 0.01 },
    });
    const config = await target.config();
    const options = { requestsPerMinute: 450, maxConcurrency: 3, batchRecords: 500, backoff: { baseMs: 200, maxMs: 20_000, maxAttempts: 12, throttleMs: 5_000 } };
    try {
      let store = await openStore(config, { clock });
      const tenants = emulatorTenants(emu, clock);
      let first;
      try {
        first = await createCollector({ tenants, store, clock, options }).runOnce({ since: T0 - 7 * DAY });
        assert.deepEqual(first.errors.map((e) => e.error.message), []);
      } finally {
        await store.close();
      }
      // A new process: the late blobs (up to 12 h, duplicates up to 6 h after) are found by the overlap re-list.
      clock.set(T0 + 30 * HOUR);
      store = await openStore(config, { clock });
      try {
        const second = await createCollector({ tenants, store, clock, options }).runOnce();
        assert.ok(second.ok, JSON.stringify(second.errors.map((e) => e.error.message)));
        assert.ok(second.records > 0, 'the second pass found late records');

        const expected = new Set([...expectedKeys(source.groundTruth(T0 + HOUR - 1000)), ...expectedKeys(emu.control.groundTruth())]);
        const { keys, rows } = await storedKeys(store);
        assert.ok(expected.size > 3000, `a meaningful tenant (${expected.size} records)`);
        assert.equal(rows, keys.size, 'no record visible twice in events');
        assert.deepEqual(difference(expected, keys), { missing: [], extra: [] });
        // As `auditwatch query` and the rules see it, and physically: each once.
        assert.deepEqual(await store.queryReadOnly('SELECT count() AS n, uniqExact(tenant_id, id) AS u FROM events'), [{ n: expected.size, u: expected.size }]);
        assert.deepEqual(await store.query(sql`SELECT count() AS n, uniqExact(tenant_id, id) AS u ${clickhouseDetect.fromEvents(sql`tenant_id != ''`)}`), [{ n: expected.size, u: expected.size }], 'as the rules and reports read it');
        assert.deepEqual(await store.query(sql`SELECT count() AS n FROM events_rows`), [{ n: expected.size }], 'no record stored twice in events_rows');
        assert.ok(first.duplicates + second.duplicates > 0, 'the emulator sent duplicates and they were dropped');
        if (target.shards > 1) await assertShardedByTenant(target, config.clickhouse.database!, expected.size);

        const stats = emu.control.stats();
        assert.ok((stats.faults['500'] ?? 0) + (stats.faults['503'] ?? 0) + (stats.faults['AF50000'] ?? 0) > 0, 'faults were injected');
        assert.ok(tenants.some((t) => (stats.throttled[`tenant:${t.tenantId}`] ?? 0) > 0), 'the emulator throttled (AF429)');
        // The cursors moved in PostgreSQL with the commits.
        for (const t of tenants) {
          const c = await store.getCursor(t.tenantId, 'Audit.Exchange');
          assert.ok(c !== null && c.position >= T0 + 29 * HOUR, `cursor of ${t.tenantId}: ${c === null ? null : (c.position - T0) / HOUR} h`);
        }
      } finally {
        await store.close();
      }
    } finally {
      await emu.close();
    }
  });
}

/** Each shard's local rows: every tenant on one shard only, both shards used, the rows adding up. */
async function assertShardedByTenant(target: ClickHouseTarget, database: string, total: number): Promise<void> {
  const answers = await target.runOnEach('SELECT tenant_id, count() AS n FROM events_rows_local GROUP BY tenant_id FORMAT JSONEachRow', database);
  const perShard = answers.map((body) => body.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tenant_id: string; n: number | string }));
  const owner = new Map<string, number>();
  perShard.forEach((rows, shard) => {
    for (const r of rows) {
      assert.equal(owner.get(r.tenant_id), undefined, `tenant ${r.tenant_id} has rows on shard ${owner.get(r.tenant_id)} and shard ${shard + 1}`);
      owner.set(r.tenant_id, shard + 1);
    }
  });
  assert.ok(perShard.every((rows) => rows.length > 0), `every shard holds tenants: ${JSON.stringify([...owner])}`);
  assert.equal(perShard.flat().reduce((a, r) => a + Number(r.n), 0), total, 'the shards\' rows add up to the records, each stored once');
}
