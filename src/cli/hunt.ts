// auditwatch hunt RULE.yml… --since 30d: runs ad-hoc rules over history and prints every hit. Nothing
// is stored: no alerts, no detection state; evidence already alerted on is shown again.

import { AppError, systemClock } from '../core/index.js';
import { createDetector, learnIdentitiesFromStore, loadRules } from '../detect/index.js';
import { parseOptions } from './command.js';
import { CONFIG_OPTION, loadCliConfig, openConfiguredStore } from './shared/context.js';
import { parseFormat } from './shared/format.js';
import { detectorLogger, overridesOf, printHits, reportRuleErrors, reportRuleFailures, ruleDirsOf, timeOption } from './detect.js';

const HELP = `Usage: auditwatch hunt RULE.yml… [--since 30d] [--to TIME] [--format table|json] [--config FILE]

Runs the rules in the given files (Sigma rules or correlations; a correlation may refer to rules of the
configured pack by name or id) over the stored records of the period, and prints every hit. Stores
nothing.
  --since D     a duration ago (30d) or an ISO time; default 30d
  --to TIME     ISO time or a duration ago; default now
  --format F    table (default) or json (one object a line, as auditwatch detect)`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(
    args,
    { ...CONFIG_OPTION, since: { type: 'string', default: '30d' }, to: { type: 'string' }, format: { type: 'string', default: 'table' } },
    HELP,
    true,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw new AppError('usage', 'hunt needs a rule file; see --help.');
  const format = parseFormat(v.format, ['table', 'json']) as 'table' | 'json';
  const now = systemClock.now();
  const to = timeOption(v.to, now, now, '--to');
  const from = timeOption(v.since, now - 30 * 86_400_000, now, '--since');
  if (from >= to) throw new AppError('usage', '--since must be before --to.');
  const config = loadCliConfig(v);
  const hunted = await loadRules(parsed.positionals, { context: ruleDirsOf(config) });
  reportRuleErrors(hunted.errors);
  if (hunted.rules.length === 0) {
    throw new AppError(hunted.errors.length ? 'rules_invalid' : 'usage', hunted.errors.length ? `No hunted rule loads (${hunted.errors.length} error(s) above); fix them and hunt again.` : 'The hunted files hold no rule.');
  }
  const own = new Set(hunted.rules.map((r) => r.id));
  // The pack only resolves references here; its broken rules are reported by detect and rules validate.
  const pack = await loadRules(ruleDirsOf(config), { disabled: config.detect.disabled });
  const rules = [...hunted.rules, ...pack.rules.filter((r) => !own.has(r.id) && r.kind === 'rule')];
  const logger = detectorLogger(config);
  const store = await openConfiguredStore(config, { logger });
  try {
    const detector = createDetector({ store, clock: systemClock, logger, rules, overrides: overridesOf(config) });
    const ruleIds = detector.rules.filter((c) => own.has(c.rule.id) && (c.kind === 'correlation' || c.emits)).map((c) => c.rule.id);
    // Identities from records ingested since the last pass (collect/import do not wait for detection).
    await learnIdentitiesFromStore(store, systemClock.now());
    const hits = await detector.hunt({ from, to, ruleIds });
    printHits(hits, format);
    reportRuleFailures(detector.failures());
    return 0;
  } finally {
    await store.close();
  }
}
