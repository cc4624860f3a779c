// The collector against the emulator over real HTTP into a real DuckDB file: exactly once through
// duplicates, 12-hour-late blobs, throttling and server faults, within each tenant's request budget;
// expired content and never-listed windows become gaps that status shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, HOUR, ManualClock, DAY, type LogRecord } from '../core/index.js';
import { startEmulator } from '../emulator/index.js';
import { openDuckDbStore, sql } from '../store/index.js';
import { createCollector } from './index.js';
import { crashSource, difference, emulatorTenants, expectedKeys, failingCommits, storedKeys, weekSource } from './harness.testing.js';

const T0 = Date.UTC(2026, 2, 2, 9, 30, 0);

test('exactly once: duplicates, 12-hour-late blobs, throttling and 5xx, within each tenant\'s budget', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-exact-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  // As in production (1,500 of 2,000), the budget stays under the quota, so a request granted at the end
  // of one minute and answered in the next never tips the server's count over.
  const budget = 240;
  const quota = 300;
  const source = weekSource(T0);
  const emu = await startEmulator({
    source, clock, pageSize: 7, throttlePerMinute: quota, seed: 5,
    faults: { rate500: 0.03, rate503: 0.02, rateAf50000: 0.02, resetRate: 0.01, truncateRate: 0.01 },
  });
  const store = await openDuckDbStore({ path: join(dir, 'exact.duckdb'), clock });
  try {
    await store.migrate();
    const tenants = emulatorTenants(emu, clock);
    const collector = createCollector({
      tenants, store, clock,
      options: { requestsPerMinute: budget, maxConcurrency: 3, batchRecords: 500, backoff: { baseMs: 200, maxMs: 20_000, maxAttempts: 12, throttleMs: 5_000 } },
    });
    const first = await collector.runOnce({ since: T0 - 7 * DAY });
    assert.deepEqual(first.errors.map((e) => e.error.message), []);
    // Late blobs (up to 12 h, duplicates up to 6 h after) appear later; the overlap re-list finds them.
    clock.set(T0 + 30 * HOUR);
    const second = await collector.runOnce();
    assert.ok(second.ok, JSON.stringify(second.errors.map((e) => e.error.message)));
    assert.ok(second.records > 0, 'the second pass found late records');

    // Ground truth is what the API serves at a moment: the backfill listed the last 167 h (what it served
    // an hour after T0), the second pass everything since; by now the oldest of those has expired.
    const expected = new Set([...expectedKeys(source.groundTruth(T0 + HOUR - 1000)), ...expectedKeys(emu.control.groundTruth())]);
    const { keys, rows } = await storedKeys(store);
    assert.ok(expected.size > 3000, `a meaningful tenant (${expected.size} records)`);
    assert.equal(rows, keys.size, 'no record stored twice');
    assert.deepEqual(difference(expected, keys), { missing: [], extra: [] });
    assert.ok(first.duplicates + second.duplicates > 0, 'the emulator sent duplicates and they were dropped');

    const stats = emu.control.stats();
    assert.ok((stats.faults['500'] ?? 0) + (stats.faults['503'] ?? 0) + (stats.faults['AF50000'] ?? 0) > 0, 'faults were injected');
    // Tenants within their budget were never throttled: the server never counted more than its quota in a minute.
    for (const t of tenants) {
      assert.ok((stats.byTenant[t.tenantId] ?? 0) > budget, 'the tenant needed more than a minute of budget');
      assert.equal(stats.throttled[`tenant:${t.tenantId}`] ?? 0, 0, `tenant ${t.tenantId} went over its budget`);
    }
    assert.equal(stats.throttled.common ?? 0, 0, 'every request carried PublisherIdentifier');

    const status = collector.status();
    assert.equal(status.length, 15);
    for (const s of status) {
      assert.equal(s.subscription, 'enabled');
      assert.equal(s.lastError, null);
      assert.ok(s.cursor !== null && s.cursor >= T0 + 29 * HOUR, `the cursor reached the second pass: ${s.contentType} ${s.cursor === null ? null : (s.cursor - T0) / HOUR} h, state ${s.state}`);
    }
    const text = await collector.metrics.registry.metrics();
    assert.match(text, /auditwatch_records_total\{tenant="[^"]+",content_type="Audit\.Exchange"\} \d+/);
    assert.match(text, /auditwatch_api_requests_total\{tenant="[^"]+",op="fetch blob",status="200"\}/);
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a budget above the quota meets AF429 (HTTP 403), backs off, and still gets every record once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-throttle-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  const emu = await startEmulator({ source: crashSource(T0), clock, throttlePerMinute: 40 });
  const store = await openDuckDbStore({ path: join(dir, 'throttle.duckdb'), clock });
  try {
    await store.migrate();
    const tenants = emulatorTenants(emu, clock, ['Audit.SharePoint', 'Audit.Exchange']).slice(0, 1);
    const collector = createCollector({ tenants, store, clock, options: { requestsPerMinute: 10_000, backoff: { baseMs: 500, maxMs: 30_000, maxAttempts: 10, throttleMs: 10_000 } } });
    const summary = await collector.runOnce({ since: T0 - 2 * DAY - HOUR });
    assert.ok(summary.ok, JSON.stringify(summary.errors.map((e) => e.error.message)));
    const stats = emu.control.stats();
    assert.ok((stats.throttled[`tenant:${tenants[0]!.tenantId}`] ?? 0) > 0, 'the emulator answered AF429');
    const retries = await collector.metrics.registry.getSingleMetricAsString('auditwatch_api_retries_total');
    assert.match(retries, /code="AF429"\} [1-9]/);
    const expected = expectedKeys(emu.control.groundTruth(), ['Audit.SharePoint', 'Audit.Exchange']);
    const mine = new Set([...expected].filter((k) => k.startsWith(tenants[0]!.tenantId)));
    const { keys, rows } = await storedKeys(store);
    assert.equal(rows, keys.size);
    assert.deepEqual(difference(mine, keys), { missing: [], extra: [] });
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('expired content and a window never listed become gaps, with a warning and in status', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-gap-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  const emu = await startEmulator({ source: crashSource(T0 - 5 * DAY), clock, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'gap.duckdb'), clock });
  const logs: LogRecord[] = [];
  try {
    await store.migrate();
    const tenants = emulatorTenants(emu, clock, ['Audit.Exchange']).slice(0, 1);
    // The collector falls behind: between listing and fetching, a day passes; the oldest blobs expire.
    let slowed = false;
    const api = tenants[0]!.api;
    tenants[0]!.api = {
      ...api,
      withHooks: (hooks) => {
        const inner = api.withHooks(hooks);
        return {
          ...inner,
          fetchBlob: async (uri, signal) => {
            if (!slowed) {
              slowed = true;
              clock.advance(DAY);
            }
            return inner.fetchBlob(uri, signal);
          },
        };
      },
    };
    // A cursor from a collector that stopped 9 days ago: 2 days were never listed and are gone.
    await store.setCursor({ tenantId: tenants[0]!.tenantId, contentType: 'Audit.Exchange', position: T0 - 9 * DAY });
    const collector = createCollector({ tenants, store, clock, logger: createLogger({ level: 'warn', sink: (r) => logs.push(r) }), options: { maxConcurrency: 1 } });
    const summary = await collector.runOnce();
    assert.deepEqual(summary.errors.map((e) => e.error.message), []);
    assert.ok(summary.gaps >= 2, `gaps: ${summary.gaps}`);
    const gaps = await store.query<{ code: string; content_id: string | null }>(sql`SELECT code, content_id FROM gaps`);
    assert.ok(gaps.some((g) => g.code === 'expired-before-listed' && g.content_id === null), JSON.stringify(gaps));
    assert.ok(gaps.some((g) => g.code === 'AF20051' && g.content_id), JSON.stringify(gaps));
    assert.ok(logs.some((l) => l.level === 'warn' && /gap/.test(l.msg)), 'a warning was logged');
    const st = collector.status()[0]!;
    assert.equal(st.gaps, summary.gaps);
    // The cursor moved past the expired blobs (they are recorded) and the rest was collected.
    assert.ok(st.cursor !== null && st.cursor >= T0);
    assert.ok(summary.records > 0);
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('run() polls every interval on the injected clock until its signal fires', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-run-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  const emu = await startEmulator({ source: crashSource(T0), clock, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'run.duckdb'), clock });
  try {
    await store.migrate();
    const stop = new AbortController();
    const passes: number[] = [];
    const logger = createLogger({
      level: 'info',
      sink: (r) => {
        if (r.msg === 'Collection pass finished.') {
          passes.push(clock.now());
          if (passes.length === 3) stop.abort();
        }
      },
    });
    const collector = createCollector({ tenants: emulatorTenants(emu, clock, ['Audit.General']), store, clock, logger });
    await collector.run(stop.signal, 5 * 60_000);
    assert.equal(passes.length, 3);
    assert.ok(passes[1]! - passes[0]! >= 5 * 60_000 && passes[2]! - passes[1]! >= 5 * 60_000, 'one pass per interval');
    const cursors = await store.query<{ n: number }>(sql`SELECT count(*) AS n FROM cursors`);
    assert.equal(Number(cursors[0]!.n), 2, 'a cursor per tenant × content type');
    for (const s of collector.status()) assert.ok(s.lastSuccess !== null && s.recordsToday >= 0);
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a wrong secret or an unreachable host fails the tenant at once with one line; no secret in errors or logs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-auth-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  const emu = await startEmulator({ source: crashSource(T0), clock, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'auth.duckdb'), clock });
  const logs: LogRecord[] = [];
  try {
    await store.migrate();
    const { createApiClient } = await import('../api/index.js');
    const { Secret } = await import('../core/index.js');
    const [good, other] = emu.tenants;
    const wrong = 'N0t~the~right~secret~9876';
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const tenants = [
      { tenantId: good!.tenantId, contentTypes: ['Audit.Exchange', 'Audit.General'], api: createApiClient({ tenantId: good!.tenantId, clientId: good!.clientId, credential: { kind: 'secret', secret: new Secret(wrong) }, cloud: 'enterprise', apiHost: emu.url, loginHost: emu.url, clock }) },
      { tenantId: other!.tenantId, contentTypes: ['Audit.Exchange'], api: createApiClient({ tenantId: other!.tenantId, clientId: other!.clientId, credential: { kind: 'secret', secret: new Secret(other!.clientSecret) }, cloud: 'enterprise', apiHost: `http://127.0.0.1:${port}`, loginHost: `http://127.0.0.1:${port}`, clock }) },
    ];
    const collector = createCollector({ tenants, store, clock, logger: createLogger({ level: 'debug', sink: (r) => logs.push(r) }) });
    const summary = await collector.runOnce();
    assert.equal(summary.ok, false);
    assert.equal(summary.errors.length, 2, 'one error per tenant, not one per content type or retry');
    const auth = summary.errors.find((e) => e.tenantId === good!.tenantId);
    const net = summary.errors.find((e) => e.tenantId === other!.tenantId);
    assert.match(auth!.error.message, /client secret .* wrong or expired: create a new one/);
    assert.equal(auth!.contentType, null);
    assert.match(net!.error.message, /^Cannot connect to 127\.0\.0\.1:\d+ .*cloud setting/);
    const everything = JSON.stringify(summary) + JSON.stringify(logs) + JSON.stringify(collector.status()) + (await collector.metrics.registry.metrics());
    for (const secret of [wrong, other!.clientSecret]) assert.ok(!everything.includes(secret), 'a secret leaked');
    assert.ok(collector.status().every((s) => s.state === 'failed' && s.lastError !== null));
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a blob listed only after its window was passed is found by the overlap re-list', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-overlap-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  const inner = crashSource(T0);
  const tenantId = inner.tenants()[0]!.tenantId;
  // The service may list a blob late, below a window a collector already listed (management-api.md §4.3):
  // this source hides one blob from listings until it is revealed.
  const hidden = inner.listBlobs(tenantId, 'Audit.Exchange', T0 - 3 * HOUR, T0 - 2 * HOUR, T0)[0]!;
  let reveal = false;
  const source: typeof inner = {
    tenants: () => inner.tenants(),
    listBlobs: (t, ct, from, to, now) => inner.listBlobs(t, ct, from, to, now).filter((b) => reveal || b.contentId !== hidden.contentId),
    blobContent: (t, id) => inner.blobContent(t, id),
    groundTruth: (now) => inner.groundTruth(now),
    scenarioNames: () => inner.scenarioNames(),
    inject: (n, p, at) => inner.inject(n, p, at),
  };
  const emu = await startEmulator({ source, clock, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'overlap.duckdb'), clock });
  try {
    await store.migrate();
    const tenants = emulatorTenants(emu, clock, ['Audit.Exchange']).filter((t) => t.tenantId === tenantId);
    const collector = createCollector({ tenants, store, clock, options: { overlapMs: 6 * HOUR } });
    await collector.runOnce({ since: T0 - 2 * DAY - HOUR });
    const hiddenIds = (JSON.parse(inner.blobContent(tenantId, hidden.contentId)!.body) as { Id: string }[]).map((r) => `${tenantId} ${r.Id.toLowerCase()}`);
    const before = await storedKeys(store);
    assert.ok(hiddenIds.some((k) => !before.keys.has(k)), 'the hidden blob was not collected yet');
    assert.ok(collector.status()[0]!.cursor! > hidden.contentCreated, 'the cursor passed it');
    reveal = true;
    clock.advance(5 * 60_000);
    await collector.runOnce();
    const after = await storedKeys(store);
    for (const k of hiddenIds) assert.ok(after.keys.has(k), `record ${k} of the late-listed blob is stored`);
    const expected = new Set([...expectedKeys(emu.control.groundTruth(), ['Audit.Exchange'])].filter((k) => k.startsWith(tenantId)));
    assert.deepEqual(difference(expected, after.keys), { missing: [], extra: [] });
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a store that fails mid-pass ends the pass with the error instead of hanging; the cursor stays behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-storefail-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  const emu = await startEmulator({ source: crashSource(T0), clock, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'fail.duckdb'), clock });
  try {
    await store.migrate();
    let commits = 0;
    const failing = failingCommits(store, () => ++commits > 1);
    const collector = createCollector({ tenants: emulatorTenants(emu, clock, ['Audit.SharePoint', 'Audit.Exchange']), store: failing, clock, options: { batchRecords: 100, maxConcurrency: 2 } });
    const summary = await collector.runOnce({ since: T0 - 2 * DAY - HOUR });
    assert.equal(summary.ok, false);
    assert.ok(summary.errors.some((e) => /disk full.*free space beside the store file\.$/.test(e.error.message)), JSON.stringify(summary.errors.map((e) => e.error.message)));
    const failed = summary.workers.filter((w) => w.error);
    assert.ok(failed.length > 0);
    for (const w of failed) {
      const c = await store.getCursor(w.tenantId, w.contentType);
      assert.ok(c === null || c.position < T0, `the cursor of failed ${w.contentType} stayed behind`);
    }
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a first pass over the full 7 days, on a clock that moves while it runs, records no gap', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-nogap-'));
  const base = new ManualClock(T0, { autoAdvance: true });
  // Every reading of the clock is a little later, as on a real machine during a pass.
  let ticks = 0;
  const clock = { now: () => base.now() + 250 * ticks++, sleep: (ms: number, signal?: AbortSignal) => base.sleep(ms, signal) };
  const source = crashSource(T0);
  const emu = await startEmulator({ source, clock: base, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'nogap.duckdb'), clock });
  try {
    await store.migrate();
    const tenants = emulatorTenants(emu, clock, ['Audit.Exchange']);
    const collector = createCollector({ tenants, store, clock });
    const pass = await collector.runOnce();
    assert.ok(pass.ok, JSON.stringify(pass.errors.map((e) => e.error.message)));
    assert.ok(pass.records > 0);
    assert.deepEqual(await store.query(sql`SELECT code, window_start, window_end FROM gaps`), [], 'no gap on a pass that started on time');
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a machine clock 3 hours behind the API's: windows follow the API's Date header, no false gap, every record, a warning", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-skew-'));
  const apiClock = new ManualClock(T0);
  const machine = new ManualClock(T0 - 3 * HOUR);
  const source = crashSource(T0);
  const emu = await startEmulator({ source, clock: apiClock, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'skew.duckdb'), clock: machine });
  const logs: LogRecord[] = [];
  try {
    await store.migrate();
    const tenants = emulatorTenants(emu, machine, ['Audit.Exchange', 'Audit.General']);
    const collector = createCollector({ tenants, store, clock: machine, logger: createLogger({ level: 'debug', sink: (r) => logs.push(r) }) });
    // On the machine's clock the API's 7 days start 3 hours too early (AF20055) and its last 3 hours
    // lie in the future; on the API's clock neither happens.
    const pass = await collector.runOnce({ since: machine.now() - 7 * DAY });
    assert.ok(pass.ok, JSON.stringify(pass.errors.map((e) => e.error.message)));
    assert.deepEqual(await store.query(sql`SELECT code FROM gaps`), [], 'no gap from the clock difference');
    const expected = expectedKeys(emu.control.groundTruth(), ['Audit.Exchange', 'Audit.General']);
    const { keys, rows } = await storedKeys(store);
    assert.ok(expected.size > 0);
    assert.deepEqual(difference(expected, keys), { missing: [], extra: [] });
    assert.equal(rows, keys.size);
    const cursor = await store.getCursor(tenants[0]!.tenantId, 'Audit.Exchange');
    assert.ok(cursor && Math.abs(cursor.position - T0) < 5_000, `the cursor is on the API's clock (${cursor && new Date(cursor.position).toISOString()})`);
    const warning = logs.find((l) => l.level === 'warn' && /clock is 3h behind the API's: fix its time \(NTP\)/.test(l.msg));
    assert.ok(warning, logs.filter((l) => l.level === 'warn').map((l) => l.msg).join('\n'));
    const skew = collector.status().find((s) => s.contentType === 'Audit.Exchange')?.clockSkewMs ?? 0;
    assert.ok(Math.abs(skew - 3 * HOUR) < 2_000, `skew ${skew}`);
    assert.match(await collector.metrics.registry.metrics(), /auditwatch_clock_skew_seconds\{tenant="[^"]+"\} 10[78]\d\d/);
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});
