// auditwatch eval: measures the rule pack against the emulator's ground truth — per scenario whether an
// alert's evidence holds its records, recall over the attacks, and every false positive (alerts on
// benign look-alikes or on no scenario at all). Exit code 1 when recall is below 100 % or any false
// positive exists, so CI can gate rule changes on it.

import { AppError, safeJson, safeLine, systemClock } from '../core/index.js';
import { builtinRulesDir, describeMissing, evaluate, loadRules, type EvalReport } from '../detect/index.js';
import { parseOptions, type CliIO } from './command.js';
import { loadCliConfig } from './shared/context.js';
import { openConfiguredStore } from '../service/index.js';
import { parseFormat, table } from './shared/format.js';
import { overridesOf, rulesOf } from '../service/index.js';
import { cliLogger } from './shared/context.js';

const HELP = `Usage: auditwatch eval --emulator URL [--format table|json] [--config FILE]

Measures the detection rules against the emulator's ground truth (its injected attacks and benign
look-alikes). Without --config, the emulator's tenants are collected into a temporary store (its
request quota lifted meanwhile, passes repeated until every published record is stored, else eval
fails naming what is missing) and the built-in pack runs over them; with --config, the configured
store (already collected from that emulator) and the configured rules are used as they are (GeoIP
fields as ingest stored them; a warning names the records the store lacks), and nothing is written
but learned identities.
  --emulator URL   the emulator, e.g. http://127.0.0.1:8443 (see "auditwatch emulator")
  --format F       table (default) or json: {"scenarios": [{"name", "label", "found", …}], "recall",
                   "falsePositives": […], …}
  --config FILE    use this config's store and rules
Exit code 1 when an attack was missed or any false positive was raised.`;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function printReport(io: CliIO, r: EvalReport, format: 'table' | 'json'): void {
  if (format === 'json') {
    io.out(`${safeJson(r)}\n`);
    return;
  }
  io.out(
    table(
      r.scenarios.map((s) => ({
        scenario: s.name,
        label: s.label,
        found: s.found ? 'yes' : 'no',
        coverage: pct(s.coverage),
        records: `${s.stored}/${s.records}`,
        rules: s.rules.join(' '),
      })),
    ),
  );
  const attacks = r.scenarios.filter((s) => s.label === 'attack');
  io.out(`recall ${pct(r.recall)} (${attacks.filter((s) => s.found).length}/${attacks.length} attacks found), precision ${pct(r.precision)} (${r.alerts} alerts)\n`);
  if (r.falsePositives.length === 0) io.out('false positives: none\n');
  else {
    io.out(`false positives: ${r.falsePositives.length}\n`);
    io.out(
      table(
        r.falsePositives.map((f) => ({
          rule: f.rule,
          title: f.title,
          reason: f.reason,
          scenario: f.scenario,
          firstSeen: f.firstSeen.slice(0, 19),
          count: f.count,
          evidence: f.evidence.slice(0, 3).join(' '),
        })),
      ),
    );
  }
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(
    args,
    {
      emulator: { type: 'string' },
      format: { type: 'string', default: 'table' },
      config: { type: 'string', short: 'c' },
    },
    HELP,
    io,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  const format = parseFormat(v.format, ['table', 'json']) as 'table' | 'json';
  if (!v.emulator) throw new AppError('usage', 'eval needs --emulator URL (the address "auditwatch emulator" printed).');
  let report: EvalReport;
  if (v.config !== undefined) {
    const config = loadCliConfig({ config: v.config }, io);
    const rules = await rulesOf(config, (t) => io.err(`auditwatch: warning: ${t}\n`), (t) => io.err(`auditwatch: notice: ${t}\n`));
    const logger = cliLogger(config, io, { part: 'detect' });
    const store = await openConfiguredStore(config, { logger });
    try {
      report = await evaluate({ emulator: v.emulator, rules, overrides: overridesOf(config), disabled: config.detect.disabled, store, logger, clock: systemClock });
    } finally {
      await store.close();
    }
  } else {
    const loaded = await loadRules([builtinRulesDir()]);
    if (loaded.errors.length) {
      for (const e of loaded.errors) io.err(`${e.display()}\n`);
      throw new AppError('rules_invalid', `${loaded.errors.length} built-in rule error(s); reinstall auditwatch.`);
    }
    report = await evaluate({ emulator: v.emulator, rules: loaded.rules });
  }
  printReport(io, report, format);
  if (Object.keys(report.missing).length) {
    io.err(`auditwatch eval: warning: the store lacks records the emulator has published (${safeLine(describeMissing(report.missing), 200)}); run "auditwatch collect --once" against it, then eval again.\n`);
  }
  const missed = report.scenarios.filter((s) => s.label === 'attack' && !s.found);
  for (const m of missed) io.err(`auditwatch eval: attack "${safeLine(m.name, 60)}" was not found\n`);
  return missed.length || report.falsePositives.length ? 1 : 0;
}

