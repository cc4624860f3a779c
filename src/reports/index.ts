// reports: built-in report definitions → queries through the Store interface → renderers (CSV, JSON,
// HTML with inline SVG charts), and a scheduler that fires reports on cron schedules and delivers them
// through alert destinations. Callers depend on this file only.
export * from './types.js';
export { REPORTS, findReport, ACCESS_DENIED_OPERATIONS, selfGrantPredicate } from './definitions/index.js';
export { runReport, type RunReportOptions } from './run.js';
export { periodAt, parsePeriodName, describePeriod, isPeriodName, PERIOD_NAMES } from './period.js';
export { renderReport, renderCsv, renderHtml, renderJson, reportJson, renderChart, RENDERERS } from './render/index.js';
export { writeReportFiles, fileStamp, safeName, type WrittenFile } from './output.js';
export {
  createReportScheduler,
  scheduleName,
  prevDue,
  nextDueOf,
  type ReportScheduler,
  type ReportSchedulerOptions,
  type ScheduledRunSummary,
  type DeliverFn,
} from './schedule/scheduler.js';
export { listRuns, type ReportRun, type DeliveryState, type RunStatus } from './schedule/runs.js';
export { reportsPlugin } from './plugin.js';
export { countryLookup } from './geo.js';
