// The parts after collection, assembled once from a config: the rules that load and compile, the alert
// service (the detector's sink), the detector, the notifiers and the outbox worker. The collect daemon,
// the demo and the tests all build them here, so the wiring exists in one place.

import { type AppError, type Clock, type Logger } from '../core/index.js';
import type { Config } from './config.js';
import { createAlertService, createNotifiers, createOutboxWorker, type AlertService, type OutboxWorker } from '../alerts/index.js';
import { createDetectionScheduler, createDetector, loadRules, type AnyRule, type DetectionScheduler, type Detector } from '../detect/index.js';
import type { Store } from '../store/index.js';
import { configDisabledOf, overridesOf, reportRuleErrors, ruleDirsOf, storeDisabled } from './rules.js';
import type { RuleSettingRecord } from '../store/index.js';

export interface Pipeline {
  rules: AnyRule[];
  detector: Detector;
  alerts: AlertService;
  outbox: OutboxWorker;
  /** Detection after every committed batch: identities first, then an incremental pass. */
  scheduler: DetectionScheduler;
  /** Rules skipped now, with file:line: those that failed to load, to compile or (last pass) to run. */
  ruleProblems(): RuleProblem[];
  close(): Promise<void>;
}

export interface RuleProblem {
  location: string;
  rule: string | null;
  stage: 'load' | 'compile' | 'run';
  message: string;
}

/** A load error (parse, mapping, compile check) as a rule problem. */
export function loadProblem(e: AppError): RuleProblem {
  const location = e.location ? `${e.location.file}${e.location.line ? `:${e.location.line}` : ''}` : '';
  return { location, rule: null, stage: 'load', message: e.message };
}

/** A skipped rule as one line of `auditwatch status`. */
export function ruleProblemLine(p: RuleProblem): string {
  const what = p.stage === 'run' ? 'its query failed' : p.stage === 'compile' ? 'it does not compile' : 'it does not load';
  return `rule ${p.rule ?? ''}${p.rule ? ' ' : ''}at ${p.location || '?'} is skipped (${what}): ${p.message}; fix it (auditwatch rules validate) or disable it (detect.disabled).`;
}

/**
 * The config's rules that load and compile. A broken rule is reported with file:line (`warn`) and
 * skipped, the same way as detect, hunt and eval do; the detector skips a rule that does not compile for
 * the store's dialect or whose query fails, and reports it in failures() (status, /metrics, the log).
 */
export async function usableRules(config: Config, warn: (text: string) => void, settings: readonly RuleSettingRecord[] = []): Promise<{ rules: AnyRule[]; errors: AppError[] }> {
  const loaded = await loadRules(ruleDirsOf(config), { disabled: configDisabledOf(config, settings) });
  for (const n of loaded.notices) warn(n);
  reportRuleErrors(loaded.errors, warn);
  return { rules: loaded.rules, errors: loaded.errors };
}

export async function createPipeline(
  config: Config,
  store: Store,
  clock: Clock,
  logger: Logger,
  warn: (text: string) => void = (t) => logger.warn(t),
  delivery: { canSend?: () => boolean; exclusive?: <T>(fn: () => Promise<T>) => Promise<T> } = {},
): Promise<Pipeline> {
  // An admin's setting in the store wins over detect.disabled; the store is asked again before every pass.
  // detect.disabled keeps a rule from loading at all (a broken community rule one disables never
  // compiles), so when an admin enables such a rule in the store (or disables one, which then no longer
  // needs loading) the rules are loaded again before the next pass, with no restart.
  const alerts = createAlertService({ store, clock, logger, config: config.alerts, ...(delivery.canSend ? { mayWrite: delivery.canSend } : {}) });
  const disabledKey = (settings: readonly RuleSettingRecord[]) => JSON.stringify([...configDisabledOf(config, settings)].sort());
  const build = async (settings: readonly RuleSettingRecord[]) => {
    const disabled = configDisabledOf(config, settings);
    const { rules, errors } = await usableRules(config, warn, settings);
    const detector = createDetector({ store, clock, logger, rules, disabled, disabledNow: () => storeDisabled(store), overrides: overridesOf(config), sink: alerts });
    return { key: disabledKey(settings), rules, errors, detector };
  };
  let current = await build(await store.state.rules.list());
  const refresh = async () => {
    const settings = await store.state.rules.list();
    if (disabledKey(settings) === current.key) return;
    const before = new Set(current.detector.rules.map((r) => r.rule.id));
    const next = await build(settings);
    // A rule loaded now reads what was ingested since an admin enabled it, as a rule enabled in the store
    // does (detect --from covers a past range); one loaded before keeps its watermark.
    const upTo = await store.commitWatermark();
    const added = next.detector.rules.map((r) => r.rule.id).filter((id) => !before.has(id));
    if (upTo !== null && added.length > 0) {
      const known = await store.state.detection.watermarks();
      const enabledAt = new Map(settings.map((x) => [x.ruleId, x.changedAt]));
      for (const id of added.filter((x) => !known.has(x))) {
        await store.state.detection.setWatermarks([id], Math.min(upTo, (enabledAt.get(id) ?? clock.now()) - 1), clock.now());
      }
    }
    current = next;
    logger.info('Rule settings changed; the rules were loaded again.', { rules: next.rules.length, added: added.length });
  };
  const detector: Detector = {
    get rules() {
      return current.detector.rules;
    },
    failures: () => current.detector.failures(),
    run: async (o) => (await refresh(), current.detector.run(o)),
    runIncremental: async () => (await refresh(), current.detector.runIncremental()),
    hunt: (o) => current.detector.hunt(o),
  };
  const notifiers = createNotifiers(config.alerts.destinations, { clock, logger });
  const outbox = createOutboxWorker({ store, clock, logger, notifiers, ...(delivery.canSend ? { canSend: delivery.canSend } : {}) });
  const scheduler = createDetectionScheduler({ store, detector, clock, logger, ...(delivery.exclusive ? { exclusive: delivery.exclusive } : {}) });
  return {
    get rules() {
      return current.rules;
    },
    detector,
    alerts,
    outbox,
    scheduler,
    ruleProblems: () => [
      ...current.errors.map(loadProblem),
      ...detector.failures().map((f) => ({ location: f.location, rule: f.ruleId, stage: f.stage, message: f.message })),
    ],
    close: async () => {
      await scheduler.idle();
      await Promise.all(notifiers.map((n) => n.close()));
    },
  };
}
