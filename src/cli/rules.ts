// auditwatch rules list | validate FILE… | test [ID…] | enable|disable ID: the rule pack — what is
// loaded (and whether each rule is enabled, by whom), whether given files are valid (every mistake with
// file, line and column), each rule's own test records, and an admin's switch of a rule, recorded in the
// state store with who and why (the same operation as POST /api/v1/rules/:id/enable|disable).

import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AppError, isAppError, safeJson, safeLine } from '../core/index.js';
import { listRules, SECTIONS, type Config, type RuleInfo } from '../service/index.js';
import { loadRules, readRuleTests, runRuleTests, testFileFor, type RuleTestFile } from '../detect/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, configPath, loadCliConfig } from './shared/context.js';
import { parseFormat, table } from './shared/format.js';
import { ruleDirsOf } from '../service/index.js';
import { answer, withOperations } from './shared/session.js';

const HELP = `Usage: auditwatch rules <list|validate|test|enable|disable> [options]

  rules list [--format table|json]     the rules loaded (built-in pack and detect.ruleDirs), each enabled
                                       or not and from where: store (enable/disable), config
                                       (detect.disabled) or default
  rules validate FILE…                 check rule files; prints every mistake with file:line:column
  rules test [ID…]                     run each rule's tests (X.tests.yml beside X.yml), or only these rules
  rules enable ID [--reason TEXT]      switch a rule on or off in the state store, recorded with who and
  rules disable ID [--reason TEXT]     why; this wins over detect.disabled (the newer decision)

Options: --config FILE (default ./auditwatch.yaml; without it the built-in pack alone is used);
--as NAME (or --actor NAME): who changes a rule (default the OS user).`;

/** The detect section of the config, or its defaults when no config file exists and none was named. */
function detectConfig(values: { config?: string | boolean | undefined }, explicit: boolean, io: CliIO): Pick<Config, 'detect'> {
  try {
    return loadCliConfig(values, io);
  } catch (err) {
    if (!explicit && isAppError(err, 'config_missing') && !existsSync(configPath(values))) {
      return { detect: SECTIONS.detect.parse({}) };
    }
    throw err;
  }
}

function tableRow(r: RuleInfo): Record<string, string | number | null> {
  return {
    id: r.id,
    name: r.name,
    title: r.title,
    level: r.level,
    kind: r.kind,
    enabled: r.enabled ? 'yes' : 'no',
    from: r.enabledFrom,
    changedBy: r.changedBy,
    lastHit: r.lastHitAt,
    hits7d: r.hits7d,
  };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    io.out(`${HELP}\n`);
    return sub ? 0 : 2;
  }
  const explicit = rest.some((a) => a === '--config' || a === '-c' || a.startsWith('--config='));
  if (sub === 'list') {
    const parsed = parseOptions(rest, { ...CONFIG_OPTION, format: { type: 'string', default: 'table' } }, HELP, io);
    if (!parsed) return 0;
    const format = parseFormat(parsed.values.format, ['table', 'json']);
    const config = detectConfig(parsed.values, explicit, io);
    // With a config: the store's settings and alert figures too (in-process, or from the daemon).
    const list = 'store' in config ? await withOperations(config as Config, io, { label: 'rules', notice: 'ask' }, async (ops) => answer(io, 'rules', await ops.rulesList({}))) : await listRules(config);
    for (const e of list.errors) io.err(`${e}\n`);
    const rows = list.rules.filter((r) => r.loadError === null);
    if (format === 'json') io.out(rows.map((r) => `${safeJson(r)}\n`).join(''));
    else io.out(rows.length ? table(rows.map(tableRow)) : '(no rules)\n');
    return list.errors.length ? 1 : 0;
  }
  if (sub === 'enable' || sub === 'disable') {
    const parsed = parseOptions(rest, { ...CONFIG_OPTION, reason: { type: 'string' }, as: { type: 'string' }, actor: { type: 'string' } }, HELP, io, true);
    if (!parsed) return 0;
    const [id, ...extra] = parsed.positionals;
    if (!id || extra.length) throw new AppError('usage', `rules ${sub} takes one rule id (or name); see \`auditwatch rules list\`.`);
    const config = loadCliConfig(parsed.values, io);
    const changedBy = safeLine(parsed.values.as ?? parsed.values.actor ?? userInfo().username, 100);
    const input = { id, changedBy, ...(parsed.values.reason !== undefined ? { reason: parsed.values.reason } : {}) };
    const done = await withOperations(config, io, { label: 'rules', notice: 'run' }, async (ops) => answer(io, 'rules', await (sub === 'enable' ? ops.rulesEnable(input) : ops.rulesDisable(input))));
    io.out(`rule ${safeLine(done.id, 80)} (${safeLine(done.title, 100)}) ${done.enabled ? 'enabled' : 'disabled'} by ${safeLine(done.changedBy, 100)}${done.reason ? `: ${safeLine(done.reason, 200)}` : ''}\n`);
    return 0;
  }
  if (sub === 'validate') {
    const parsed = parseOptions(rest, { ...CONFIG_OPTION }, HELP, io, true);
    if (!parsed) return 0;
    const files = parsed.positionals;
    if (files.length === 0) throw new AppError('usage', 'rules validate needs at least one rule file or folder.');
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length) throw new AppError('usage', `No such file: ${safeLine(missing[0], 200)}.`);
    // Validate the named files together with the configured pack, so references by name resolve.
    const config = detectConfig(parsed.values, explicit, io);
    const named = await loadRules(files, { context: ruleDirsOf(config) });
    for (const e of named.errors) io.err(`${e.display()}\n`);
    if (named.errors.length) {
      io.err(`${named.errors.length} error${named.errors.length === 1 ? '' : 's'}; fix them and run "auditwatch rules validate" again.\n`);
      return 1;
    }
    const known = new Set(named.rules.map((r) => r.id));
    io.out(`rules OK: ${known.size} rule${known.size === 1 ? '' : 's'} in ${named.files.length} file${named.files.length === 1 ? '' : 's'}\n`);
    return 0;
  }
  if (sub === 'test') {
    const parsed = parseOptions(rest, { ...CONFIG_OPTION }, HELP, io, true);
    if (!parsed) return 0;
    const config = detectConfig(parsed.values, explicit, io);
    const loaded = await loadRules(ruleDirsOf(config));
    for (const e of loaded.errors) io.err(`${e.display()}\n`);
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
        io.err(`${err.display()}\n`);
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
  throw new AppError('usage', `Unknown subcommand "${safeLine(sub, 40)}"; use list, validate, test, enable or disable.`);
}
