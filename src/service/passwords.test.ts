// Password hashing: the right password verifies, a wrong one and a tampered or malformed hash do not,
// two hashes of one password differ, and the stored form names its parameters.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, needsRehash, SCRYPT_DEFAULTS, verifyPassword } from './passwords.js';

const PW = 'correct horse battery staple';

test('passwords: the right password verifies, a wrong one fails, two hashes of one password differ', async () => {
  const a = await hashPassword(PW);
  const b = await hashPassword(PW);
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword(PW, a), true);
  assert.equal(await verifyPassword(PW, b), true);
  assert.equal(await verifyPassword(`${PW} `, a), false);
  assert.equal(await verifyPassword('', a), false);
  assert.ok(!a.includes(PW));
});

test('passwords: a tampered or malformed hash fails, never throws', async () => {
  const h = await hashPassword(PW);
  const parts = h.split('$');
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const tampered = [
    [...parts.slice(0, 5), flip(parts[5]!)].join('$'),
    [...parts.slice(0, 4), flip(parts[4]!), parts[5]].join('$'),
    ['scrypt', '16384', ...parts.slice(2)].join('$'),
    ['scrypt', '32768', '9', ...parts.slice(3)].join('$'),
    ['bcrypt', ...parts.slice(1)].join('$'),
    ['scrypt', String(2 ** 30), ...parts.slice(2)].join('$'),
    ['scrypt', '1000', ...parts.slice(2)].join('$'),
    h.slice(0, -1),
    h.slice(0, -1) + String.fromCharCode(h.charCodeAt(h.length - 1) ^ 1),
    `${h}$`,
    '',
    'scrypt$$$$$',
  ];
  for (const t of tampered) assert.equal(await verifyPassword(PW, t), false, t);
});

test('passwords: the parameters are read from the stored form, so stronger ones verify and weaker ones ask for a rehash', async () => {
  const weak = await hashPassword(PW, { N: 2 ** 14, r: 8, p: 1 });
  const strong = await hashPassword(PW, { N: 2 ** 16, r: 8, p: 1 });
  assert.equal(await verifyPassword(PW, weak), true);
  assert.equal(await verifyPassword(PW, strong), true);
  assert.equal(needsRehash(weak), true);
  assert.equal(needsRehash(strong), false);
  assert.equal(needsRehash(await hashPassword(PW, SCRYPT_DEFAULTS)), false);
});
