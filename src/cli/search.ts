// auditwatch search: the dashboard's event search on the command line — filters by event time, user,
// IP, operation, workload, result, tenant and free text; newest first, a page at a time (--cursor), or
// every match up to 100,000 as CSV. When the collect daemon holds the store, it runs the search.

import { AppError } from '../core/index.js';
import type { EventSearchInput } from '../service/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { answer, withOperations } from './shared/session.js';
import { jsonLines, parseFormat, table, type OutputRow } from './shared/format.js';

const HELP = `Usage: auditwatch search [--config FILE] [--since 7d] [--until TIME] [--user U] [--ip IP]
                         [--operation OP] [--workload W] [--result R] [--tenant T] [--text TEXT]
                         [--limit N] [--cursor C] [--format table|json|csv]

Searches the stored events, newest first. --since and --until are event times: an ISO time or a
duration ago (24h, 7d); default the last 7 days. --user (UserId) and --operation, --workload, --result
match case-insensitively and exactly; --ip exactly; --tenant is a configured tenant name or a tenant
id; --text is a case-insensitive substring of the raw record.
table (default) and json print one page (--limit, default 100, at most 1000) and, when there is more,
the --cursor of the next page on stderr; csv prints every match up to 100,000 (or --limit) as CSV that
is safe to open in a spreadsheet.`;

const FILTERS = ['since', 'until', 'user', 'ip', 'operation', 'workload', 'result', 'tenant'] as const;
const COLUMNS = ['time', 'user', 'ip', 'country', 'operation', 'workload', 'result', 'tenant', 'id'];

export async function run(args: string[], io: CliIO): Promise<number> {
  const str = { type: 'string' } as const;
  const parsed = parseOptions(
    args,
    { ...CONFIG_OPTION, since: str, until: str, user: str, ip: str, operation: str, workload: str, result: str, tenant: str, text: str, limit: str, cursor: str, format: { type: 'string', short: 'f', default: 'table' } },
    HELP,
    io,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  const format = parseFormat(v.format);
  const input: EventSearchInput = {};
  for (const f of FILTERS) if (v[f] !== undefined) input[f] = v[f];
  if (v.text !== undefined) input.q = v.text;
  if (v.limit !== undefined) {
    const n = Number(v.limit);
    const max = format === 'csv' ? 100_000 : 1000;
    if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('usage', `--limit must be a whole number from 1 to ${max}; see --help.`);
    input.limit = n;
  }
  if (v.cursor !== undefined && format === 'csv') throw new AppError('usage', '--cursor pages the table and json formats; csv prints every match (up to --limit) at once.');
  if (v.cursor !== undefined) input.cursor = v.cursor;
  const config = loadCliConfig(v, io, { readSecrets: false });
  return withOperations(config, io, { label: 'search', notice: 'ask' }, async (ops) => {
    if (format === 'csv') {
      const file = answer(io, 'search', await ops.eventsCsv(input));
      io.out(file.content.replace(/^\uFEFF/, ''));
      return 0;
    }
    const page = answer(io, 'search', await ops.eventsSearch(input));
    const rows = page.events as unknown as OutputRow[];
    io.out(format === 'json' ? jsonLines(rows) : rows.length ? table(rows, { columns: COLUMNS, maxWidth: 48 }) : '(no events)\n');
    if (page.nextCursor) io.err(`auditwatch search: more events match; the next page: --cursor ${page.nextCursor}\n`);
    return 0;
  });
}
