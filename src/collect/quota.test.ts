// Collecting at the speed the quota allows, against the emulator over real HTTP on a simulated clock
// (minutes of quota pass in seconds): a 7-day backfill asks little more than one request per blob, is
// almost never throttled when the budget matches the quota, and takes about the time its requests need
// at the quota; a tenant whose quota is lowered mid-run
// slows down (its budget halves, status and /metrics say so) and still gets every record once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY, HOUR, ManualClock } from '../core/index.js';
import { createContentSource, startEmulator } from '../emulator/index.js';
import { openDuckDbStore } from '../store/index.js';
import { createCollector } from './index.js';
import { difference, emulatorTenants, expectedKeys, storedKeys } from './harness.testing.js';

const T0 = Date.UTC(2026, 2, 2, 9, 30, 0);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-quota-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const apiRequests = (byEndpoint: Record<string, number>) =>
  Object.entries(byEndpoint).filter(([k]) => !k.startsWith('Token') && !k.startsWith('_emulator')).reduce((s, [, n]) => s + n, 0);

test('a 7-day backfill at the quota: at most 1.1 requests per blob, under 2 % throttled, clock time within 1.25 x the requests needed at the quota, every record once', { timeout: 120_000 }, async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock(T0, { autoAdvance: true });
    // A 60-user tenant against a quota of 150 a minute: the same pressure as 1,000 users at 2,000.
    const source = createContentSource({ seed: 'quota', days: 7, users: 60, tenants: 1, scenarios: [], live: false, startTime: T0, latency: { kind: 'fixed', ms: 0 } });
    const quota = 150;
    const emu = await startEmulator({ source, clock, throttlePerMinute: quota });
    const store = await openDuckDbStore({ path: join(dir, 'q.duckdb'), clock });
    try {
      await store.migrate();
      const tenants = emulatorTenants(emu, clock);
      const collector = createCollector({ tenants, store, clock, options: { requestsPerMinute: quota } });
      const summary = await collector.runOnce({ since: T0 - 7 * DAY });
      const elapsed = clock.now() - T0;
      assert.ok(summary.ok, JSON.stringify(summary.errors.map((e) => e.error.message)));
      const stats = emu.control.stats();
      const requests = apiRequests(stats.byEndpoint);
      const blobs = stats.byEndpoint['GetBlob'] ?? 0;
      const throttled = stats.throttled[`tenant:${tenants[0]!.tenantId}`] ?? 0;
            assert.ok(blobs > 2 * quota, `a backfill that needs several minutes of quota (${blobs} blobs)`);
      assert.ok(requests / summary.blobs <= 1.1, `${requests} requests for ${summary.blobs} blobs`);
      assert.ok(throttled / requests < 0.02, `${throttled} of ${requests} requests throttled`);
      // Time on the injected clock, beside the ideal: the fewest requests the backfill needs (a subscriptions
      // list, the pages of 24-hour listings of the 167 h it lists, one request per blob), counted by an
      // independent lister with the quota lifted, at the quota.
      emu.control.setThrottle({ perTenantPerMinute: 0 });
      const lister = emulatorTenants(emu, clock)[0]!.api;
      let needed = 1;
      for (const ct of tenants[0]!.contentTypes) {
        for (let s = T0 - 167 * HOUR; s < T0; s += DAY) {
          for await (const page of lister.listContent(ct, s, Math.min(s + DAY, T0))) needed += 1 + page.blobs.length;
        }
      }
      assert.ok(requests >= needed, `the ideal (${needed}) is a floor of what was asked (${requests})`);
      const ideal = (needed / quota) * 60_000;
      assert.ok(elapsed <= 1.25 * ideal, `${elapsed / 1000} s on the clock for ${needed} requests needed at ${quota}/min (${ideal / 1000} s)`);
      // The next poll gets the blobs published at the very moment the backfill's listing ended.
      clock.set(T0 + 10 * 60_000);
      assert.ok((await collector.runOnce()).ok);
      const { keys, rows } = await storedKeys(store);
      assert.equal(rows, keys.size);
      // A backfill lists the last 167 h (the API's 7 days less an hour for clock skew): what the API
      // serves an hour after the start, when nothing new is published (a frozen tenant).
      assert.deepEqual(difference(expectedKeys(source.groundTruth(T0 + HOUR - 1000)), keys), { missing: [], extra: [] });
    } finally {
      await store.close();
      await emu.close();
    }
  });
});

