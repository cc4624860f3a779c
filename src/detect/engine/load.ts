// Loading rule packs: every *.yml / *.yaml file under the given folders (rule tests, *.tests.yml,
// excluded), parsed, compiled once for validation, with every error collected. The built-in pack is the
// repository's rules/ folder, found from the package root so it works from src/ and from dist/.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, errorMessage } from '../../core/index.js';
import { compileRules } from '../compile/index.js';
import type { AnyRule } from '../sigma/ast.js';
import { parseRuleText, ruleError } from '../sigma/parse.js';

export interface LoadedRules {
  rules: AnyRule[];
  errors: AppError[];
  /** What loading decided without an error (a rule of a later folder replacing one with its id). */
  notices: string[];
  /** The rule files read, absolute. */
  files: string[];
  /** The id each refused rule document declares (parseRuleFiles), for detect.disabled. */
  refusedIds?: Map<AppError, string>;
}

/** The package root: the nearest folder above this file that holds package.json. */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new AppError('package_root', 'Cannot find the auditwatch package folder (package.json); reinstall auditwatch.');
    dir = up;
  }
}

/** The built-in rule pack folder. */
export function builtinRulesDir(): string {
  return join(packageRoot(), 'rules');
}

export function isTestFile(path: string): boolean {
  return /\.tests\.ya?ml$/i.test(path);
}

/** Rule files under a folder (recursively) or the file itself, sorted. */
export function ruleFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...ruleFiles(full));
    else if (/\.ya?ml$/i.test(entry.name) && !isTestFile(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Parses rule files; `display` turns an absolute path into what errors show. */
export function parseRuleFiles(files: string[], display: (f: string) => string = (f) => f): LoadedRules {
  const rules: AnyRule[] = [];
  const errors: AppError[] = [];
  const refusedIds = new Map<AppError, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      errors.push(new AppError('rule_unreadable', `Cannot read ${display(file)}: ${errorMessage(err)}; check the path.`, { location: { file: display(file) } }));
      continue;
    }
    const parsed = parseRuleText(text, display(file));
    rules.push(...parsed.rules);
    errors.push(...parsed.errors);
    for (const [e, id] of parsed.refusedIds ?? []) refusedIds.set(e, id);
  }
  const seen = new Map<string, AnyRule>();
  for (const r of rules) {
    const prior = seen.get(r.id);
    if (prior) errors.push(ruleError(r.file, r.pos, 'id', `duplicate rule id "${r.id}" (also in ${prior.file}:${prior.pos.line})`));
    else seen.set(r.id, r);
  }
  return { rules, errors, notices: [], files, refusedIds };
}

/**
 * Loads every rule under the folders, validates them (parse, field mapping, correlation references)
 * and returns the valid rules with every error. Missing folders are an error each. Rules under
 * `context` folders only resolve correlation references; they are neither returned nor validated.
 */
export async function loadRules(dirs: string[], options: { context?: string[]; disabled?: readonly string[] } = {}): Promise<LoadedRules> {
  const files: string[] = [];
  const errors: AppError[] = [];
  const notices: string[] = [];
  const cwd = process.cwd();
  const display = (f: string) => {
    const rel = relative(cwd, f);
    return rel.startsWith('..') ? f : rel;
  };
  // Folder by folder: a rule of a later folder (the user's) replaces a rule with the same id from an
  // earlier one (the built-in pack), with a notice; the same id twice within one folder is an error.
  const byId = new Map<string, AnyRule>();
  const loadedRules: AnyRule[] = [];
  for (const dir of dirs) {
    const abs = resolve(dir);
    if (!existsSync(abs)) {
      errors.push(new AppError('rules_missing', `The rule folder ${dir} does not exist; fix detect.ruleDirs in the config.`, { location: { file: dir } }));
      continue;
    }
    const own = ruleFiles(abs);
    files.push(...own);
    const parsedDir = parseRuleFiles(own, display);
    // detect.disabled also silences a rule that does not load (by the id its document declares).
    const off = new Set(options.disabled ?? []);
    errors.push(...parsedDir.errors.filter((e) => !off.has(parsedDir.refusedIds?.get(e) ?? '')));
    const firstOfId = new Set<string>();
    for (const r of parsedDir.rules) {
      if (firstOfId.has(r.id)) continue; // the duplicate within the folder is an error above
      firstOfId.add(r.id);
      const prior = byId.get(r.id);
      if (prior) {
        loadedRules.splice(loadedRules.indexOf(prior), 1);
        notices.push(`${r.file}:${r.pos.line}: rule ${r.id} replaces the one with that id in ${prior.file}:${prior.pos.line}.`);
      }
      byId.set(r.id, r);
      loadedRules.push(r);
    }
  }
  // detect.disabled applies before compiling: a disabled rule is neither checked nor run.
  const disabled = new Set(options.disabled ?? []);
  const parsed = { rules: loadedRules.filter((r) => !disabled.has(r.id) && !(r.name !== null && disabled.has(r.name))) };
  // Keep only rules that compile: detection rules on their own, correlations with valid references.
  const valid: AnyRule[] = [];
  for (const r of parsed.rules) {
    if (r.kind !== 'rule') continue;
    const res = compileRules([r], 'duckdb');
    if (res.errors.length) errors.push(...res.errors);
    else valid.push(r);
  }
  // Context folders (e.g. the configured pack when validating single files) resolve references only.
  const own = new Set(files);
  const contextFiles = (options.context ?? []).filter((d) => existsSync(d)).flatMap((d) => ruleFiles(resolve(d))).filter((f) => !own.has(f));
  const context = parseRuleFiles(contextFiles, display).rules.filter((r) => r.kind === 'rule' && compileRules([r], 'duckdb').errors.length === 0);
  const detections = [...valid, ...context];
  const correlations = parsed.rules.filter((r) => r.kind === 'correlation');
  const chains = (r: AnyRule) => r.kind === 'correlation' && r.rules.some((ref) => correlations.some((c) => c.id === ref || c.name === ref));
  // A chaining correlation (Sigma chaining, one level) resolves against the file set's correlations; an
  // error of a referenced correlation is reported once, at that correlation.
  for (const r of correlations) {
    if (r.kind !== 'correlation') continue;
    const others = chains(r) ? correlations.filter((c) => c !== r) : [];
    const res = compileRules([r, ...detections, ...others], 'duckdb');
    // Errors of the other correlations are reported at them (their own turn), not again here.
    const lines = new Set([r.pos.line, r.at.rules.line, r.at.groupBy.line, r.at.timespan.line, r.at.condition.line]);
    const own = others.length ? res.errors.filter((e) => e.location?.file === r.file && lines.has(e.location.line ?? -1)) : res.errors;
    if (own.length) errors.push(...own);
    else if (res.compiled.some((c) => c.kind !== 'rule' && c.rule.id === r.id)) valid.push(r);
  }
  return { rules: valid, errors, notices, files };
}
