// The outbox worker with a real webhook receiver: a destination down for an hour gets every alert once
// when it returns; back-off is persisted in the row; health shows a failing destination; a permanent
// error is given up and shown.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { parseConfig } from '../service/index.js';
import { ManualClock, silentLogger } from '../core/index.js';
import { createNotifiers } from './notifiers/registry.js';
import { outboxHealth, outboxRows } from './outbox.js';
import { createAlertService } from './service.js';
import { hit, httpReceiver, T0, tempStore, type HttpReceiver } from './alerts.testing.js';
import { createOutboxWorker } from './worker.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
let rx: HttpReceiver;
before(async () => {
  ctx = await tempStore();
  rx = await httpReceiver();
});
after(async () => {
  await rx.close();
  await ctx.cleanup();
});

function setup(clock: ManualClock, extra = '') {
  const config = parseConfig(
    `alerts:\n  destinations:\n    - { name: hook, type: webhook, url: "${rx.url}", ratePerMinute: 1000, backoffMin: 10s, backoffMax: 5m${extra} }\n`,
    { file: join(ctx.dir, 'a.yaml'), env: {} },
  );
  const notifiers = createNotifiers(config.alerts.destinations, { clock, logger: silentLogger });
  const service = createAlertService({ store: ctx.store, clock, config: config.alerts });
  const worker = createOutboxWorker({ store: ctx.store, clock, notifiers, random: () => 0.5 });
  return { service, worker };
}

test('a destination down for an hour gets every alert once when it returns; health shows it meanwhile', async () => {
  const clock = new ManualClock(T0);
  const { service, worker } = setup(clock);
  rx.received.length = 0;
  rx.respond = () => 503;
  const hits = Array.from({ length: 6 }, (_, i) => hit({ groupKey: `down-${i}`, evidence: [`d${i}`] }));
  await service.ingestHits(hits);
  const first = await worker.runOnce();
  assert.deepEqual([first.delivered, first.retrying, first.deferred], [0, 1, 5], 'a down destination is tried once per pass, not once per alert');
  const [row] = (await outboxRows(ctx.store, { status: 'pending' })).filter((r) => r.attempts === 1);
  assert.equal(row!.nextAttemptAt, T0 + 7_500, 'back-off persisted in the row (10 s with jitter 0.5 → 7.5 s)');
  assert.match(row!.lastError!, /HTTP 503/);

  // An hour of retries: the attempts are spaced by the growing back-off, capped at 5 minutes.
  let attempts = 1;
  for (let t = 0; t < 60; t++) {
    clock.advance(60_000);
    const r = await worker.runOnce();
    attempts += r.retrying;
    assert.equal(r.delivered, 0);
  }
  assert.ok(attempts > 5 && attempts < 40, `attempts ${attempts}`);
  const health = await outboxHealth(ctx.store, clock.now());
  const hook = health.find((h) => h.destination === 'hook')!;
  assert.equal(hook.pending, 6);
  assert.equal(hook.failingSince, new Date(T0).toISOString());
  assert.match(hook.lastError!, /HTTP 503/);

  rx.respond = () => 200;
  const before = rx.received.length;
  clock.advance(5 * 60_000);
  const back = await worker.runOnce();
  assert.equal(back.delivered, 6);
  const arrived = rx.received.slice(before).map((r) => JSON.parse(r.body) as { id: string });
  assert.equal(arrived.length, 6);
  assert.equal(new Set(arrived.map((a) => a.id)).size, 6, 'each alert once');
  assert.deepEqual((await worker.runOnce()).delivered, 0, 'nothing is sent twice');
  const healed = (await outboxHealth(ctx.store, clock.now())).find((h) => h.destination === 'hook')!;
  assert.equal(healed.pending, 0);
  assert.equal(healed.failingSince, null);
});

test('a permanent error (HTTP 400) is given up at once and shows as failed in health', async () => {
  const clock = new ManualClock(T0 + 86_400_000);
  const { service, worker } = setup(clock);
  rx.respond = () => 400;
  await service.ingestHits([hit({ groupKey: 'perm', evidence: ['p1'] })]);
  const r = await worker.runOnce();
  assert.equal(r.failed, 1);
  const h = (await outboxHealth(ctx.store, clock.now())).find((x) => x.destination === 'hook')!;
  assert.equal(h.failed, 1);
  assert.match(h.lastError!, /HTTP 400/);
  rx.respond = () => 200;
});

test('run(signal) delivers what is queued and stops when aborted', async () => {
  const clock = new ManualClock(T0 + 2 * 86_400_000, { autoAdvance: true });
  const { service, worker } = setup(clock);
  const before = rx.received.length;
  await service.ingestHits([hit({ groupKey: 'loop-1', evidence: ['l1'] }), hit({ groupKey: 'loop-2', evidence: ['l2'] })]);
  const ac = new AbortController();
  const running = worker.run(ac.signal);
  await rx.waitFor(before + 2);
  ac.abort();
  await running;
  assert.equal(rx.received.length, before + 2);
});
