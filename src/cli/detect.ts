// auditwatch detect: runs the rules over an event-time range through the service (new hits become
// alerts: stored, de-duplicated, routed) and prints them: a table, or one JSON object a line.
// Also the printing shared by the detection commands.

import { AppError, safeJson } from '../core/index.js';
import type { HitFields } from '../alerts/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { parseFormat, table } from './shared/format.js';
import { answer, withOperations } from './shared/session.js';
import { timeOption } from '../service/index.js';

const HELP = `Usage: auditwatch detect [--from TIME] [--to TIME] [--rule ID]… [--format table|json] [--config FILE]

Runs the detection rules (the built-in pack and detect.ruleDirs) over the records whose event time is
in [--from, --to), stores new alerts and prints them. Evidence that already raised an alert is not
reported again.
  --from TIME     ISO time (2026-03-01T00:00:00Z) or a duration ago (24h, 7d); default 24h
  --to TIME       ISO time or a duration ago; default now
  --rule ID       only this rule (id or name); repeat for several
  --format F      table (default) or json: one object a line with rule, title, severity, entities,
                  firstSeen, lastSeen, count, evidence`;

export function printHits(io: CliIO, hits: HitFields[], format: 'table' | 'json'): void {
  if (format === 'json') {
    io.out(hits.map((h) => `${safeJson(h)}\n`).join(''));
    return;
  }
  if (hits.length === 0) {
    io.out('no new hits\n');
    return;
  }
  const rows = hits.map((h) => ({
    severity: h.severity,
    title: h.title,
    users: (h.entities.users ?? []).join(' '),
    ips: (h.entities.ips ?? []).join(' '),
    firstSeen: h.firstSeen.slice(0, 19),
    lastSeen: h.lastSeen.slice(0, 19),
    count: h.count,
  }));
  io.out(table(rows));
  io.out(`${hits.length} hit${hits.length === 1 ? '' : 's'}\n`);
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(
    args,
    {
      ...CONFIG_OPTION,
      from: { type: 'string' },
      to: { type: 'string' },
      rule: { type: 'string', multiple: true },
      format: { type: 'string', default: 'table' },
    },
    HELP,
    io,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  const format = parseFormat(v.format, ['table', 'json']) as 'table' | 'json';
  // Usage mistakes first, before the config (the service checks the same again).
  const now = Date.now();
  if (timeOption(v.from, now - 24 * 3_600_000, now, '--from') >= timeOption(v.to, now, now, '--to')) throw new AppError('usage', '--from must be before --to.');
  const config = loadCliConfig(v, io);
  const input = { ...(v.from !== undefined ? { from: v.from } : {}), ...(v.to !== undefined ? { to: v.to } : {}), ...(v.rule ? { rules: v.rule } : {}) };
  const hits = await withOperations(config, io, { label: 'detect', notice: 'run' }, async (ops) => answer(io, 'detect', await ops.detect(input)));
  printHits(io, hits, format);
  return 0;
}
