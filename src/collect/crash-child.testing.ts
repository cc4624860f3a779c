// A backfill in a process of its own, for the crash-safety test (crash.test.ts), which kills it with
// SIGKILL at random points and runs it again. Everything comes from the environment (secrets included,
// never argv): AW_EMULATOR_URL, AW_DB, AW_SINCE (epoch ms), AW_BATCH (records per transaction) and
// AW_TENANTS, a JSON list of {tenantId, clientId, clientSecret}. Prints "ready", then "commit" after
// each transaction, then the pass summary as JSON; exits 0 when the pass was complete.

import { Secret, systemClock } from '../core/index.js';
import { createApiClient } from '../api/index.js';
import { CONTENT_TYPES } from '../records/index.js';
import { openDuckDbStore } from '../store/index.js';
import { createCollector } from './index.js';

async function main(): Promise<number> {
  const env = process.env;
  const url = env.AW_EMULATOR_URL ?? '';
  const tenants = JSON.parse(env.AW_TENANTS ?? '[]') as { tenantId: string; clientId: string; clientSecret: string }[];
  const store = await openDuckDbStore({ path: env.AW_DB ?? '' });
  await store.migrate();
  process.stdout.write('ready\n');
  const collector = createCollector({
    tenants: tenants.map((t) => ({
      tenantId: t.tenantId,
      contentTypes: CONTENT_TYPES,
      api: createApiClient({
        tenantId: t.tenantId, clientId: t.clientId, credential: { kind: 'secret', secret: new Secret(t.clientSecret) },
        cloud: 'enterprise', apiHost: url, loginHost: url, clock: systemClock,
      }),
    })),
    store,
    options: { batchRecords: Number(env.AW_BATCH ?? 200), maxConcurrency: 2, requestsPerMinute: 100_000, backoff: { baseMs: 5, maxMs: 50 } },
    hooks: { onCommitted: () => process.stdout.write('commit\n') },
  });
  const summary = await collector.runOnce({ since: Number(env.AW_SINCE) });
  await store.close();
  process.stdout.write(`${JSON.stringify({ ok: summary.ok, records: summary.records, errors: summary.errors.map((e) => e.error.message) })}\n`);
  return summary.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
