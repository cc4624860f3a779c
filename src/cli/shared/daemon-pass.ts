// `collect --once`: one pass of the daemon, for cron. The daemon's plug-ins (service/) run as in the
// daemon around one collection pass printed like `backfill`'s (cli/shared/pass.ts).

import { Registry } from 'prom-client';
import { errorMessage } from '../../core/index.js';
import type { CommittedSummary } from '../../collect/index.js';
import { createLeadership, DAEMON_PLUGINS, leaderOnly, settledStore, type DaemonOptions, type DaemonService } from '../../service/index.js';
import { runPass, type PassOptions } from './pass.js';

/**
 * One pass of the daemon, then return (`collect --once`, e.g. from cron): the plug-ins start as in the
 * daemon, detection runs after each committed batch and catches up after the pass, then each service
 * does once what it runs in the background (every alert in the outbox delivered, the reports due now),
 * retention applies, and the services close. No control server. Returns the exit code: 1 when
 * collection failed anywhere or a service left something undone (said on stderr).
 */
export async function runDaemonPass(o: Omit<DaemonOptions, 'onListening' | 'serve'> & Pick<PassOptions, 'io' | 'label' | 'since' | 'progress'>): Promise<number> {
  const { config, store, logger, clock } = o;
  const registry = new Registry();
  const services: DaemonService[] = [];
  const problems: string[] = [];
  let queue: Promise<void> = Promise.resolve();
  const dispatch = (what: string, fn: (s: DaemonService) => Promise<unknown> | unknown) => {
    queue = queue.then(async () => {
      for (const s of services) {
        try {
          const lines = await fn(s);
          if (Array.isArray(lines)) problems.push(...lines.map((l) => `${s.name}: ${String(l)}`));
        } catch (err) {
          problems.push(`the ${s.name} service failed after a ${what}: ${errorMessage(err)}`);
          logger.warn(`The ${s.name} service failed after a ${what}.`, { service: s.name, error: errorMessage(err) });
        }
      }
    });
    return queue;
  };
  const stop = new AbortController();
  // On a shared store the services run only if no daemon leads (this pass takes the leader lease for itself).
  const leader = createLeadership({ store, clock, logger, ttlMs: config.collect.leases.ttl });
  try {
    await leader.tryLead();
    leader.start();
    for (const plugin of o.plugins ?? DAEMON_PLUGINS) {
      const service = await plugin({ config, store: settledStore(store, clock, config.collect.leases.settle), logger, clock, registry, signal: stop.signal, leader });
      if (service) services.push(leaderOnly(service, leader));
    }
    return await runPass({
      io: o.io, config, store, logger, clock, signal: o.signal, label: o.label,
      ...(o.since === undefined ? {} : { since: o.since }),
      ...(o.progress === undefined ? {} : { progress: o.progress }),
      collector: { registry, hooks: { onCommitted: (batch: CommittedSummary) => void dispatch('commit', (s) => s.afterCommit?.(batch)) } },
      afterPass: async (pass) => {
        await dispatch('pass', (s) => s.afterPass?.(pass));
        await dispatch('pass', (s) => s.once?.());
        if (config.store.retention !== null) {
          const deleted = await store.applyRetention(clock.now() - config.store.retention);
          if (deleted > 0) logger.info('Retention deleted old events.', { deleted, retention: config.store.retention });
        }
        return { failures: problems, warnings: services.flatMap((s) => s.warnings?.() ?? []) };
      },
    });
  } finally {
    stop.abort();
    await queue;
    for (const s of services) await s.close?.().catch((err) => logger.warn(`The ${s.name} service did not close cleanly.`, { error: errorMessage(err) }));
    await leader.close();
  }
}
