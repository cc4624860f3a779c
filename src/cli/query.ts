// auditwatch query "SQL": a read-only query over the store (events, ledger, gaps, …) for power users.
// When the collect daemon holds the DuckDB file, the query is sent to it over its local control API.

import { AppError } from '../core/index.js';
import { parseOptions, type CliIO } from './command.js';
import { askDaemon, readEndpoint } from '../server/control.js';
import { CONFIG_OPTION, isStoreLocked, loadCliConfig, openConfiguredStore } from '../service/open-store.js';
import { parseFormat, render, type OutputRow } from './shared/format.js';

const HELP = `Usage: auditwatch query [--config FILE] [--format table|json|csv] "SQL"

Runs one read-only statement (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN) over the store. The events table
is "events" (columns in the README). --format json prints one JSON object per row; csv is safe to open
in a spreadsheet; table (default) escapes control characters and cuts long values.
When the collect daemon runs, the query goes through it (it holds the store).`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, format: { type: 'string', short: 'f', default: 'table' } }, HELP, true);
  if (!parsed) return 0;
  const format = parseFormat(parsed.values.format);
  if (parsed.positionals.length !== 1) throw new AppError('usage', 'Give the SQL as one argument, in quotes: auditwatch query "SELECT count(*) FROM events".');
  const sqlText = parsed.positionals[0]!;
  const config = loadCliConfig(parsed.values, { readSecrets: false });
  const rows = await queryRows(config.store.path, () => openConfiguredStore(config), sqlText);
  io.out(render(rows, format));
  return 0;
}

/** Opens the store and queries it, or, when the daemon holds it, asks the daemon (saying so on stderr). */
async function queryRows(storePath: string, open: () => ReturnType<typeof openConfiguredStore>, sqlText: string): Promise<OutputRow[]> {
  let store;
  try {
    store = await open();
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
    const ep = readEndpoint(storePath);
    process.stderr.write(`auditwatch query: the store is held by the collect daemon${ep ? ` (pid ${ep.pid})` : ''}; asking it.\n`);
    const res = await askDaemon<{ rows: OutputRow[] }>(storePath, '/query', { sql: sqlText });
    return res.rows;
  }
  try {
    return (await store.queryReadOnly(sqlText)) as OutputRow[];
  } finally {
    await store.close();
  }
}
