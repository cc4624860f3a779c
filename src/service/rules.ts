// The rules of a config (the built-in pack unless detect.builtin is false, and detect.ruleDirs) and the
// rule operations: list, validate files, run each rule's own tests. Rule mistakes are data
// (`file:line:col: message [code]` lines), shown by the caller.

import { existsSync } from 'node:fs';
import { AppError, safeLine } from '../core/index.js';
import { builtinRulesDir, loadRules, readRuleTests, runRuleTests, testFileFor, type AnyRule, type RuleFailure, type RuleOverride, type RuleTestFile } from '../detect/index.js';
import type { Config } from './config.js';
import type { RuleInfo, RulesList, RulesTestResult, RulesValidation } from './operations.js';

/** The rule folders of a config: the built-in pack (unless detect.builtin is false) and detect.ruleDirs. */
export function ruleDirsOf(config: Pick<Config, 'detect'>): string[] {
  return [...(config.detect.builtin ? [builtinRulesDir()] : []), ...config.detect.ruleDirs];
}

/**
 * Loads the config's rules. A rule that fails to load or compile is reported with file:line (`warn`) and
 * skipped; the others run (the same in detect, hunt, eval and the daemon).
 */
export async function rulesOf(config: Pick<Config, 'detect'>, warn: (text: string) => void, notice: (text: string) => void = warn): Promise<AnyRule[]> {
  const loaded = await loadRules(ruleDirsOf(config), { disabled: config.detect.disabled });
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
  const c = r.condition;
  const cond = (['gt', 'gte', 'lt', 'lte', 'eq'] as const).filter((k) => c[k] !== undefined).map((k) => `${k} ${c[k]}`).join(' ');
  return `${r.type} ${cond} in ${r.timespanMs / 60_000}m by ${r.groupBy.join(',') || '-'}`;
}

export async function listRules(config: Pick<Config, 'detect'>): Promise<RulesList> {
  const loaded = await loadRules(ruleDirsOf(config));
  const disabled = new Set(config.detect.disabled);
  const rules: RuleInfo[] = loaded.rules.map((r) => ({
    id: r.id,
    name: r.name,
    title: r.title,
    level: r.level,
    kind: describe(r),
    enabled: !disabled.has(r.id) && !(r.name !== null && disabled.has(r.name)),
    file: r.file,
    tags: r.tags.join(' '),
  }));
  return { rules, errors: loaded.errors.map((e) => e.display()) };
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
