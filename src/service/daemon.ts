// The collect daemon: polls every interval until SIGINT/SIGTERM (the transaction in flight finishes
// first), applies retention daily, runs the plug-ins (DAEMON_PLUGINS) with every committed batch and
// pass, and hands its operations (on the store it holds) and its metrics to `serve` (the HTTP API of
// server/, given by the command that starts the daemon).

import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DAY, errorMessage, type Clock, type Logger } from '../core/index.js';
import type { Config } from './config.js';
import type { Store } from '../store/index.js';
import type { CommittedSummary, PassSummary } from '../collect/index.js';
import { configuredCollector } from './ingest.js';
import { DAEMON_PLUGINS, type DaemonPlugin, type DaemonService } from './plugins.js';
import { computeStatus, type StatusOptions, type StatusReport } from './status-report.js';
import { createOperations, serialized } from './local.js';
import type { Operations } from './operations.js';
import { configuredSessions, type SessionService } from './sessions.js';
import { createLeadership, leaderOnly, PROCESS_HOLDER, settledStore, sharedStore } from './cluster.js';

/** What the daemon offers to whoever serves it: its operations, its Prometheus registry and its sign-in sessions. */
export interface DaemonRuntime {
  operations: Operations;
  metrics: Registry;
  sessions: SessionService;
}

/** A running server of the daemon's runtime; closed when the daemon stops. */
export interface ServedRuntime {
  url: string;
  close(): Promise<void>;
}

export type ServeRuntime = (runtime: DaemonRuntime) => Promise<ServedRuntime | null>;

export interface DaemonOptions {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  plugins?: DaemonPlugin[];
  /** Serves the runtime (the HTTP API); without it the daemon serves nothing. */
  serve?: ServeRuntime;
  /** Called once the server listens (tests read the URL). */
  onListening?(url: string | null): void;
}

/** Runs until `signal` aborts; resolves after every service is closed (the store stays open). */
export async function runDaemon(o: DaemonOptions): Promise<void> {
  const { config, store, logger, clock, signal } = o;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const services: DaemonService[] = [];
  let queue: Promise<void> = Promise.resolve();
  const dispatch = (what: string, fn: (s: DaemonService) => Promise<void> | void | undefined) => {
    queue = queue.then(async () => {
      for (const s of services) {
        try {
          await fn(s);
        } catch (err) {
          logger.warn(`The ${s.name} service failed after a ${what}; collection goes on.`, { service: s.name, error: errorMessage(err) });
        }
      }
    });
  };
  // Shared with other processes (ClickHouse + PostgreSQL): the services run where the leader lease is.
  const leader = createLeadership({ store, clock, logger, ttlMs: config.collect.leases.ttl });
  const pluginStore = settledStore(store, clock, config.collect.leases.settle);
  await leader.tryLead();
  leader.start();
  const collector = await configuredCollector(
    { config, store, clock, logger },
    { registry, hooks: { onCommitted: (batch: CommittedSummary) => dispatch('commit', (s) => s.afterCommit?.(batch)) } },
  );

  if (sharedStore(store)) {
    new Gauge({
      name: 'auditwatch_leader',
      help: 'Whether this collect process holds the leader lease (detection, alert delivery, reports run here): 1 or 0.',
      registers: [registry],
      collect() {
        this.set(leader.isLeader() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'auditwatch_collector_leases',
      help: 'Tenant × content type leases this collect process holds (it collects only those).',
      registers: [registry],
      collect() {
        this.set(collector.heldLeases()?.length ?? 0);
      },
    });
  }
  // The services stop with the daemon, also when it stops on an error rather than a signal.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let control: ServedRuntime | null = null;
  let background: Promise<void>[] = [];
  let lastRetention = 0;
  const afterPass = async (pass: PassSummary) => {
    for (const e of pass.errors) logger.error(e.error.message, { tenant: e.tenantId, contentType: e.contentType, code: e.error.code });
    dispatch('pass', (s) => s.afterPass?.(pass));
    if (config.store.retention !== null && clock.now() - lastRetention >= DAY) {
      lastRetention = clock.now();
      const deleted = await store.applyRetention(clock.now() - config.store.retention);
      if (deleted > 0) logger.info('Retention deleted old events.', { deleted, retention: config.store.retention });
    }
  };
  // Other processes ask for operations on this store (alerts, report, detect, import, status, query).
  const status = async (options?: StatusOptions): Promise<StatusReport> => {
    const report = await computeStatus(store, config.tenants, clock.now(), collector.status(), options);
    const extra: Record<string, unknown> = {};
    for (const s of services) if (s.status) extra[s.name] = await s.status();
    const warnings = [...report.warnings, ...services.flatMap((s) => s.warnings?.() ?? [])];
    return { ...report, warnings, source: 'daemon', services: extra };
  };
  const operations = serialized(createOperations({ config, store, clock, logger: logger.child({ part: 'api' }), status, exclusiveDetection: (fn) => leader.exclusive(fn) }));
  try {
    if (o.serve) control = await o.serve({ operations, metrics: registry, sessions: configuredSessions({ config, store, clock, logger }) });
    o.onListening?.(control?.url ?? null);
    for (const plugin of o.plugins ?? DAEMON_PLUGINS) {
      const service = await plugin({ config, store: pluginStore, logger, clock, registry, signal: stop.signal, leader });
      if (service) services.push(leaderOnly(service, leader));
    }
    background = services
      .filter((s) => s.run)
      .map((s) =>
        s.run!(stop.signal).catch((err) =>
          logger.error(`The ${s.name} service stopped with an error; restart the daemon after fixing it.`, { service: s.name, error: errorMessage(err) }),
        ),
      );

    logger.info('The collect daemon started.', { tenants: config.tenants.length, intervalMs: config.collect.interval, ...(sharedStore(store) ? { holder: PROCESS_HOLDER } : {}) });
    // One pass, then sleep the interval; an abort lets the pass finish its transaction in flight.
    while (!signal.aborted) {
      let pass: PassSummary;
      try {
        pass = await collector.runOnce({ signal });
      } catch (err) {
        if (signal.aborted) break;
        throw err;
      }
      await afterPass(pass);
      await clock.sleep(config.collect.interval, signal).catch(() => undefined);
    }
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await queue;
    await Promise.all(background);
    for (const s of services) await s.close?.().catch((err) => logger.warn(`The ${s.name} service did not close cleanly.`, { error: errorMessage(err) }));
    // Leases go back at once, so the other processes take this one's work without waiting for the TTL.
    await collector.close().catch((err) => logger.warn('Releasing the collector leases failed; they expire by themselves.', { error: errorMessage(err) }));
    await leader.close();
    if (control) await control.close();
    logger.info('The collect daemon stopped.');
  }
}
