// Renderers: a report result → CSV, JSON or HTML text. One table; adding a format is one entry.

import type { ReportFormat, ReportResult } from '../types.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';

export const RENDERERS: Record<ReportFormat, { extension: string; mediaType: string; render(r: ReportResult): string }> = {
  csv: { extension: 'csv', mediaType: 'text/csv; charset=utf-8', render: renderCsv },
  json: { extension: 'json', mediaType: 'application/json', render: renderJson },
  html: { extension: 'html', mediaType: 'text/html; charset=utf-8', render: renderHtml },
};

export function renderReport(report: ReportResult, format: ReportFormat): string {
  return RENDERERS[format].render(report);
}

export { renderCsv, renderHtml, renderJson };
export { reportJson } from './json.js';
export { renderChart } from './chart.js';
