// Printing rows for people and machines: JSON lines, CSV safe for spreadsheets, and a terminal table
// that treats every value as hostile (control characters escaped, width bounded).

import { AppError, csvCell, safeJson, safeLine } from '../../core/index.js';

export type RowValue = string | number | boolean | null;
export type OutputRow = Record<string, RowValue>;
export const FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export function parseFormat(value: string | undefined, allowed: readonly OutputFormat[] = FORMATS): OutputFormat {
  const v = (value ?? allowed[0]!) as OutputFormat;
  if (!allowed.includes(v)) {
    throw new AppError('usage', `--format must be one of ${allowed.join(', ')}; see --help.`);
  }
  return v;
}

/** One JSON object a line; bidi, C1 and line-separator characters as \u escapes (core safeJson). */
export function jsonLines(rows: readonly object[]): string {
  return rows.map((r) => `${safeJson(r)}\n`).join('');
}

export function csv(rows: readonly OutputRow[], columns = columnsOf(rows)): string {
  const lines = [columns.map((c) => csvCell(c)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** A plain text table; each cell is escaped with safeLine and cut at `maxWidth` characters. */
export function table(rows: readonly OutputRow[], options: { columns?: string[]; maxWidth?: number } = {}): string {
  const columns = options.columns ?? columnsOf(rows);
  const max = options.maxWidth ?? 40;
  const cells = rows.map((r) => columns.map((c) => safeLine(r[c] === null ? '' : r[c], max)));
  const head = columns.map((c) => safeLine(c, max));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n') + '\n';
}

export function columnsOf(rows: readonly OutputRow[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

export function render(rows: readonly OutputRow[], format: OutputFormat, columns?: string[]): string {
  if (format === 'json') return jsonLines(rows);
  if (format === 'csv') return csv(rows, columns ?? columnsOf(rows));
  if (rows.length === 0) return '(no rows)\n';
  return table(rows, columns ? { columns } : {});
}
