// Runs a report definition over a period: each section's query through the Store interface, rows cut at
// the limit (and marked when cut). The result is plain data that every renderer takes.

import { AppError, errorMessage } from '../core/index.js';
import { DETECT_DIALECTS } from '../detect/index.js';
import type { Store } from '../store/index.js';
import type { Period, ReportDefinition, ReportParams, ReportResult, SectionResult } from './types.js';

export interface RunReportOptions {
  store: Pick<Store, 'query' | 'dialect' | 'kind'>;
  period: Period;
  params?: ReportParams;
  /** When the report is generated (epoch ms); default the period's end. */
  now?: number;
}

export async function runReport(def: ReportDefinition, o: RunReportOptions): Promise<ReportResult> {
  if (!(o.period.from < o.period.to)) throw new AppError('usage', 'The report period is empty; --from must be before --to.');
  const params: ReportParams = { limit: 1000, threshold: 5, ...o.params };
  const ctx = { store: o.store, d: DETECT_DIALECTS[o.store.dialect.name], period: o.period, params };
  const sections: SectionResult[] = [];
  for (const s of def.sections) {
    let rows;
    try {
      rows = await s.rows(ctx);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('report_failed', `Report ${def.name}, section "${s.title}" failed: ${errorMessage(err)}; check that the store is migrated (any auditwatch command does it).`, { cause: err });
    }
    const limit = params.limit ?? 1000;
    sections.push({
      id: s.id,
      title: s.title,
      ...(s.note !== undefined ? { note: s.note } : {}),
      columns: s.columns,
      ...(s.chart ? { chart: s.chart } : {}),
      ...(s.chartOnly ? { chartOnly: true } : {}),
      rows: rows.slice(0, limit),
      truncated: rows.length > limit,
    });
  }
  return {
    name: def.name,
    title: def.title,
    description: def.description,
    period: o.period,
    generatedAt: o.now ?? o.period.to,
    engine: o.store.kind,
    sections,
  };
}
