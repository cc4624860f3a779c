// JSON for machines: the report's metadata, period (ISO) and each section's rows keyed by column.

import { safeJson } from '../../core/index.js';
import type { ReportResult } from '../types.js';

export function reportJson(report: ReportResult): Record<string, unknown> {
  return {
    report: report.name,
    title: report.title,
    description: report.description,
    period: { from: new Date(report.period.from).toISOString(), to: new Date(report.period.to).toISOString() },
    generatedAt: new Date(report.generatedAt).toISOString(),
    engine: report.engine,
    sections: report.sections.map((s) => ({
      id: s.id,
      title: s.title,
      columns: s.columns.map((c) => ({ key: c.key, label: c.label, kind: c.kind ?? 'text' })),
      rows: s.rows.map((r) => Object.fromEntries(s.columns.map((c) => [c.key, r[c.key] ?? null]))),
      truncated: s.truncated,
    })),
  };
}

export function renderJson(report: ReportResult): string {
  return `${safeJson(reportJson(report), 2)}\n`;
}
