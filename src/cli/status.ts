// auditwatch status: the collection state per tenant × content type, from the store, or from the collect
// daemon over its HTTP API when the daemon holds the store (it says so).

import { safeJson } from '../core/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { withOperations } from './shared/session.js';
import { parseFormat } from './shared/format.js';
import { renderStatus } from '../service/index.js';

const HELP = `Usage: auditwatch status [--config FILE] [--format table|json]

Per tenant × content type: subscription state, cursor, lag (now − newest contentCreated) and event lag,
last error, records and blobs today, gaps, dead letters; warnings for types silent longer than usual
and for content that expired before it was collected. --format json prints one JSON object.
When the collect daemon runs, the status comes from it (it holds the store), with each tenant's
request budget: the rate now, its ceiling (collect.requestsPerMinute) and the AF429 answers met.
On a shared ClickHouse + PostgreSQL store it also shows which collect process (host/pid) holds each
tenant × content type lease, the processes alive and the leader lease, each with its expiry.`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, format: { type: 'string', short: 'f', default: 'table' } }, HELP, io);
  if (!parsed) return 0;
  const format = parseFormat(parsed.values.format, ['table', 'json']);
  const config = loadCliConfig(parsed.values, io, { readSecrets: false });
  const report = await withOperations(config, io, { label: 'status', notice: 'ask' }, async (ops) => (await ops.status({})).data);
  io.out(format === 'json' ? `${safeJson(report)}\n` : renderStatus(report));
  return 0;
}
