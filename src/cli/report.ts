// auditwatch report: runs a built-in report over a period and writes it as CSV, JSON or HTML (to a file
// or stdout); `report list` names the reports; `report runs` shows what the schedules produced.

import { extname } from 'node:path';
import { AppError, safeLine, writePrivateFile } from '../core/index.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../reports/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { jsonLines, parseFormat, table } from './shared/format.js';
import { answer, withOperations } from './shared/session.js';
import { reportInfos } from '../service/index.js';

const HELP = `Usage: auditwatch report NAME [--from TIME] [--to TIME] [--period P] [--format csv|json|html] [--out FILE]
       auditwatch report list [--format table|json]
       auditwatch report runs [--format table|json]      (what the schedules produced)

Runs a built-in report over a period of event time and writes it (default: to stdout).
  --from TIME     ISO time (2026-03-01T00:00:00Z) or a duration ago (7d); default: the report's period
  --to TIME       ISO time or a duration ago; default now (or the end of the report's period)
  --period P      a named period instead: last-month, this-month, last-week, last-7d, last-day,
                  last-24h, last-30d
  --format F      csv (Excel-ready: UTF-8 BOM, CRLF), json, or html (self-contained, printable);
                  default: from --out's extension, else csv
  --out FILE      write to FILE instead of stdout
  --threshold N   failed-signins: accounts and IPs with at least N failures (default reports.threshold, 5)
  --limit N       rows per table at most (default 1000)
Every command takes --config FILE (default ./auditwatch.yaml).`;

const OPTIONS = {
  ...CONFIG_OPTION,
  from: { type: 'string' },
  to: { type: 'string' },
  period: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  threshold: { type: 'string' },
  limit: { type: 'string' },
} as const;

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new AppError('usage', `${flag} must be a whole number from 1 to 1000000.`);
  return n;
}

function formatOf(format: string | undefined, out: string | undefined): ReportFormat {
  const f = format ?? (out ? extname(out).slice(1).toLowerCase() : '') ?? '';
  const chosen = f === 'htm' ? 'html' : f;
  if (format === undefined && !(REPORT_FORMATS as readonly string[]).includes(chosen)) return 'csv';
  if (!(REPORT_FORMATS as readonly string[]).includes(chosen)) throw new AppError('usage', `--format must be one of ${REPORT_FORMATS.join(', ')}; see --help.`);
  return chosen as ReportFormat;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, OPTIONS, HELP, io, true);
  if (!parsed) return 0;
  const v = parsed.values;
  const [name, ...extra] = parsed.positionals;
  if (!name) throw new AppError('usage', 'Give a report name, or "list"; see auditwatch report --help.');
  if (extra.length) throw new AppError('usage', `Unexpected argument "${safeLine(extra[0], 40)}"; give one report name.`);

  if (name === 'list') {
    const format = parseFormat(v.format, ['table', 'json']);
    // The list needs no store: the built-in reports are part of the program.
    const rows = reportInfos();
    io.out(format === 'json' ? jsonLines(rows) : table(rows.map((r) => ({ name: r.name, title: r.title, period: r.defaultPeriod })), { maxWidth: 70 }));
    return 0;
  }

  const config = loadCliConfig(v, io);
  if (name === 'runs') {
    const format = parseFormat(v.format, ['table', 'json']);
    const limit = positiveInt(v.limit, '--limit') ?? 100;
    const runs = await withOperations(config, io, { label: 'report', notice: 'run' }, async (ops) => answer(io, 'report', await ops.reportRuns({ limit })));
    const rows = runs.map((r) => ({
      schedule: r.schedule,
      report: r.report,
      due: new Date(r.dueAt).toISOString(),
      status: r.status,
      files: r.files.map((f) => f.path).join(' '),
      deliveries: Object.entries(r.deliveries).map(([d, s]) => `${d}:${s.status}`).join(' '),
    }));
    io.out(format === 'json' ? jsonLines(rows) : rows.length ? table(rows, { maxWidth: 80 }) : 'no scheduled report has run yet\n');
    return 0;
  }

  const format = formatOf(v.format, v.out);
  const threshold = positiveInt(v.threshold, '--threshold');
  const limit = positiveInt(v.limit, '--limit');
  const input = {
    name,
    ...(v.from !== undefined ? { from: v.from } : {}),
    ...(v.to !== undefined ? { to: v.to } : {}),
    ...(v.period !== undefined ? { period: v.period } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
  const result = await withOperations(config, io, { label: 'report', notice: 'run' }, async (ops) => answer(io, 'report', await ops.report(input)));
  const text = renderReport(result, format);
  if (v.out) {
    writePrivateFile(v.out, text);
    const rows = result.sections.filter((s) => !s.chartOnly).map((s) => `${s.title}: ${s.rows.length}${s.truncated ? '+' : ''}`).join(', ');
    io.err(`auditwatch report: wrote ${v.out} (${rows}).\n`);
  } else {
    io.out(text);
  }
  return 0;
}
