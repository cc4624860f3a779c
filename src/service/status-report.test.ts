// auditwatch status shows alert delivery: a destination that keeps failing is a warning naming the fix,
// and comes back to normal once it delivers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { parseConfig } from './config.js';
import { ManualClock, silentLogger } from '../core/index.js';
import { createAlertService, createNotifiers, createOutboxWorker } from '../alerts/index.js';
import { hit, httpReceiver, T0, tempStore, type HttpReceiver } from '../alerts/alerts.testing.js';
import { computeStatus, renderStatus } from './status-report.js';

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

test('a failing alert destination shows in status with its error, and clears once it delivers', async () => {
  const clock = new ManualClock(T0);
  const config = parseConfig(`alerts:\n  destinations:\n    - { name: soc-hook, type: webhook, url: "${rx.url}", backoffMin: 10s }\n`, {
    file: join(ctx.dir, 'a.yaml'),
    env: {},
  });
  const notifiers = createNotifiers(config.alerts.destinations, { clock, logger: silentLogger });
  const service = createAlertService({ store: ctx.store, clock, config: config.alerts });
  const worker = createOutboxWorker({ store: ctx.store, clock, notifiers, random: () => 0.5 });
  rx.respond = () => 503;
  await service.ingestHits([hit({ groupKey: 'status-1', evidence: ['s1'] })]);
  await worker.runOnce();

  const failing = await computeStatus(ctx.store, [], clock.now());
  const hook = failing.destinations.find((d) => d.destination === 'soc-hook');
  assert.ok(hook, 'the destination is listed');
  assert.equal(hook.pending, 1);
  assert.ok(failing.warnings.some((w) => /soc-hook has been failing since .*HTTP 503.*notify test soc-hook/.test(w)), failing.warnings.join('\n'));
  const text = renderStatus(failing);
  assert.match(text, /alert destinations:\n {2}soc-hook: 0 delivered, 1 pending, 0 given up, failing since/);

  rx.respond = () => 200;
  clock.advance(60_000);
  assert.equal((await worker.runOnce()).delivered, 1);
  const healed = await computeStatus(ctx.store, [], clock.now());
  assert.equal(healed.warnings.filter((w) => w.includes('soc-hook')).length, 0);
  assert.equal(healed.destinations.find((d) => d.destination === 'soc-hook')?.delivered, 1);
});
