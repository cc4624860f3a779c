// CSV that Excel opens cleanly: UTF-8 byte-order mark, CRLF line ends, every cell quoted, and cells
// starting with = + - @ tab or CR neutralised (core csvCell). A report with several sections writes
// each as its own block: a title row, the header, the rows, then an empty line.

import { csvCell } from '../../core/index.js';
import type { ReportResult, SectionResult } from '../types.js';
import { describePeriod } from '../period.js';
import { displayValue } from './values.js';

const BOM = '\uFEFF';

function block(s: SectionResult): string[] {
  const lines = [s.columns.map((c) => csvCell(c.label)).join(',')];
  for (const r of s.rows) lines.push(s.columns.map((c) => csvCell(displayValue(r[c.key], c.kind))).join(','));
  if (s.truncated) lines.push(csvCell(`(only the first ${s.rows.length} rows)`));
  return lines;
}

export function renderCsv(report: ReportResult): string {
  const sections = report.sections.filter((s) => !s.chartOnly || report.sections.length === 1);
  const lines: string[] = [];
  if (sections.length === 1) {
    lines.push(...block(sections[0]!));
  } else {
    lines.push(csvCell(report.title), csvCell(describePeriod(report.period)), '');
    for (const s of sections) lines.push(csvCell(s.title), ...block(s), '');
  }
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
