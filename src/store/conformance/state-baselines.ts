// State conformance, first-seen baselines: terms observed and read back per entity (earliest first
// sighting, latest last sighting kept), isolated per rule and tenant, expired by last sighting, hostile
// text round-trips; the learning period is set once per rule and tenant (the first one stays, also when
// two handles race); reset forgets one rule or all.

import assert from 'node:assert/strict';
import type { BaselineTerm } from '../types.js';
import { onTwoHandles, type StateCheck } from './state.js';
import { BASE_TIME, HOSTILE, HOUR } from './state-rows.js';

const term = (entity: string, value: string, firstSeen: number, lastSeen = firstSeen, tenantId = 't1'): BaselineTerm => ({ tenantId, entity, term: value, firstSeen, lastSeen });
const byKey = (a: BaselineTerm, b: BaselineTerm) => (`${a.entity}/${a.term}` < `${b.entity}/${b.term}` ? -1 : 1);

export const baselineChecks: StateCheck[] = [
  {
    title: 'baselines: terms observed per entity keep the earliest first and the latest last sighting, per rule and tenant',
    async run({ state }) {
      const b = state.baselines;
      assert.deepEqual(await b.terms('r1', 't1', ['alice']), []);
      await b.observe('r1', [term('alice', 'FR', BASE_TIME + 5 * HOUR), term('alice', 'FR', BASE_TIME + 2 * HOUR), term('bob', 'US', BASE_TIME)]);
      await b.observe('r1', [term('alice', 'FR', BASE_TIME + 3 * HOUR, BASE_TIME + 9 * HOUR), term('alice', 'DE', BASE_TIME + HOUR)]);
      await b.observe('r2', [term('alice', 'NG', BASE_TIME)]);
      await b.observe('r1', [term('alice', 'CN', BASE_TIME, BASE_TIME, 't2')]);
      assert.deepEqual((await b.terms('r1', 't1', ['alice'])).sort(byKey), [term('alice', 'DE', BASE_TIME + HOUR), term('alice', 'FR', BASE_TIME + 2 * HOUR, BASE_TIME + 9 * HOUR)]);
      assert.deepEqual((await b.terms('r1', 't1', ['alice', 'bob', 'nobody'])).map((t) => `${t.entity}/${t.term}`).sort(), ['alice/DE', 'alice/FR', 'bob/US']);
      assert.deepEqual((await b.terms('r2', 't1', ['alice'])).map((t) => t.term), ['NG']);
      assert.deepEqual((await b.terms('r1', 't2', ['alice'])).map((t) => t.term), ['CN']);
      assert.deepEqual(await b.terms('r1', 't1', []), []);
    },
  },
  {
    title: 'baselines: expire drops the terms of a rule and tenant last seen before a time, and only those',
    async run({ state }) {
      const b = state.baselines;
      await b.observe('r1', [term('alice', 'old', BASE_TIME), term('alice', 'new', BASE_TIME, BASE_TIME + 10 * HOUR), term('bob', 'edge', BASE_TIME + 5 * HOUR)]);
      await b.observe('r1', [term('alice', 'old', BASE_TIME, BASE_TIME, 't2')]);
      await b.observe('r2', [term('alice', 'old', BASE_TIME)]);
      assert.equal(await b.expire('r1', 't1', BASE_TIME + 5 * HOUR), 1);
      assert.deepEqual((await b.terms('r1', 't1', ['alice', 'bob'])).map((t) => `${t.entity}/${t.term}`).sort(), ['alice/new', 'bob/edge']);
      assert.equal((await b.terms('r1', 't2', ['alice'])).length, 1);
      assert.equal((await b.terms('r2', 't1', ['alice'])).length, 1);
    },
  },
  {
    title: 'baselines: entities and terms round-trip byte for byte; many terms in one call',
    async run({ state }) {
      const b = state.baselines;
      await b.observe('r1', HOSTILE.map((text, i) => term(text, text, BASE_TIME + i)));
      const back = await b.terms('r1', 't1', HOSTILE);
      assert.equal(back.length, HOSTILE.length);
      for (const [i, text] of HOSTILE.entries()) assert.deepEqual(back.find((t) => t.entity === text), term(text, text, BASE_TIME + i), JSON.stringify(text));
      const many = Array.from({ length: 12_000 }, (_, i) => term(`u${i % 3000}`, `v${i}`, BASE_TIME + i));
      await b.observe('r3', many);
      assert.equal((await b.terms('r3', 't1', Array.from({ length: 3000 }, (_, i) => `u${i}`))).length, 12_000);
    },
  },
  {
    title: 'baselines: the learning period is set once per rule and tenant (the first stays, also when two handles race); reset forgets',
    async run(h) {
      const b = h.state.baselines;
      assert.deepEqual(await b.learningEnds('r1'), new Map());
      const ends = await onTwoHandles(h, (s, i) => s.baselines.startLearning('r1', 't1', BASE_TIME + (i + 1) * HOUR, BASE_TIME));
      assert.equal(ends[0], ends[1], 'both callers get the end in force');
      assert.equal(await b.startLearning('r1', 't1', BASE_TIME + 99 * HOUR, BASE_TIME), ends[0]);
      assert.equal(await b.startLearning('r1', 't2', BASE_TIME + 7 * HOUR, BASE_TIME), BASE_TIME + 7 * HOUR);
      await b.startLearning('r2', 't1', BASE_TIME + 8 * HOUR, BASE_TIME);
      assert.deepEqual(await b.learningEnds('r1'), new Map([['t1', ends[0]!], ['t2', BASE_TIME + 7 * HOUR]]));
      await b.observe('r1', [term('alice', 'FR', BASE_TIME)]);
      await b.observe('r2', [term('alice', 'FR', BASE_TIME)]);
      await b.reset('r1');
      assert.deepEqual(await b.learningEnds('r1'), new Map());
      assert.deepEqual(await b.terms('r1', 't1', ['alice']), []);
      assert.equal((await b.terms('r2', 't1', ['alice'])).length, 1);
      await b.reset();
      assert.deepEqual(await b.learningEnds('r2'), new Map());
      assert.deepEqual(await b.terms('r2', 't1', ['alice']), []);
    },
  },
];
