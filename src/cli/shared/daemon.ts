// The collect daemon: polls every interval until SIGINT/SIGTERM (the transaction in flight finishes
// first), serves /metrics and the control API, applies retention daily, and runs the plug-ins
// (DAEMON_PLUGINS) with every committed batch and pass.

import { basename, resolve } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DAY, errorMessage, type Clock, type Logger } from '../../core/index.js';
import type { Config } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import type { CommittedSummary, PassSummary } from '../../collect/index.js';
import { configuredCollector } from './ingest.js';
import { removeEndpoint, startControlServer, writeEndpoint, type ControlServer } from './control.js';
import { DAEMON_PLUGINS, type DaemonPlugin, type DaemonService } from './plugins.js';
import { computeStatus } from './status-report.js';
import { runForwarded } from './forward.js';
import { holdStore } from './context.js';
import { runPass, type PassOptions } from './pass.js';

export interface DaemonOptions {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  plugins?: DaemonPlugin[];
  /** Called once the control server listens (tests read the URL). */
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
  const collector = await configuredCollector(
    { config, store, clock, logger },
    { registry, hooks: { onCommitted: (batch: CommittedSummary) => dispatch('commit', (s) => s.afterCommit?.(batch)) } },
  );

  // The services stop with the daemon, also when it stops on an error rather than a signal.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let control: ControlServer | null = null;
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
  // Commands other processes send (alerts, report, detect) run here, on this store.
  const release = holdStore(config.store.path, store);
  try {
    if (config.collect.listen) {
      control = await startControlServer(
        config.collect.listen,
        {
          metrics: registry,
          status: async () => {
            const report = await computeStatus(store, config.tenants, clock.now(), collector.status());
            const extra: Record<string, unknown> = {};
            for (const s of services) if (s.status) extra[s.name] = await s.status();
            const warnings = [...report.warnings, ...services.flatMap((s) => s.warnings?.() ?? [])];
            return { ...report, warnings, source: 'daemon', services: extra };
          },
          query: (sql) => store.queryReadOnly(sql),
          command: (args) => runForwarded(args, resolve(config.dir, basename(config.file))),
        },
        logger,
        config.collect.allowedHosts,
      );
      writeEndpoint(config.store.path, { pid: process.pid, url: control.url, token: control.token, startedAt: new Date(clock.now()).toISOString() });
      logger.info('The daemon serves /metrics, /status, /query and /command.', { url: control.url });
    }
    o.onListening?.(control?.url ?? null);
    for (const plugin of o.plugins ?? DAEMON_PLUGINS) {
      const service = await plugin({ config, store, logger, clock, registry, signal: stop.signal });
      if (service) services.push(service);
    }
    background = services
      .filter((s) => s.run)
      .map((s) =>
        s.run!(stop.signal).catch((err) =>
          logger.error(`The ${s.name} service stopped with an error; restart the daemon after fixing it.`, { service: s.name, error: errorMessage(err) }),
        ),
      );

    logger.info('The collect daemon started.', { tenants: config.tenants.length, intervalMs: config.collect.interval });
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
    if (control) {
      removeEndpoint(config.store.path);
      await control.close();
    }
    release();
    logger.info('The collect daemon stopped.');
  }
}

/**
 * One pass of the daemon, then return (`collect --once`, e.g. from cron): the plug-ins start as in the
 * daemon, detection runs after each committed batch and catches up after the pass, then each service
 * does once what it runs in the background (every alert in the outbox delivered, the reports due now),
 * retention applies, and the services close. No control server. Returns the exit code: 1 when
 * collection failed anywhere or a service left something undone (said on stderr).
 */
export async function runDaemonPass(o: Omit<DaemonOptions, 'onListening'> & Pick<PassOptions, 'label' | 'since' | 'progress'>): Promise<number> {
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
  try {
    for (const plugin of o.plugins ?? DAEMON_PLUGINS) {
      const service = await plugin({ config, store, logger, clock, registry, signal: stop.signal });
      if (service) services.push(service);
    }
    return await runPass({
      config, store, logger, clock, signal: o.signal, label: o.label,
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
  }
}
