// auditwatch detect: runs the rules over an event-time range, hands new hits to the alerts service
// (stored, de-duplicated, routed) and prints them: a table, or one JSON object a line.
// Also the shared pieces of the detection commands (rules from the config, time options, printing).

import { AppError, parseDuration, parseUtc, safeJson, safeLine, systemClock, type Logger } from '../core/index.js';
import type { Config } from '../config/index.js';
import { createAlertService, hitFields, type HitFields } from '../alerts/index.js';
import { builtinRulesDir, createDetector, learnIdentitiesFromStore, loadRules, type AnyRule, type DetectionHit, type RuleFailure, type RuleOverride } from '../detect/index.js';
import { parseOptions } from './command.js';
import { CONFIG_OPTION, cliLogger, loadCliConfig, openConfiguredStore } from './shared/context.js';
import { parseFormat, table } from './shared/format.js';
import { io } from './shared/io.js';

const HELP = `Usage: auditwatch detect [--from TIME] [--to TIME] [--rule ID]… [--format table|json] [--config FILE]

Runs the detection rules (the built-in pack and detect.ruleDirs) over the records whose event time is
in [--from, --to), stores new alerts and prints them. Evidence that already raised an alert is not
reported again.
  --from TIME     ISO time (2026-03-01T00:00:00Z) or a duration ago (24h, 7d); default 24h
  --to TIME       ISO time or a duration ago; default now
  --rule ID       only this rule (id or name); repeat for several
  --format F      table (default) or json: one object a line with rule, title, severity, entities,
                  firstSeen, lastSeen, count, evidence`;

/** The rule folders of a config: the built-in pack (unless detect.builtin is false) and detect.ruleDirs. */
export function ruleDirsOf(config: Pick<Config, 'detect'>): string[] {
  return [...(config.detect.builtin ? [builtinRulesDir()] : []), ...config.detect.ruleDirs];
}

/**
 * Loads the config's rules. A rule that fails to load or compile is reported with file:line on stderr
 * and skipped; the others run (the same in detect, hunt, eval and the daemon).
 */
export async function rulesOf(config: Pick<Config, 'detect'>, warn: (text: string) => void = warnLine): Promise<AnyRule[]> {
  const loaded = await loadRules(ruleDirsOf(config), { disabled: config.detect.disabled });
  for (const n of loaded.notices) process.stderr.write(`auditwatch: notice: ${safeLine(n, 400)}\n`);
  reportRuleErrors(loaded.errors, warn);
  return loaded.rules;
}

function warnLine(text: string): void {
  process.stderr.write(`auditwatch: warning: ${text}\n`);
}

/** Each rule error with its file:line, then what happens to those rules and how to fix them. */
export function reportRuleErrors(errors: readonly AppError[], warn: (text: string) => void = warnLine): void {
  if (errors.length === 0) return;
  for (const e of errors) warn(safeLine(e.display(), 400));
  warn(`${errors.length} rule error(s): those rules are skipped, the others run; fix them (auditwatch rules validate) or disable them (detect.disabled).`);
}

/** Rules skipped while running (a query failed), each with file:line, on stderr. */
export function reportRuleFailures(failures: readonly RuleFailure[], warn: (text: string) => void = warnLine): void {
  for (const f of failures) warn(safeLine(`${f.location}: rule ${f.ruleId} skipped (${f.stage === 'run' ? 'its query failed' : 'does not compile'}): ${f.message}`, 400));
}

export function overridesOf(config: Pick<Config, 'detect'>): Record<string, RuleOverride> {
  const out: Record<string, RuleOverride> = {};
  for (const [id, o] of Object.entries(config.detect.parameters)) {
    const clean: RuleOverride = {};
    for (const [k, v] of Object.entries(o)) if (v !== undefined) (clean as Record<string, unknown>)[k] = v;
    out[id] = clean;
  }
  return out;
}

/** A time option: an ISO time, or a duration before `now`. */
export function timeOption(text: string | undefined, fallback: number, now: number, flag: string): number {
  if (text === undefined) return fallback;
  const t = text.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)/.test(t) && !/^\d{4}-/.test(t)) {
    try {
      return now - parseDuration(t);
    } catch {
      // fall through to the error below
    }
  }
  const ms = parseUtc(t);
  if (!Number.isFinite(ms)) throw new AppError('usage', `${flag} "${safeLine(t, 40)}" is neither a time (2026-03-01T00:00:00Z) nor a duration (24h, 7d).`);
  return ms;
}

/** The JSON line of a hit (the interface others parse). */
export function hitJson(h: DetectionHit): HitFields {
  return hitFields(h);
}

export function printHits(hits: DetectionHit[], format: 'table' | 'json'): void {
  if (format === 'json') {
    io.out(hits.map((h) => `${safeJson(hitJson(h))}\n`).join(''));
    return;
  }
  if (hits.length === 0) {
    io.out('no new hits\n');
    return;
  }
  const rows = hits.map((h) => ({
    severity: h.severity,
    title: h.title,
    users: (h.entities.users ?? []).join(' '),
    ips: (h.entities.ips ?? []).join(' '),
    firstSeen: new Date(h.firstSeen).toISOString().slice(0, 19),
    lastSeen: new Date(h.lastSeen).toISOString().slice(0, 19),
    count: h.count,
  }));
  io.out(table(rows));
  io.out(`${hits.length} hit${hits.length === 1 ? '' : 's'}\n`);
}

export function detectorLogger(config: Config): Logger {
  return cliLogger(config, { part: 'detect' });
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(
    args,
    {
      ...CONFIG_OPTION,
      from: { type: 'string' },
      to: { type: 'string' },
      rule: { type: 'string', multiple: true },
      format: { type: 'string', default: 'table' },
    },
    HELP,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  const format = parseFormat(v.format, ['table', 'json']) as 'table' | 'json';
  const now = systemClock.now();
  const to = timeOption(v.to, now, now, '--to');
  const from = timeOption(v.from, now - 24 * 3_600_000, now, '--from');
  if (from >= to) throw new AppError('usage', '--from must be before --to.');
  const config = loadCliConfig(v);
  const rules = await rulesOf(config);
  const logger = detectorLogger(config);
  const store = await openConfiguredStore(config, { logger });
  try {
    const alerts = { window: config.alerts.window, destinations: config.alerts.destinations.map((d) => ({ name: String(d['name']) })), routes: config.alerts.routes };
    const sink = createAlertService({ store, clock: systemClock, logger, config: alerts });
    const detector = createDetector({ store, clock: systemClock, logger, rules, disabled: config.detect.disabled, overrides: overridesOf(config), sink });
    // Identities from records ingested since the last pass (collect/import do not wait for detection).
    await learnIdentitiesFromStore(store, systemClock.now());
    const hits = await detector.run({ from, to, ...(v.rule ? { ruleIds: v.rule } : {}) });
    printHits(hits, format);
    reportRuleFailures(detector.failures().filter((f) => f.stage === 'run'));
    return 0;
  } finally {
    await store.close();
  }
}
