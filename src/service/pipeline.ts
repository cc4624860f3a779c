// The parts after collection, assembled once from a config: the rules that load and compile, the alert
// service (the detector's sink), the detector, the notifiers and the outbox worker. The collect daemon,
// the demo and the tests all build them here, so the wiring exists in one place.

import { safeLine, type Clock, type Logger } from '../core/index.js';
import type { Config } from './config.js';
import { createAlertService, createNotifiers, createOutboxWorker, type AlertService, type OutboxWorker } from '../alerts/index.js';
import { compileRules, createDetectionScheduler, createDetector, loadRules, type AnyRule, type DetectionScheduler, type Detector } from '../detect/index.js';
import type { Store } from '../store/index.js';
import { overridesOf, ruleDirsOf } from './rules.js';

export interface Pipeline {
  rules: AnyRule[];
  detector: Detector;
  alerts: AlertService;
  outbox: OutboxWorker;
  /** Detection after every committed batch: identities first, then an incremental pass. */
  scheduler: DetectionScheduler;
  close(): Promise<void>;
}

/**
 * The config's rules that load and compile; a broken rule file is skipped with a warning naming it, so
 * that one mistake in a user's rule folder does not stop detection for every other rule
 * (`auditwatch rules validate` names the mistakes).
 */
export async function usableRules(config: Config, dialect: 'duckdb' | 'clickhouse', warn: (text: string) => void): Promise<AnyRule[]> {
  const loaded = await loadRules(ruleDirsOf(config));
  const { errors } = compileRules(loaded.rules, dialect);
  const bad = new Set([...loaded.errors, ...errors].map((e) => e.location?.file).filter((f): f is string => f !== undefined));
  if (bad.size) warn(`${bad.size} rule file${bad.size === 1 ? '' : 's'} skipped because of errors (see auditwatch rules validate): ${[...bad].map((f) => safeLine(f, 80)).join(', ')}`);
  return loaded.rules.filter((r) => !bad.has(r.file));
}

export async function createPipeline(config: Config, store: Store, clock: Clock, logger: Logger, warn: (text: string) => void = (t) => logger.warn(t)): Promise<Pipeline> {
  const rules = await usableRules(config, store.dialect.name, warn);
  const alerts = createAlertService({ store, clock, logger, config: config.alerts });
  const detector = createDetector({ store, clock, logger, rules, disabled: config.detect.disabled, overrides: overridesOf(config), sink: alerts });
  const notifiers = createNotifiers(config.alerts.destinations, { clock, logger });
  const outbox = createOutboxWorker({ store, clock, logger, notifiers });
  const scheduler = createDetectionScheduler({ store, detector, clock, logger });
  return {
    rules,
    detector,
    alerts,
    outbox,
    scheduler,
    close: async () => {
      await scheduler.idle();
      await Promise.all(notifiers.map((n) => n.close()));
    },
  };
}
