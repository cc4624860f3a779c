// auditwatch status: the collection state per tenant × content type, from the store, or from the collect
// daemon over its control API when the daemon holds the store (it says so).

import { safeJson, systemClock } from '../core/index.js';
import { loadRules } from '../detect/index.js';
import { ruleDirsOf } from './detect.js';
import { loadProblem, ruleProblemLine } from './shared/pipeline.js';
import { parseOptions } from './command.js';
import { askDaemon, readEndpoint } from './shared/control.js';
import { CONFIG_OPTION, isStoreLocked, loadCliConfig, openConfiguredStore } from './shared/context.js';
import { parseFormat } from './shared/format.js';
import { computeStatus, renderStatus, type StatusReport } from './shared/status-report.js';
import { io } from './shared/io.js';

const HELP = `Usage: auditwatch status [--config FILE] [--format table|json]

Per tenant × content type: subscription state, cursor, lag (now − newest contentCreated) and event lag,
last error, records and blobs today, gaps, dead letters; warnings for types silent longer than usual
and for content that expired before it was collected. --format json prints one JSON object.
When the collect daemon runs, the status comes from it (it holds the store).`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, format: { type: 'string', short: 'f', default: 'table' } }, HELP);
  if (!parsed) return 0;
  const format = parseFormat(parsed.values.format, ['table', 'json']);
  const config = loadCliConfig(parsed.values, { readSecrets: false });
  let report: StatusReport;
  try {
    const store = await openConfiguredStore(config);
    try {
      report = await computeStatus(store, config.tenants, systemClock.now());
    } finally {
      await store.close();
    }
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
    const ep = readEndpoint(config.store.path);
    process.stderr.write(`auditwatch status: the store is held by the collect daemon${ep ? ` (pid ${ep.pid})` : ''}; asking it.\n`);
    report = await askDaemon<StatusReport>(config.store.path, '/status');
  }
  if (report.source === 'store') {
    // Without the daemon: the rules that would be skipped because they do not load or compile.
    const loaded = await loadRules(ruleDirsOf(config), { disabled: config.detect.disabled });
    for (const e of loaded.errors) report.warnings.push(ruleProblemLine(loadProblem(e)));
  }
  io.out(format === 'json' ? `${safeJson(report)}\n` : renderStatus(report));
  return 0;
}