test('a second tenant whose quota is lowered mid-run slows down, shows it in status and /metrics, and loses or repeats nothing', { timeout: 120_000 }, async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock(T0, { autoAdvance: true });
    const source = createContentSource({ seed: 'lowered', days: 3, users: 40, tenants: 2, scenarios: [], live: false, startTime: T0, latency: { kind: 'fixed', ms: 0 }, duplicateRate: 0.03 });
    const emu = await startEmulator({ source, clock, throttlePerMinute: 200 });
    const store = await openDuckDbStore({ path: join(dir, 'l.duckdb'), clock });
    try {
      await store.migrate();
      const tenants = emulatorTenants(emu, clock);
      const [steady, lowered] = [tenants[0]!, tenants[1]!];
      let commits = 0;
      let loweredAt: number | null = null;
      const collector = createCollector({
        tenants, store, clock,
        options: { requestsPerMinute: 200, backoff: { throttleMs: 5_000 } },
        hooks: {
          onCommitted: (c) => {
            if (c.tenantId !== lowered.tenantId || c.blobs === 0 || ++commits !== 3) return;
            loweredAt = clock.now();
            emu.control.setThrottle({ tenants: { [lowered.tenantId]: 40 } });
          },
        },
      });
      const summary = await collector.runOnce({ since: T0 - 3 * DAY });
      assert.ok(summary.ok, JSON.stringify(summary.errors.map((e) => e.error.message)));
      assert.ok(loweredAt !== null, 'the quota was lowered while the tenant was being collected');

      const stats = emu.control.stats();
      assert.ok((stats.throttled[`tenant:${lowered.tenantId}`] ?? 0) > 0, 'the lowered tenant met AF429');
      assert.equal(stats.throttled[`tenant:${steady.tenantId}`] ?? 0, 0, 'the other tenant was never throttled');
      // No AF429 storm: each halving episode costs about the requests in flight, not a minute's worth.
      const lowThrottled = stats.throttled[`tenant:${lowered.tenantId}`] ?? 0;
      const lowRequests = stats.byTenant[lowered.tenantId] ?? 0;
      assert.ok(lowThrottled < 0.1 * lowRequests, `${lowThrottled} of the lowered tenant's ${lowRequests} requests throttled`);
      const status = collector.status();
      const low = status.find((s) => s.tenantId === lowered.tenantId)!;
      const high = status.find((s) => s.tenantId === steady.tenantId)!;
      assert.ok(low.requestsPerMinute < 200 && low.throttled > 0, `the lowered tenant's budget came down: ${low.requestsPerMinute}/min, ${low.throttled} throttled`);
      assert.equal(high.requestsPerMinute, 200);
      assert.equal(high.throttled, 0);
      const metrics = await collector.metrics.registry.metrics();
      assert.match(metrics, new RegExp(`auditwatch_api_throttled_total\\{tenant="${lowered.tenantId}"\\} [1-9]`));
      assert.match(metrics, new RegExp(`auditwatch_request_budget_per_minute\\{tenant="${steady.tenantId}"\\} 200`));
      // Slower: after the change the lowered tenant took more simulated time than its request count needs at 200/min.
      assert.ok(clock.now() - loweredAt! > 60_000, 'the rest of its backfill took minutes, not seconds');
      // The next poll gets the blobs published at the very moment the backfill's listing ended.
      clock.set(clock.now() + 10 * 60_000);
      assert.ok((await collector.runOnce()).ok);

      const { keys, rows } = await storedKeys(store);
      assert.equal(rows, keys.size, 'no record stored twice');
      assert.deepEqual(difference(expectedKeys(emu.control.groundTruth()), keys), { missing: [], extra: [] });
    } finally {
      await store.close();
      await emu.close();
    }
  });
});
