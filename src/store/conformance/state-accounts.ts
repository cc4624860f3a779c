// State conformance, local accounts: added, replaced (created time kept), read, listed by name, password
// set, removed; names and hashes round-trip byte for byte; racing adders of one name create it once.

import assert from 'node:assert/strict';
import type { AccountRecord } from '../types.js';
import type { StateCheck } from './state.js';
import { onTwoHandles } from './state.js';
import { BASE_TIME, HOSTILE, MINUTE } from './state-rows.js';

const account = (name: string, o: Partial<AccountRecord> = {}): AccountRecord => ({
  name,
  role: 'analyst',
  passwordHash: `scrypt$32768$8$1$c2FsdA$${name.length}`,
  createdAt: BASE_TIME,
  changedAt: BASE_TIME,
  ...o,
});

export const accountChecks: StateCheck[] = [
  {
    title: 'accounts: added, read, listed by name, replaced keeping the created time, password set, removed once',
    async run({ state }) {
      assert.deepEqual(await state.accounts.list(), []);
      assert.equal(await state.accounts.get('alice'), null);
      const bob = account('bob', { role: 'viewer' });
      const alice = account('alice', { role: 'admin', passwordHash: HOSTILE.join('|') });
      assert.equal(await state.accounts.put(bob), true);
      assert.equal(await state.accounts.put(alice), true);
      assert.deepEqual(await state.accounts.get('alice'), alice);
      assert.deepEqual(await state.accounts.list(), [alice, bob]);

      const replaced = account('bob', { role: 'analyst', passwordHash: 'scrypt$new', createdAt: BASE_TIME + 5 * MINUTE, changedAt: BASE_TIME + 5 * MINUTE });
      assert.equal(await state.accounts.put(replaced), false, 'a replacement is not new');
      assert.deepEqual(await state.accounts.get('bob'), { ...replaced, createdAt: BASE_TIME });

      assert.equal(await state.accounts.setPassword('bob', 'scrypt$newer', BASE_TIME + 9 * MINUTE), true);
      assert.deepEqual(await state.accounts.get('bob'), { ...replaced, createdAt: BASE_TIME, passwordHash: 'scrypt$newer', changedAt: BASE_TIME + 9 * MINUTE });
      assert.equal(await state.accounts.setPassword('nobody', 'x', BASE_TIME), false);

      assert.equal(await state.accounts.remove('bob'), true);
      assert.equal(await state.accounts.remove('bob'), false);
      assert.equal(await state.accounts.get('bob'), null);
      assert.deepEqual((await state.accounts.list()).map((a) => a.name), ['alice']);
    },
  },
  {
    title: 'accounts: names are exact (case and hostile text kept), and racing adders of one name create it once',
    async run(h) {
      const { state } = h;
      const names = ['Alice', 'alice', ...HOSTILE];
      for (const n of names) assert.equal(await state.accounts.put(account(n)), true, JSON.stringify(n));
      for (const n of names) assert.equal((await state.accounts.get(n))?.name, n);
      assert.equal((await state.accounts.list()).length, names.length);
      const created = await onTwoHandles(h, (s, i) => s.accounts.put(account('raced', { passwordHash: `hash-${i}` })), 8);
      assert.equal(created.filter(Boolean).length, 1);
      assert.equal((await state.accounts.list()).filter((a) => a.name === 'raced').length, 1);
    },
  },
];
