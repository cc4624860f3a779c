// State conformance, rule settings: set, replaced, listed by rule id, every change kept in the history
// (newest first, per rule or all), hostile text round-trips; and per-rule alert statistics aggregated by
// the store (last hit, alerts active since a time).

import assert from 'node:assert/strict';
import type { RuleSettingRecord } from '../types.js';
import type { StateCheck } from './state.js';
import { BASE_TIME, HOSTILE, MINUTE, makeAlert } from './state-rows.js';

const setting = (ruleId: string, o: Partial<RuleSettingRecord> = {}): RuleSettingRecord => ({
  ruleId,
  enabled: false,
  changedBy: 'alice',
  changedAt: BASE_TIME,
  reason: null,
  ...o,
});

export const ruleChecks: StateCheck[] = [
  {
    title: 'rule settings: set, replaced by the next change, listed by rule id, every change in the history newest first',
    async run({ state }) {
      assert.deepEqual(await state.rules.list(), []);
      assert.deepEqual(await state.rules.history(), []);
      const off = setting('rule-b', { reason: 'too noisy' });
      await state.rules.set(off);
      await state.rules.set(setting('rule-a', { changedBy: 'bob', changedAt: BASE_TIME + MINUTE }));
      const on = setting('rule-b', { enabled: true, changedBy: 'carol', changedAt: BASE_TIME + 2 * MINUTE });
      await state.rules.set(on);
      assert.deepEqual(await state.rules.list(), [setting('rule-a', { changedBy: 'bob', changedAt: BASE_TIME + MINUTE }), on]);
      assert.deepEqual(await state.rules.history({ ruleId: 'rule-b' }), [on, off]);
      assert.deepEqual((await state.rules.history()).map((h) => `${h.ruleId}:${h.enabled}`), ['rule-b:true', 'rule-a:false', 'rule-b:false']);
      assert.deepEqual(await state.rules.history({ limit: 1 }), [on]);
      assert.deepEqual(await state.rules.history({ ruleId: 'nothing' }), []);
    },
  },
  {
    title: 'rule settings: rule ids, actors and reasons round-trip byte for byte',
    async run({ state }) {
      for (const [i, text] of HOSTILE.entries()) await state.rules.set(setting(text, { changedBy: text, reason: text, changedAt: BASE_TIME + i * MINUTE, enabled: i % 2 === 0 }));
      const listed = await state.rules.list();
      assert.equal(listed.length, HOSTILE.length);
      for (const [i, text] of HOSTILE.entries()) {
        const s = listed.find((x) => x.ruleId === text);
        assert.deepEqual(s, setting(text, { changedBy: text, reason: text, changedAt: BASE_TIME + i * MINUTE, enabled: i % 2 === 0 }), JSON.stringify(text));
        assert.equal((await state.rules.history({ ruleId: text })).length, 1);
      }
    },
  },
  {
    title: 'rule settings: alert statistics per rule (latest lastSeen, alerts active since a time) come from the store',
    async run({ state }) {
      assert.deepEqual(await state.rules.alertStats(BASE_TIME), []);
      // rule-a: alerts 1..3 (lastSeen = BASE + n min + 1 min); rule-b: alert 10.
      for (const n of [1, 2, 3]) await state.alerts.insert(makeAlert(n, { ruleId: 'rule-a' }));
      await state.alerts.insert(makeAlert(10, { ruleId: 'rule-b' }));
      const stats = await state.rules.alertStats(BASE_TIME + 3 * MINUTE);
      assert.deepEqual(stats, [
        { ruleId: 'rule-a', lastHitAt: BASE_TIME + 4 * MINUTE, hitsSince: 2 },
        { ruleId: 'rule-b', lastHitAt: BASE_TIME + 11 * MINUTE, hitsSince: 1 },
      ]);
      assert.deepEqual((await state.rules.alertStats(BASE_TIME + 60 * MINUTE)).map((s) => s.hitsSince), [0, 0]);
    },
  },
];
