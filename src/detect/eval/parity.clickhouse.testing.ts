// Detection parity, for one ClickHouse node (parity.clickhouse.test.ts) and for a cluster of two shards
// (parity.clickhouse-cluster.test.ts): the same emulated records (a 7-day tenant with every scenario,
// served over real HTTP) collected into a DuckDB file and into ClickHouse + PostgreSQL (real servers,
// started as nobody in temporary folders), then eval and a hunt with the whole built-in pack on both:
// the same recall, false positives and scenario scores, the same hits rule by rule — (rule, tenant,
// group, evidence ids) — and the same report rows. On the cluster the rules and reports read the
// Distributed table, and both shards hold records. Skipped only when clickhouse-server is not installed.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock, silentLogger } from '../../core/index.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { openDuckDbStore, openStore, type Store } from '../../store/index.js';
import { clickhouseSkipReason } from '../../store/clickhouse/server.testing.js';
import type { ClickHouseTarget } from '../../store/clickhouse/target.testing.js';
import { createDetector } from '../engine/detector.js';
import { builtinRulesDir, loadRules } from '../engine/load.js';
import type { AnyRule } from '../sigma/ast.js';
import type { DetectionHit } from '../types.js';
import { collectFromEmulator, enrichStored } from './collect.js';
import { evaluate, type EvalReport } from './evaluate.js';
import { fetchEmulatorNow, fetchTenants } from './truth.js';
import { REPORTS, runReport } from '../../reports/index.js';

const DAY = 86_400_000;

/** A hit as the parity compares it: rule, tenant, group and the sorted evidence ids. */
const hitKey = (h: DetectionHit) => `${h.ruleId} ${h.tenantId} ${h.groupKey} ${[...h.evidence].sort().join(',')}`;

function byRule(hits: DetectionHit[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const h of hits) out.set(h.ruleId, [...(out.get(h.ruleId) ?? []), hitKey(h)].sort());
  return out;
}

function comparable(r: EvalReport) {
  return {
    recall: r.recall,
    precision: r.precision,
    alerts: r.alerts,
    scenarios: r.scenarios.map((s) => ({ ...s })).sort((a, b) => `${a.tenant}${a.name}`.localeCompare(`${b.tenant}${b.name}`)),
    falsePositives: r.falsePositives.map((f) => ({ ...f, evidence: [...f.evidence].sort() })).sort((a, b) => `${a.rule}${a.tenant}${a.firstSeen}`.localeCompare(`${b.rule}${b.tenant}${b.firstSeen}`)),
  };
}

