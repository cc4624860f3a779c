// The fast JSON writers are byte-for-byte the builders: for every kind that has a writer, over many users
// (admins and not) and generator states, `write` gives exactly JSON.stringify(build(...)) and draws the
// same number of times. Also: baseline Ids are unique by construction and well-formed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_KINDS } from './activity.js';
import { buildDirectory } from './directory.js';
import { eventId, eventSalt, eventState, FastRng, fastGuid, hourWord } from './ids.js';
import type { Ctx } from './records.js';

test('every writer gives the same text as JSON.stringify of its builder, drawing in the same order', () => {
  const seed = 'writers';
  const dir = buildDirectory(seed, 1, 60);
  const time = Date.UTC(2026, 2, 11, 10, 17, 30);
  let checked = 0;
  for (const kind of ALL_KINDS) {
    if (!kind.write) continue;
    for (let n = 0; n < 400; n++) {
      const u = dir.users[n % dir.users.length]!;
      const state = (n * 2654435761 + kind.name.length) >>> 0;
      const a = new FastRng(state);
      const b = new FastRng(state);
      const ca: Ctx = { dir, rng: a, time: time + n * 7919, id: fastGuid(new FastRng(n)) };
      const cb: Ctx = { ...ca, rng: b };
      const expected = JSON.stringify(kind.build(ca, u, seed));
      assert.equal(kind.write(cb, u, seed), expected, `${kind.name} #${n}`);
      assert.equal(a.state, b.state, `${kind.name} #${n} draws as often as its builder`);
      checked++;
    }
  }
  assert.ok(checked >= 400 * 10, `writers checked (${checked})`);
});

test('baseline event Ids are distinct across hours and indexes, and GUID-shaped', () => {
  const salt = eventSalt(1, 0);
  const seen = new Set<string>();
  const rng = new FastRng();
  for (let hour = 494_000; hour < 494_020; hour++) {
    const hw = hourWord(salt, hour);
    for (let seq = 0; seq < 5000; seq++) {
      const id = eventId(rng.reset(eventState(hw, seq)), hw, seq);
      assert.ok(!seen.has(id), `duplicate id ${id}`);
      seen.add(id);
    }
  }
  for (const id of [...seen].slice(0, 50)) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
