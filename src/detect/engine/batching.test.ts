// Batching gives the same hits as one rule at a time: the whole built-in pack over one real DuckDB file
// (synthetic bench events plus every rule's own test records, match and no-match cases alike) finds
// exactly the hits that each rule finds alone — the detection rules share scans (grouped by whether
// their operations are known), correlations return each island's rows once per matching rule and the
// engine keeps one per Id. A pass with state then raises each of those hits once, and never again.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock, silentLogger } from '../../core/index.js';
import { createEnricher, normalize, type EventRow } from '../../records/index.js';
import { generateBenchEvents, openDuckDbStore } from '../../store/index.js';
import type { DetectionHit } from '../types.js';
import { createDetector } from './detector.js';
import { learnIdentities } from './learn.js';
import { builtinRulesDir, loadRules } from './load.js';
import { readRuleTests, testFileFor } from './ruletest.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 2, 1);

/** A hit as compared: every field, evidence in its order. */
const signature = (h: DetectionHit) => JSON.stringify([h.ruleId, h.tenantId, h.groupKey, h.count, h.firstSeen, h.lastSeen, h.evidence, h.entities, h.severity]);

test('the whole pack in one pass finds exactly the hits of each rule run alone, and a stateful pass raises them once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aw-batching-'));
  const store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  try {
    await store.migrate();
    await generateBenchEvents(store, { from: 0, count: 40_000, startMs: START, spanMs: DAY, ingestedAt: START + DAY, lateShare: 0 });
    const loaded = await loadRules([builtinRulesDir()]);
    assert.deepEqual(loaded.errors.map((e) => e.display()), []);
    const enricher = await createEnricher();
    let n = 0;
    for (const f of loaded.files) {
      const tests = testFileFor(f);
      if (!existsSync(tests)) continue;
      for (const c of readRuleTests(tests, tests, loaded.rules.filter((r) => f.endsWith(r.file))).cases) {
        const tenantId = `case-${++n}`;
        const rows: EventRow[] = [];
        for (const rec of c.records) {
          const res = normalize(rec, { tenantId, contentType: null, sourceId: 'import:test' });
          if (res.ok) rows.push(enricher.enrich(res.row));
        }
        await store.importRecords({ tenantId, sourceId: 'import:test', rows, rejects: [], ingestedAt: START + DAY });
        await learnIdentities(store, rows);
      }
    }
    assert.ok(n >= 100, `${n} test cases loaded`);

    const detector = createDetector({ store, clock: new ManualClock(START + 2 * DAY), logger: silentLogger, rules: loaded.rules });
    const range = { from: 0, to: Date.UTC(2100, 0, 1) };
    const together = await detector.hunt(range);
    const alone: DetectionHit[] = [];
    for (const r of detector.rules.filter((x) => (x.kind === 'rule' ? x.emits : x.kind === 'baseline' || x.emits !== false))) alone.push(...(await detector.hunt({ ...range, ruleIds: [r.rule.id] })));
    assert.deepEqual(detector.failures(), []);
    assert.deepEqual(together.map(signature).sort(), alone.map(signature).sort());
    // Could fail: many rules of both kinds fire, some hits carry many records and several groups.
    const fired = new Set(together.map((h) => h.ruleId));
    assert.ok(fired.size >= 40, `${fired.size} rules fired`);
    assert.ok(detector.rules.filter((r) => r.kind === 'correlation' && fired.has(r.rule.id)).length >= 15);
    assert.ok(together.some((h) => h.evidence.length >= 100));
    for (const h of together) {
      assert.equal(new Set(h.evidence).size, h.evidence.length, `evidence of ${h.ruleId} is unique`);
      assert.equal(h.count, h.evidence.length);
    }

    // With state: the same hits, raised once; the next pass over the same range raises nothing.
    const first = await detector.run({ from: range.from, to: range.to });
    assert.deepEqual(first.map(signature).sort(), together.map(signature).sort());
    assert.deepEqual(await detector.run({ from: range.from, to: range.to }), []);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
