// auditwatch hunt RULE.yml… --since 30d: runs ad-hoc rules over history and prints every hit. Nothing
// is stored: no alerts, no detection state; evidence already alerted on is shown again.

import { resolve } from 'node:path';
import { AppError } from '../core/index.js';
import { timeOption } from '../service/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { parseFormat } from './shared/format.js';
import { answer, withOperations } from './shared/session.js';
import { printHits } from './detect.js';

const HELP = `Usage: auditwatch hunt RULE.yml… [--since 30d] [--to TIME] [--format table|json] [--config FILE]

Runs the rules in the given files (Sigma rules or correlations; a correlation may refer to rules of the
configured pack by name or id) over the stored records of the period, and prints every hit. Stores
nothing.
  --since D     a duration ago (30d) or an ISO time; default 30d
  --to TIME     ISO time or a duration ago; default now
  --format F    table (default) or json (one object a line, as auditwatch detect)`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(
    args,
    { ...CONFIG_OPTION, since: { type: 'string', default: '30d' }, to: { type: 'string' }, format: { type: 'string', default: 'table' } },
    HELP,
    io,
    true,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw new AppError('usage', 'hunt needs a rule file; see --help.');
  const format = parseFormat(v.format, ['table', 'json']) as 'table' | 'json';
  const now = Date.now();
  if (timeOption(v.since, now - 30 * 86_400_000, now, '--since') >= timeOption(v.to, now, now, '--to')) throw new AppError('usage', '--since must be before --to.');
  const config = loadCliConfig(v, io);
  // The daemon reads the files when it holds the store: absolute paths (its working folder may differ).
  const input = { files: parsed.positionals.map((f) => resolve(f)), ...(v.since !== undefined ? { since: v.since } : {}), ...(v.to !== undefined ? { to: v.to } : {}) };
  const hits = await withOperations(config, io, { label: 'hunt', notice: 'run' }, async (ops) => answer(io, 'hunt', await ops.hunt(input)));
  printHits(io, hits, format);
  return 0;
}
