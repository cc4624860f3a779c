// auditwatch report: runs a built-in report over a period and writes it as CSV, JSON or HTML (to a file
// or stdout); `report list` names the reports; `report runs` shows what the schedules produced.

import { extname } from 'node:path';
import { AppError, safeLine, systemClock, writePrivateFile } from '../core/index.js';
import {
  countryLookup,
  findReport,
  listRuns,
  periodAt,
  parsePeriodName,
  renderReport,
  REPORT_FORMATS,
  REPORTS,
  runReport,
  type ReportFormat,
} from '../reports/index.js';
import { parseOptions } from './command.js';
import { timeOption } from './detect.js';
import { CONFIG_OPTION, loadCliConfig, openConfiguredStore } from './shared/context.js';
import { jsonLines, parseFormat, table } from './shared/format.js';
import { io } from './shared/io.js';

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

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, OPTIONS, HELP, true);
  if (!parsed) return 0;
  const v = parsed.values;
  const [name, ...extra] = parsed.positionals;
  if (!name) throw new AppError('usage', 'Give a report name, or "list"; see auditwatch report --help.');
  if (extra.length) throw new AppError('usage', `Unexpected argument "${safeLine(extra[0], 40)}"; give one report name.`);

  if (name === 'list') {
    const format = parseFormat(v.format, ['table', 'json']);
    const rows = REPORTS.map((r) => ({ name: r.name, title: r.title, description: r.description, defaultPeriod: r.defaultPeriod }));
    io.out(format === 'json' ? jsonLines(rows) : table(rows.map((r) => ({ name: r.name, title: r.title, period: r.defaultPeriod })), { maxWidth: 70 }));
    return 0;
  }

  const config = loadCliConfig(v);
  if (name === 'runs') {
    const format = parseFormat(v.format, ['table', 'json']);
    const store = await openConfiguredStore(config);
    try {
      const runs = await listRuns(store, { limit: positiveInt(v.limit, '--limit') ?? 100 });
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
    } finally {
      await store.close();
    }
  }

  const def = findReport(name);
  const format = formatOf(v.format, v.out);
  const now = systemClock.now();
  const named = periodAt(v.period !== undefined ? parsePeriodName(v.period, '--period') : def.defaultPeriod, now);
  if (v.period !== undefined && (v.from !== undefined || v.to !== undefined)) throw new AppError('usage', 'Give either --period or --from/--to, not both.');
  const to = timeOption(v.to, v.from !== undefined ? now : named.to, now, '--to');
  const from = timeOption(v.from, named.from, now, '--from');
  if (from >= to) throw new AppError('usage', '--from must be before --to.');
  const threshold = positiveInt(v.threshold, '--threshold') ?? config.reports.threshold;
  const limit = positiveInt(v.limit, '--limit') ?? 1000;
  const countryOf = ['signins-by-country', 'failed-signins'].includes(def.name) ? await countryLookup() : null;
  const store = await openConfiguredStore(config);
  try {
    const result = await runReport(def, { store, period: { from, to }, now, params: { threshold, limit, ...(countryOf ? { countryOf } : {}) } });
    const text = renderReport(result, format);
    if (v.out) {
      writePrivateFile(v.out, text);
      const rows = result.sections.filter((s) => !s.chartOnly).map((s) => `${s.title}: ${s.rows.length}${s.truncated ? '+' : ''}`).join(', ');
      process.stderr.write(`auditwatch report: wrote ${v.out} (${rows}).\n`);
    } else {
      io.out(text);
    }
    return 0;
  } finally {
    await store.close();
  }
}
