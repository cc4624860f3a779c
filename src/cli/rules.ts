// auditwatch rules list | validate FILE… | test [ID…]: the rule pack — what is loaded, whether given
// files are valid (every mistake with file, line and column), and each rule's own test records.

import { existsSync } from 'node:fs';
import { AppError, isAppError, safeJson, safeLine } from '../core/index.js';
import { SECTIONS, type Config } from '../config/index.js';
import { loadRules, readRuleTests, runRuleTests, testFileFor, type AnyRule, type RuleTestFile } from '../detect/index.js';
import { parseOptions } from './command.js';
import { CONFIG_OPTION, configPath, loadCliConfig } from './shared/context.js';
import { parseFormat, table } from './shared/format.js';
import { io } from './shared/io.js';
import { ruleDirsOf } from './detect.js';

const HELP = `Usage: auditwatch rules <list|validate|test> [options]

  rules list [--format table|json]     the rules loaded (built-in pack and detect.ruleDirs)
  rules validate FILE…                 check rule files; prints every mistake with file:line:column
  rules test [ID…]                     run each rule's tests (X.tests.yml beside X.yml), or only these rules

Options: --config FILE (default ./auditwatch.yaml; without it the built-in pack alone is used).`;

/** The detect section of the config, or its defaults when no config file exists and none was named. */
function detectConfig(values: { config?: string | boolean | undefined }, explicit: boolean): Pick<Config, 'detect'> {
  try {
    return loadCliConfig(values);
  } catch (err) {
    if (!explicit && isAppError(err, 'config_missing') && !existsSync(configPath(values))) {
      return { detect: SECTIONS.detect.parse({}) };
    }
    throw err;
  }
}

function describe(r: AnyRule): string {
  if (r.kind === 'rule') return `rule (${r.logsource.service ?? 'audit'})`;
  const c = r.condition;
  const cond = (['gt', 'gte', 'lt', 'lte', 'eq'] as const).filter((k) => c[k] !== undefined).map((k) => `${k} ${c[k]}`).join(' ');
  return `${r.type} ${cond} in ${r.timespanMs / 60_000}m by ${r.groupBy.join(',') || '-'}`;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    io.out(`${HELP}\n`);
    return sub ? 0 : 2;
  }
  const explicit = rest.some((a) => a === '--config' || a === '-c' || a.startsWith('--config='));
  if (sub === 'list') {
    const parsed = parseOptions(rest, { ...CONFIG_OPTION, format: { type: 'string', default: 'table' } }, HELP);
    if (!parsed) return 0;
    const format = parseFormat(parsed.values.format, ['table', 'json']);
    const config = detectConfig(parsed.values, explicit);
    const loaded = await loadRules(ruleDirsOf(config));
    for (const e of loaded.errors) process.stderr.write(`${e.display()}\n`);
    const disabled = new Set(config.detect.disabled);
    const rows = loaded.rules.map((r) => ({
      id: r.id,
      name: r.name,
      title: r.title,
      level: r.level,
      kind: describe(r),
      enabled: !disabled.has(r.id) && !(r.name !== null && disabled.has(r.name)),
      file: r.file,
      tags: r.tags.join(' '),
    }));
    if (format === 'json') io.out(rows.map((r) => `${safeJson(r)}\n`).join(''));
    else io.out(rows.length ? table(rows.map(({ tags: _t, file: _f, ...r }) => ({ ...r, enabled: r.enabled ? 'yes' : 'no' }))) : '(no rules)\n');
    return loaded.errors.length ? 1 : 0;
  }
  if (sub === 'validate') {
    const parsed = parseOptions(rest, { ...CONFIG_OPTION }, HELP, true);
    if (!parsed) return 0;
    const files = parsed.positionals;
    if (files.length === 0) throw new AppError('usage', 'rules validate needs at least one rule file or folder.');
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length) throw new AppError('usage', `No such file: ${safeLine(missing[0], 200)}.`);
    // Validate the named files together with the configured pack, so references by name resolve.
    const config = detectConfig(parsed.values, explicit);
    const named = await loadRules(files, { context: ruleDirsOf(config) });
    for (const e of named.errors) process.stderr.write(`${e.display()}\n`);
    if (named.errors.length) {
      process.stderr.write(`${named.errors.length} error${named.errors.length === 1 ? '' : 's'}; fix them and run "auditwatch rules validate" again.\n`);
      return 1;
    }
    const known = new Set(named.rules.map((r) => r.id));
    io.out(`rules OK: ${known.size} rule${known.size === 1 ? '' : 's'} in ${named.files.length} file${named.files.length === 1 ? '' : 's'}\n`);
    return 0;
  }
  if (sub === 'test') {
    const parsed = parseOptions(rest, { ...CONFIG_OPTION }, HELP, true);
    if (!parsed) return 0;
    const config = detectConfig(parsed.values, explicit);
    const loaded = await loadRules(ruleDirsOf(config));
    for (const e of loaded.errors) process.stderr.write(`${e.display()}\n`);
    const wanted = new Set(parsed.positionals);
    const testFiles: RuleTestFile[] = [];
    let failures = loaded.errors.length;
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
        process.stderr.write(`${err.display()}\n`);
        failures++;
      }
    }
    // A rule's tests are written for its own parameters, not the config's overrides.
    const results = await runRuleTests(testFiles, loaded.rules);
    for (const r of results) {
      io.out(`${r.passed ? 'ok  ' : 'FAIL'}  ${safeLine(r.ruleId, 40)}  ${safeLine(r.name, 80)}  (${safeLine(r.detail, 120)})\n`);
      if (!r.passed) failures++;
    }
    const passed = results.filter((r) => r.passed).length;
    io.out(`${passed}/${results.length} rule tests passed in ${testFiles.length} file${testFiles.length === 1 ? '' : 's'}\n`);
    if (wanted.size && testFiles.length === 0) throw new AppError('usage', `No tests for ${[...wanted].slice(0, 3).join(', ')}; see \`auditwatch rules list\`.`);
    return failures ? 1 : 0;
  }
  throw new AppError('usage', `Unknown subcommand "${safeLine(sub, 40)}"; use list, validate or test.`);
}