export function parityOnClickHouse(target: ClickHouseTarget, options: { tenants: number }): void {
  const skip = clickhouseSkipReason();
  let em: RunningEmulator;
  let dir = '';
  let rules: AnyRule[];
  const stores: { duck?: Store; click?: Store } = {};
  let database = '';

  before(async () => {
    if (skip) return;
    const start = Date.UTC(2026, 2, 9, 12, 0, 0);
    // The emulator's clock two hours after the last activity: every blob is published, so both collections
    // (whose listing ends at their own clock) get exactly the same records and blobs.
    const source = createContentSource({ seed: 'parity', days: 7, users: 16, tenants: options.tenants, scenarios: 'all', latency: { kind: 'fixed', ms: 60_000 }, live: false, startTime: start });
    [, em] = await Promise.all([target.start(), startEmulator({ source, clock: new ManualClock(start + 2 * 3_600_000), port: 0, throttlePerMinute: 0 })]);
    dir = await mkdtemp(join(tmpdir(), 'aw-parity-'));
    rules = (await loadRules([builtinRulesDir()])).rules;
    const duck = await openDuckDbStore({ path: join(dir, 'parity.duckdb') });
    const config = await target.config();
    database = config.clickhouse.database ?? 'default';
    const click = await openStore(config, { migrate: false });
    stores.duck = duck;
    stores.click = click;
    const tenants = await fetchTenants(em.url);
    const now = await fetchEmulatorNow(em.url);
    for (const store of [duck, click]) {
      await store.migrate();
      await collectFromEmulator({ base: em.url, tenants, store, clock: new ManualClock(now, { autoAdvance: true }), logger: silentLogger, since: now - 7 * DAY + 60_000, requestsPerMinute: 1_000_000 });
      await enrichStored(store);
    }
  });

  after(async () => {
    await stores.duck?.close();
    await stores.click?.close();
    await Promise.all([target.stop(), em?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test(`both stores hold the same records (${target.label})`, { skip }, async () => {
    const keys = async (store: Store) => (await store.eventKeys()).map((k) => `${k.tenantId}/${k.id}`).sort();
    const duck = await keys(stores.duck!);
    assert.ok(duck.length > 1000, `${duck.length} records`);
    assert.deepEqual(await keys(stores.click!), duck);
    if (target.shards > 1) {
      // Sharded by tenant: every shard holds some tenants' records, and they add up to the records.
      const perShard = (await target.runOnEach('SELECT count() FROM events_rows_local', database)).map((x) => Number(x.trim()));
      assert.ok(perShard.every((n) => n > 0), `records on every shard: ${perShard.join(', ')}`);
      assert.equal(perShard.reduce((a, b) => a + b, 0), duck.length);
    }
  });

  test(`eval on ${target.label} gives the recall, false positives and scenario scores of DuckDB`, { skip }, async () => {
    const duck = await evaluate({ emulator: em.url, rules, store: stores.duck! });
    const click = await evaluate({ emulator: em.url, rules, store: stores.click! });
    assert.deepEqual(duck.missing, {});
    assert.deepEqual(click.missing, {});
    assert.equal(duck.recall, 1, 'every attack found on DuckDB');
    assert.ok(duck.alerts > 20, `${duck.alerts} alerts`);
    assert.deepEqual(comparable(click), comparable(duck));
  });

  test(`the same hits rule by rule on DuckDB and ${target.label}: (rule, tenant, group, evidence ids)`, { skip }, async () => {
    const hunt = async (store: Store) => {
      const detector = createDetector({ store, clock: new ManualClock(await fetchEmulatorNow(em.url)), logger: silentLogger, rules });
      const hits = await detector.hunt({ from: 0, to: (await fetchEmulatorNow(em.url)) + DAY });
      return { hits, failures: detector.failures() };
    };
    const duck = await hunt(stores.duck!);
    const click = await hunt(stores.click!);
    assert.deepEqual(duck.failures, []);
    assert.deepEqual(click.failures.map((f) => `${f.ruleId}: ${f.message}`), [], 'every rule compiles and runs on ClickHouse');
    const d = byRule(duck.hits);
    const c = byRule(click.hits);
    assert.ok(d.size >= 20, `${d.size} rules with hits`);
    const differ: Record<string, { duckdb: string[]; clickhouse: string[] }> = {};
    for (const rule of new Set([...d.keys(), ...c.keys()])) {
      const [x, y] = [d.get(rule) ?? [], c.get(rule) ?? []];
      if (JSON.stringify(x) !== JSON.stringify(y)) differ[rule] = { duckdb: x.filter((k) => !y.includes(k)), clickhouse: y.filter((k) => !x.includes(k)) };
    }
    assert.deepEqual(differ, {}, 'rules whose hits differ');
  });

  test(`every report definition runs on ${target.label} and gives DuckDB's result for the same records`, { skip }, async () => {
    const now = await fetchEmulatorNow(em.url);
    const period = { from: now - 8 * DAY, to: now + DAY };
    const differ: Record<string, unknown> = {};
    for (const def of REPORTS) {
      const duck = await runReport(def, { store: stores.duck!, period, now });
      const click = await runReport(def, { store: stores.click!, period, now });
      assert.ok(duck.sections.some((s) => s.rows.length > 0), `${def.name} has rows on DuckDB`);
      duck.sections.forEach((sec, i) => {
        const other = click.sections[i];
        const rows = (list: unknown[] | undefined) => (list ?? []).map((r) => JSON.stringify(r));
        const [x, y] = [rows(sec.rows), rows(other?.rows)];
        const only = (a: string[], b: string[]) => a.filter((r) => !b.includes(r)).slice(0, 3);
        if (JSON.stringify(x) !== JSON.stringify(y) || sec.truncated !== other?.truncated) differ[`${def.name}/${sec.id}`] = { duckdb: only(x, y), clickhouse: only(y, x), order: x.length === y.length };
      });
    }
    assert.deepEqual(differ, {});
  });
}
