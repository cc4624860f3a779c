// The rules of a config (the built-in pack unless detect.builtin is false, and detect.ruleDirs) and the
// rule operations: list, validate files, run each rule's own tests. Rule mistakes are data
// (`file:line:col: message [code]` lines), shown by the caller.

import { existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { AppError, safeLine } from '../core/index.js';
import type { RuleSettingRecord, Store } from '../store/index.js';
import { builtinRulesDir, loadRules, readRuleTests, runRuleTests, testFileFor, type AnyRule, type RuleFailure, type RuleOverride, type RuleTestFile } from '../detect/index.js';
import type { Config } from './config.js';
import type { RuleInfo, RuleSettingChange, RulesList, RulesTestResult, RulesValidation } from './operations.js';

/** The rule folders of a config: the built-in pack (unless detect.builtin is false) and detect.ruleDirs. */
export function ruleDirsOf(config: Pick<Config, 'detect'>): string[] {
  return [...(config.detect.builtin ? [builtinRulesDir()] : []), ...config.detect.ruleDirs];
}

/**
 * Loads the config's rules. A rule that fails to load or compile is reported with file:line (`warn`) and
 * skipped; the others run (the same in detect, hunt, eval and the daemon).
 */
export async function rulesOf(
  config: Pick<Config, 'detect'>,
  warn: (text: string) => void,
  notice: (text: string) => void = warn,
  settings: readonly RuleSettingRecord[] = [],
): Promise<AnyRule[]> {
  const loaded = await loadRules(ruleDirsOf(config), { disabled: configDisabledOf(config, settings) });
  for (const n of loaded.notices) notice(safeLine(n, 400));
  reportRuleErrors(loaded.errors, warn);
  return loaded.rules;
}

/** Each rule error with its file:line, then what happens to those rules and how to fix them. */
export function reportRuleErrors(errors: readonly AppError[], warn: (text: string) => void): void {
  if (errors.length === 0) return;
  for (const e of errors) warn(safeLine(e.display(), 400));
  warn(`${errors.length} rule error(s): those rules are skipped, the others run; fix them (auditwatch rules validate) or disable them (detect.disabled).`);
}

/** Rules skipped while running (a query failed), each with file:line. */
export function reportRuleFailures(failures: readonly RuleFailure[], warn: (text: string) => void): void {
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

function describe(r: AnyRule): string {
  if (r.kind === 'rule') return `rule (${r.logsource.service ?? 'audit'})`;
  if (r.firstSeen) {
    const f = r.firstSeen;
    return `first_seen ${f.fields.join('+')}${f.novelty === 'each' ? ' (each)' : ''} by ${r.groupBy.join(',') || 'tenant'}, history ${f.historyMs / 86_400_000}d, learning ${f.learningMs / 86_400_000}d`;
  }
  const c = r.condition;
  const cond = (['gt', 'gte', 'lt', 'lte', 'eq'] as const).filter((k) => c[k] !== undefined).map((k) => `${k} ${c[k]}`).join(' ');
  return `${r.type} ${cond} in ${r.timespanMs / 60_000}m by ${r.groupBy.join(',') || '-'}`;
}

// Precedence: an admin's setting in the state store (rules enable|disable, POST /rules/:id/enable|disable)
// wins over config detect.disabled, as the newer decision; a rule with neither runs. The store keeps
// settings by rule id, so a detect.disabled entry naming a rule by its `name` is overridden only where
// the entry is its id. A rule disabled in the store is still loaded and checked, so it runs again at
// the next pass once enabled; one enabled in the store that detect.disabled names loads at the next
// start of a daemon (auditwatch detect reads the store every run).

/** The detect.disabled entries still in force: those no setting in the store overrides. */
export function configDisabledOf(config: Pick<Config, 'detect'>, settings: readonly RuleSettingRecord[]): string[] {
  const set = new Set(settings.map((s) => s.ruleId));
  return config.detect.disabled.filter((id) => !set.has(id));
}

/** The rule ids an admin disabled in the state store, read now (asked before every detection pass). */
export async function storeDisabled(store: Store): Promise<ReadonlySet<string>> {
  return new Set((await store.state.rules.list()).filter((s) => !s.enabled).map((s) => s.ruleId));
}

/** Where a rule's enabled state comes from. */
export type EnabledSource = 'store' | 'config' | 'default';

export function effectiveEnabled(r: Pick<AnyRule, 'id' | 'name'>, config: Pick<Config, 'detect'>, settings: ReadonlyMap<string, RuleSettingRecord>): { enabled: boolean; from: EnabledSource } {
  const s = settings.get(r.id);
  if (s) return { enabled: s.enabled, from: 'store' };
  const off = config.detect.disabled.includes(r.id) || (r.name !== null && config.detect.disabled.includes(r.name));
  return off ? { enabled: false, from: 'config' } : { enabled: true, from: 'default' };
}

/** A rule's source: 'builtin' for the built-in pack, else the configured folder it was loaded from. */
function sourceOf(file: string, config: Pick<Config, 'detect'>): string {
  const abs = resolve(file);
  const builtin = config.detect.builtin ? resolve(builtinRulesDir()) : null;
  if (builtin && (abs === builtin || abs.startsWith(builtin + sep))) return 'builtin';
  for (const d of config.detect.ruleDirs) {
    const dir = resolve(d);
    if (abs === dir || abs.startsWith(dir + sep)) return d;
  }
  return 'user';
}

const DAY = 86_400_000;
const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * The rules with their effective state (the store's setting, else detect.disabled), who changed it and
 * when, their last alert and alerts active in 7 days (aggregated by the store), and one row per file
 * that failed to load (loadError). Without a store: the config alone, no alert figures.
 */
export async function listRules(config: Pick<Config, 'detect'>, store?: Store, now: number = Date.now()): Promise<RulesList> {
  const loaded = await loadRules(ruleDirsOf(config));
  const settingsList = store ? await store.state.rules.list() : [];
  const settings = new Map(settingsList.map((s) => [s.ruleId, s]));
  const stats = new Map((store ? await store.state.rules.alertStats(now - 7 * DAY) : []).map((s) => [s.ruleId, s]));
  const rules: RuleInfo[] = loaded.rules.map((r) => {
    const e = effectiveEnabled(r, config, settings);
    const s = settings.get(r.id);
    const st = stats.get(r.id);
    return {
      id: r.id,
      name: r.name,
      title: r.title,
      level: r.level,
      kind: describe(r),
      enabled: e.enabled,
      enabledFrom: e.from,
      source: sourceOf(r.file, config),
      file: r.file,
      tags: r.tags.join(' '),
      changedBy: s?.changedBy ?? null,
      changedAt: iso(s?.changedAt),
      reason: s?.reason ?? null,
      lastHitAt: iso(st?.lastHitAt),
      hits7d: store ? (st?.hitsSince ?? 0) : null,
      loadError: null,
    };
  });
  for (const e of loaded.errors) {
    const file = e.location?.file ?? '';
    rules.push({
      id: file || e.code,
      name: null,
      title: `(does not load) ${file}`,
      level: '',
      kind: '',
      enabled: false,
      enabledFrom: 'default',
      source: file ? sourceOf(file, config) : 'user',
      file,
      tags: '',
      changedBy: null,
      changedAt: null,
      reason: null,
      lastHitAt: null,
      hits7d: null,
      loadError: e.display(),
    });
  }
  return { rules, errors: loaded.errors.map((e) => e.display()) };
}

/**
 * Enables or disables a rule in the state store (recorded with who, when and why); the rule is the id
 * or name of a configured rule (built-in pack or detect.ruleDirs), else AppError rule_unknown.
 */
export async function setRuleEnabled(
  config: Pick<Config, 'detect'>,
  store: Store,
  input: { id: string; enabled: boolean; changedBy: string; reason?: string | undefined; at: number },
): Promise<RuleSettingChange> {
  const loaded = await loadRules(ruleDirsOf(config));
  const rule = loaded.rules.find((r) => r.id === input.id) ?? loaded.rules.find((r) => r.name === input.id);
  if (!rule) throw new AppError('rule_unknown', `No rule "${safeLine(input.id, 80)}" in the configured rule folders; see \`auditwatch rules list\`.`);
  const reason = input.reason === undefined || input.reason.trim() === '' ? null : safeLine(input.reason, 2000);
  const setting: RuleSettingRecord = { ruleId: rule.id, enabled: input.enabled, changedBy: safeLine(input.changedBy, 100), changedAt: input.at, reason };
  await store.state.rules.set(setting);
  const history = await store.state.rules.history({ ruleId: rule.id, limit: 20 });
  return {
    id: rule.id,
    title: rule.title,
    enabled: setting.enabled,
    changedBy: setting.changedBy,
    changedAt: new Date(setting.changedAt).toISOString(),
    reason,
    history: history.map((h) => ({ enabled: h.enabled, changedBy: h.changedBy, changedAt: new Date(h.changedAt).toISOString(), reason: h.reason })),
  };
}

/** Validates the named files together with the configured pack, so references by name resolve. */
export async function validateRules(config: Pick<Config, 'detect'>, files: string[]): Promise<RulesValidation> {
  if (files.length === 0) throw new AppError('usage', 'rules validate needs at least one rule file or folder.');
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new AppError('usage', `No such file: ${safeLine(missing[0], 200)}.`);
  const named = await loadRules(files, { context: ruleDirsOf(config) });
  return { rules: new Set(named.rules.map((r) => r.id)).size, files: named.files.length, errors: named.errors.map((e) => e.display()) };
}

/** Runs each rule's tests (X.tests.yml beside X.yml), or only the tests of the rules in `ids`. */
export async function testRules(config: Pick<Config, 'detect'>, ids: readonly string[] = []): Promise<RulesTestResult> {
  const loaded = await loadRules(ruleDirsOf(config));
  const errors = loaded.errors.map((e) => e.display());
  const wanted = new Set(ids);
  const testFiles: RuleTestFile[] = [];
  for (const file of loaded.files) {
    const tests = testFileFor(file);
    if (!existsSync(tests)) continue;
    const ofFile = loaded.rules.filter((r) => file.endsWith(r.file) || r.file === file);
    try {
      const tf = readRuleTests(tests, tests, ofFile);
      const target = loaded.rules.find((r) => r.id === tf.rule || r.name === tf.rule);
      if (wanted.size && !(wanted.has(tf.rule) || (target && (wanted.has(target.id) || (target.name && wanted.has(target.name)))))) continue;
      testFiles.push(tf);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(err.display());
    }
  }
  // A rule's tests are written for its own parameters, not the config's overrides.
  const results = await runRuleTests(testFiles, loaded.rules);
  return { results: results.map((r) => ({ file: r.file, ruleId: r.ruleId, name: r.name, passed: r.passed, detail: r.detail })), files: testFiles.length, errors };
}
