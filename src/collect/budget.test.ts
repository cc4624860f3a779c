// The request budget never grants more than its limit in any rolling minute, and waits on the clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../core/index.js';
import { createRequestBudget } from './budget.js';
import { BoundedQueue } from './sync.js';

test('no more than perMinute grants in any rolling minute', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1), { autoAdvance: true });
  const budget = createRequestBudget(10, clock);
  const grants: number[] = [];
  await Promise.all(Array.from({ length: 35 }, async () => {
    await budget.acquire();
    grants.push(clock.now());
  }));
  assert.equal(grants.length, 35);
  grants.sort((a, b) => a - b);
  for (let i = 0; i < grants.length; i++) {
    const inWindow = grants.filter((g) => g >= grants[i]! && g < grants[i]! + 60_000).length;
    assert.ok(inWindow <= 10, `${inWindow} grants within a minute of ${i}`);
  }
  // 35 grants at 10/min need at least three full minutes of waiting.
  assert.ok(grants[34]! - grants[0]! >= 180_000);
});

test('an aborted waiter does not block the ones behind it', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const budget = createRequestBudget(1, clock);
  await budget.acquire();
  const ac = new AbortController();
  const first = budget.acquire(ac.signal);
  const second = budget.acquire();
  ac.abort();
  await assert.rejects(first);
  clock.advance(60_000);
  await second;
  assert.equal(budget.inLastMinute(), 1);
});

test('the bounded queue holds at most its capacity and drains after close', async () => {
  const q = new BoundedQueue<number>(2);
  await q.push(1);
  await q.push(2);
  let third = false;
  const p = q.push(3).then(() => (third = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false);
  assert.equal(await q.pop(), 1);
  await p;
  q.close();
  assert.deepEqual([await q.pop(), await q.pop(), await q.pop()], [2, 3, undefined]);
});
