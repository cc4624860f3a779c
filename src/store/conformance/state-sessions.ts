// State conformance, signed-in sessions: saved and read back byte for byte, touched only forward, removed
// once, every session of a user ended together, and expired or idle sessions purged while live ones stay.

import assert from 'node:assert/strict';
import type { SessionRecord } from '../types.js';
import type { StateCheck } from './state.js';
import { BASE_TIME, HOSTILE, MINUTE } from './state-rows.js';

const session = (idHash: string, o: Partial<SessionRecord> = {}): SessionRecord => ({
  idHash,
  user: 'alice',
  role: 'analyst',
  method: 'local',
  csrfToken: `csrf-${idHash}`,
  createdAt: BASE_TIME,
  lastSeenAt: BASE_TIME,
  expiresAt: BASE_TIME + 600 * MINUTE,
  ...o,
});

export const sessionChecks: StateCheck[] = [
  {
    title: 'sessions: saved and read back, touched only forward, removed once, a user\'s sessions ended together',
    async run({ state }) {
      assert.equal(await state.sessions.get('a'.repeat(64)), null);
      const a = session('a'.repeat(64), { user: HOSTILE.join('|'), csrfToken: HOSTILE[0]! });
      const b = session('b'.repeat(64), { user: 'bob', role: 'viewer', method: 'oidc' });
      const c = session('c'.repeat(64), { user: 'bob', role: 'admin' });
      for (const s of [a, b, c]) await state.sessions.put(s);
      assert.deepEqual(await state.sessions.get(a.idHash), a);
      assert.deepEqual(await state.sessions.get(b.idHash), b);

      assert.equal(await state.sessions.touch(a.idHash, BASE_TIME + 5 * MINUTE), true);
      assert.equal(await state.sessions.touch(a.idHash, BASE_TIME + 2 * MINUTE), true, 'an older touch finds the session');
      assert.equal((await state.sessions.get(a.idHash))?.lastSeenAt, BASE_TIME + 5 * MINUTE, 'but does not move it back');
      assert.equal(await state.sessions.touch('f'.repeat(64), BASE_TIME), false);

      assert.equal(await state.sessions.remove(a.idHash), true);
      assert.equal(await state.sessions.remove(a.idHash), false);
      assert.equal(await state.sessions.get(a.idHash), null);

      assert.equal(await state.sessions.removeUser('bob'), 2);
      assert.equal(await state.sessions.get(b.idHash), null);
      assert.equal(await state.sessions.get(c.idHash), null);
      assert.equal(await state.sessions.removeUser('bob'), 0);
    },
  },
  {
    title: 'sessions: purge deletes the expired and the idle ones and keeps the live ones',
    async run({ state }) {
      const live = session('1'.repeat(64), { lastSeenAt: BASE_TIME + 50 * MINUTE, expiresAt: BASE_TIME + 100 * MINUTE });
      const expired = session('2'.repeat(64), { lastSeenAt: BASE_TIME + 50 * MINUTE, expiresAt: BASE_TIME + 60 * MINUTE });
      const idle = session('3'.repeat(64), { lastSeenAt: BASE_TIME + 10 * MINUTE, expiresAt: BASE_TIME + 100 * MINUTE });
      for (const s of [live, expired, idle]) await state.sessions.put(s);
      assert.equal(await state.sessions.purge(BASE_TIME + 60 * MINUTE, BASE_TIME + 30 * MINUTE), 2);
      assert.deepEqual(await state.sessions.get(live.idHash), live);
      assert.equal(await state.sessions.get(expired.idHash), null);
      assert.equal(await state.sessions.get(idle.idHash), null);
    },
  },
];
