// auditwatch query "SQL": a read-only query over the store (events, ledger, gaps, …) for power users.
// When the collect daemon holds the DuckDB file, the query is sent to it over its HTTP API.

import { AppError } from '../core/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { answer, withOperations } from './shared/session.js';
import { parseFormat, render, type OutputRow } from './shared/format.js';

const HELP = `Usage: auditwatch query [--config FILE] [--format table|json|csv] "SQL"

Runs one read-only statement (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) over the store. The events table
is "events" (columns in the README). --format json prints one JSON object per row; csv is safe to open
in a spreadsheet; table (default) escapes control characters and cuts long values.
When the collect daemon runs, the query goes through it (it holds the store).`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, format: { type: 'string', short: 'f', default: 'table' } }, HELP, io, true);
  if (!parsed) return 0;
  const format = parseFormat(parsed.values.format);
  if (parsed.positionals.length !== 1) throw new AppError('usage', 'Give the SQL as one argument, in quotes: auditwatch query "SELECT count(*) FROM events".');
  const sqlText = parsed.positionals[0]!;
  const config = loadCliConfig(parsed.values, io, { readSecrets: false });
  const rows = await withOperations(config, io, { label: 'query', notice: 'ask' }, async (ops) => answer(io, 'query', await ops.query({ sql: sqlText })));
  io.out(render(rows as OutputRow[], format));
  return 0;
}
