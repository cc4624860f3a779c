// auditwatch validate: checks the config file and prints every mistake with its line, or "config OK".
// It also reads every secret and certificate, so a missing file or unset variable shows here first, and
// loads and compiles every rule folder, so a broken rule shows here too (exit 1).

import { parseOptions, type CliIO } from './command.js';
import { ConfigError } from '../config/index.js';
import { loadConfig } from '../service/index.js';
import { CONFIG_OPTION, configPath } from './shared/context.js';
import { loadRules } from '../detect/index.js';
import { ruleDirsOf } from '../service/index.js';
import { safeLine } from '../core/index.js';

const HELP = `Usage: auditwatch validate [--config FILE]

Checks the config file (default ./auditwatch.yaml): every key, every secret reference (environment
variables set, files present and readable) and every rule in the rule folders (loaded and compiled),
and prints each mistake with its file and line, or "config OK".`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION }, HELP, io);
  if (!parsed) return 0;
  const file = configPath(parsed.values);
  try {
    const config = loadConfig(file);
    for (const w of config.warnings) io.err(`${w}\n`);
    const tenants = config.tenants.length;
    const rules = await loadRules(ruleDirsOf(config), { disabled: config.detect.disabled });
    for (const n of rules.notices) io.err(`notice: ${safeLine(n, 400)}\n`);
    if (rules.errors.length) {
      for (const e of rules.errors) io.err(`${safeLine(e.display(), 400)}\n`);
      io.err(`${rules.errors.length} rule error${rules.errors.length === 1 ? '' : 's'} in the rule folders of ${file}; fix them (or disable the rules in detect.disabled) and run "auditwatch validate" again.\n`);
      return 1;
    }
    io.out(`config OK: ${file} (${tenants} tenant${tenants === 1 ? '' : 's'}, store ${config.store.path}, ${rules.rules.length} rules)\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const line of err.lines()) io.err(`${line}\n`);
    io.err(`${err.issues.length} error${err.issues.length === 1 ? '' : 's'} in ${file}; fix them and run "auditwatch validate" again.\n`);
    return 1;
  }
}
