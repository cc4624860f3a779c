// The login limiter on a manual clock: per name and address, per address across names, per name across
// addresses, a sliding window (the wait ends when the oldest counted failure leaves it), a success
// clearing only its own bucket, and a flood of names kept within the bucket bound.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/index.js';
import { loginLimiter } from './login-limit.js';

const MINUTE = 60_000;
const limits = { maxFailures: 3, maxFailuresPerIp: 5, maxFailuresPerUser: 7, window: 10 * MINUTE };

test('per name and address: the 4th attempt waits until the oldest failure leaves the window; a success clears it', () => {
  const clock = new ManualClock(0);
  const l = loginLimiter(limits, clock);
  for (let i = 0; i < 3; i++) {
    assert.equal(l.retryAfter('ann', '10.0.0.1'), 0);
    l.failed('ann', '10.0.0.1');
    clock.advance(MINUTE);
  }
  assert.equal(l.retryAfter('ann', '10.0.0.1'), 7 * 60, 'the first failure (t=0) leaves at 10 min; now is 3 min');
  assert.equal(l.retryAfter('ann', '10.0.0.2'), 0, 'another address is not limited for this name');
  assert.equal(l.retryAfter('bob', '10.0.0.1'), 0, 'another name from this address is not limited yet');
  clock.advance(7 * MINUTE);
  assert.equal(l.retryAfter('ann', '10.0.0.1'), 0);
  l.succeeded('ann', '10.0.0.1');
  l.failed('ann', '10.0.0.1');
  assert.equal(l.retryAfter('ann', '10.0.0.1'), 0, 'after a success the count starts again');
});

test('per address across names, and per name across addresses', () => {
  const clock = new ManualClock(0);
  const l = loginLimiter(limits, clock);
  for (let i = 0; i < 5; i++) l.failed(`user${i}`, '10.0.0.9');
  assert.ok(l.retryAfter('someone-else', '10.0.0.9') > 0, 'the address is limited for every name');
  assert.equal(l.retryAfter('someone-else', '10.0.0.8'), 0);
  for (let i = 0; i < 7; i++) l.failed('target', `192.0.2.${i}`);
  assert.ok(l.retryAfter('target', '198.51.100.1') > 0, 'a guess spread over addresses is limited by name');
  assert.equal(l.retryAfter('other', '198.51.100.1'), 0);
});

test('a flood of names from many addresses stays within the bucket bound and still limits the newest', () => {
  const clock = new ManualClock(0);
  const l = loginLimiter({ ...limits, maxFailures: 1 }, clock);
  for (let i = 0; i < 30_000; i++) l.failed(`n${i}`, `a${i}`);
  assert.ok(l.retryAfter('n29999', 'a29999') > 0);
});
