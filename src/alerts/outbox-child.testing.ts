// A child process for the crash test (outbox.crash.test.ts): runs the outbox worker against a DuckDB
// file and a webhook, and can pause at a chosen step ("sending:N" or "delivered:N", the N-th such
// event of this run) so that the parent kills it with SIGKILL at a known point. Prints one line per event.

import { join } from 'node:path';
import { parseConfig } from '../service/index.js';
import { silentLogger, systemClock } from '../core/index.js';
import { openDuckDbStore } from '../store/index.js';
import { createNotifiers } from './notifiers/registry.js';
import { createOutboxWorker } from './worker.js';

const [storePath, url, pauseAt] = process.argv.slice(2);
const [pauseType, pauseN] = (pauseAt ?? '').split(':');
const counts: Record<string, number> = {};

const config = parseConfig(`alerts:\n  destinations:\n    - { name: hook, type: webhook, url: "${url}", ratePerMinute: 100000, backoffMin: 10ms, backoffMax: 50ms }\n`, {
  file: join(process.cwd(), 'child.yaml'),
  env: {},
});
const store = await openDuckDbStore({ path: storePath!, threads: 1 });
const worker = createOutboxWorker({
  store,
  clock: systemClock,
  logger: silentLogger,
  notifiers: createNotifiers(config.alerts.destinations, { clock: systemClock, logger: silentLogger }),
  observe: async (e) => {
    counts[e.type] = (counts[e.type] ?? 0) + 1;
    process.stdout.write(`${e.type} ${e.row.idempotencyKey}\n`);
    if (e.type === pauseType && counts[e.type] === Number(pauseN)) {
      process.stdout.write('PAUSED\n');
      await new Promise(() => {});
    }
  },
});
for (;;) {
  const r = await worker.runOnce();
  if (r.delivered + r.retrying + r.failed + r.deferred === 0) break;
}
await store.close();
process.stdout.write('DONE\n');
