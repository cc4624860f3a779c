// What a report is: a definition (name, title, description, default period, sections) that turns a
// period into tables through the Store interface, and the result renderers turn into CSV, JSON or HTML.
// Adding a report is one more ReportDefinition in definitions/index.ts.

import type { Row, Store } from '../store/index.js';
import type { DetectDialect } from '../detect/index.js';

/** A named default period, computed relative to "now" (the clock's, or the schedule's due time). */
export type PeriodName = 'last-month' | 'this-month' | 'last-week' | 'last-7d' | 'last-day' | 'last-24h' | 'last-30d';

export interface Period {
  /** Inclusive start, epoch ms (UTC). */
  from: number;
  /** Exclusive end, epoch ms (UTC). */
  to: number;
}

export type ColumnKind = 'text' | 'number' | 'time' | 'day' | 'hour';

export interface Column {
  key: string;
  label: string;
  kind?: ColumnKind;
  /** Bound of the text shown in HTML (default 200); CSV and JSON keep up to 32,000 characters. */
  max?: number;
}

/** A bar chart drawn from a section's rows (server-side SVG in HTML). */
export interface ChartSpec {
  /** Column with the category (day, country, error code, ...). */
  x: string;
  /** Numeric column(s) to plot; several make grouped bars. */
  y: string[];
  title: string;
  /** Fill every day (or hour) of the period with zero so gaps show (x holds ISO times). */
  fill?: 'day' | 'hour';
}

export interface QueryContext {
  store: Pick<Store, 'query' | 'dialect'>;
  d: DetectDialect;
  period: Period;
  params: ReportParams;
}

/** Tunables of a run (thresholds); each report reads the ones it knows. */
export interface ReportParams {
  /** Failed sign-ins: accounts / IPs with at least this many failures are listed (default 5). */
  threshold?: number;
  /** Rows per table at most (default 1000; the HTML says when a table was cut). */
  limit?: number;
  /** Country of a client IP for records stored without one (GeoIP lookup at report time). */
  countryOf?: (ip: string) => string | null;
}

export interface SectionDefinition {
  id: string;
  title: string;
  /** Shown under the section's title. */
  note?: string;
  columns: Column[];
  chart?: ChartSpec;
  /** Hide the table, keep only the chart (e.g. per-day counts shown as a chart only in HTML). */
  chartOnly?: boolean;
  rows(ctx: QueryContext): Promise<Row[]>;
}

export interface ReportDefinition {
  name: string;
  title: string;
  description: string;
  defaultPeriod: PeriodName;
  sections: SectionDefinition[];
}

export interface SectionResult {
  id: string;
  title: string;
  note?: string;
  columns: Column[];
  chart?: ChartSpec;
  chartOnly?: boolean;
  rows: Row[];
  /** True when more rows matched than `limit`. */
  truncated: boolean;
}

export interface ReportResult {
  name: string;
  title: string;
  description: string;
  period: Period;
  generatedAt: number;
  /** The store engine the report ran on. */
  engine: string;
  sections: SectionResult[];
}

export type ReportFormat = 'csv' | 'json' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['csv', 'json', 'html'];
