// The request budget never grants more than its rate in any rolling minute, waits on the clock, and adapts:
// halves on AF429 (once a minute), honours Retry-After, pauses with jitter, grows back to its ceiling;
// a held slot (a request in flight) counts until the request has ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, Rng } from '../core/index.js';
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

test('AF429 halves the rate once a minute, Retry-After holds every grant back, and success grows it back to the ceiling', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const budget = createRequestBudget({ ceilingPerMinute: 1000, startPerMinute: 800, increasePerMinute: 100, rng: new Rng('b') }, clock);
  assert.equal(budget.perMinute, 800);
  budget.throttled(20_000);
  budget.throttled(); // another request of the same episode: no second halving
  assert.equal(budget.perMinute, 400);
  assert.equal(budget.throttles, 2);
  let granted = false;
  const waiting = budget.acquire().then(() => {
    granted = true;
  });
  clock.advance(19_999);
  await new Promise((r) => setImmediate(r));
  assert.equal(granted, false, 'nothing is granted before Retry-After has passed');
  clock.advance(1);
  await waiting;
  assert.equal(granted, true);

  // A minute of successes adds increasePerMinute; it never passes the ceiling.
  clock.advance(60_000);
  budget.succeeded();
  assert.equal(budget.perMinute, 500);
  clock.advance(30 * 60_000);
  budget.succeeded();
  assert.equal(budget.perMinute, 1000);

  // A minute after the last halving, a new episode halves again; without Retry-After the pause is 5–7.5 s.
  clock.advance(60_000);
  budget.throttled();
  assert.equal(budget.perMinute, 500);
  const before = clock.now();
  const auto = new ManualClock(before, { autoAdvance: true });
  const b2 = createRequestBudget({ ceilingPerMinute: 100, rng: new Rng('c') }, auto);
  b2.throttled();
  await b2.acquire();
  const paused = auto.now() - before;
  assert.ok(paused >= 5_000 && paused <= 7_500, `paused ${paused} ms`);
  for (let i = 0; i < 10; i++) b2.throttled();
  assert.equal(b2.perMinute, 50, 'one halving for an episode of many throttled answers');
});

test('a lowered rate is enforced over the rolling minute, for every worker sharing the budget', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1), { autoAdvance: true });
  const budget = createRequestBudget({ ceilingPerMinute: 40, increasePerMinute: 1, pauseMs: 1 }, clock);
  budget.throttled();
  assert.equal(budget.perMinute, 20);
  const grants: number[] = [];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = 0; i < 15; i++) {
      await budget.acquire();
      grants.push(clock.now());
    }
  }));
  grants.sort((a, b) => a - b);
  for (const g of grants) {
    const inWindow = grants.filter((x) => x >= g && x < g + 60_000).length;
    assert.ok(inWindow <= 20, `${inWindow} grants within a minute at a rate of 20`);
  }
});

test('a held slot counts until its request has ended: requests that reach the server late never put more than the rate in one of its minutes', async () => {
  // Requests reach the server some time after their grant (a slow socket, a clock that jumps while they
  // are in flight) and end after that. Counted from the grant, the late ones spill into the next quota
  // minute on top of its own grants; held until they end, no 60 seconds of arrivals hold more than the rate.
  const run = async (held: boolean) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 50), { autoAdvance: true });
    const budget = createRequestBudget({ ceilingPerMinute: 30 }, clock);
    const rng = new Rng('held', held ? 1 : 0);
    const arrivals: number[] = [];
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 30; i++) {
        await (held ? budget.hold() : budget.acquire());
        // Those granted in an even minute take 20 s to arrive, the others arrive at once.
        await clock.sleep(Math.floor(clock.now() / 60_000) % 2 === 0 ? 20_000 : rng.int(0, 100));
        arrivals.push(clock.now());
        await clock.sleep(rng.int(0, 2_000));
        if (held) budget.release();
      }
    }));
    arrivals.sort((a, b) => a - b);
    return Math.max(...arrivals.map((a) => arrivals.filter((x) => x >= a && x < a + 60_000).length));
  };
  const worstHeld = await run(true);
  assert.ok(worstHeld <= 30, `${worstHeld} arrivals within 60 s at a rate of 30`);
  assert.ok((await run(false)) > 30, 'counted from the grant, late arrivals exceed the rate (what hold prevents)');
});

test('with every slot in flight, the next grant waits for a release, then for that slot to age a minute', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const budget = createRequestBudget({ ceilingPerMinute: 2 }, clock);
  await budget.hold();
  await budget.hold();
  let granted = false;
  const third = budget.hold().then(() => (granted = true));
  clock.advance(120_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(granted, false, 'two requests still in flight after two minutes: no third');
  budget.release();
  await new Promise((r) => setImmediate(r));
  assert.equal(budget.inLastMinute(), 2);
  clock.advance(59_999);
  await new Promise((r) => setImmediate(r));
  assert.equal(granted, false, 'the released slot counts for a minute from its release');
  clock.advance(1);
  await third;
  assert.equal(budget.inLastMinute(), 2, 'one still in flight, one new');
  const ac = new AbortController();
  const waiting = budget.hold(ac.signal);
  ac.abort();
  await assert.rejects(waiting, 'a waiter for a release can be aborted');
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
