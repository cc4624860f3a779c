// The report scheduler: fires each configured schedule (cron, in its time zone) once per due time on the
// injected clock, writes the report files under reports.folder/<schedule>/, and delivers them through
// alert destinations (email with the files attached, webhook with the JSON). report_runs makes a due
// time fire once across restarts; deliveries that fail retryably are retried with back-off.
// A schedule first seen starts from "now" (a baseline row): due times before it are not fired.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { AppError, errorMessage, fail, silentLogger, type Clock, type Logger, type Outcome } from '../../core/index.js';
import { deliverReport, REPORT_DESTINATION_KINDS, type DestinationConfig, type ReportMessage } from '../../alerts/index.js';
import type { ReportSchedule, ReportsConfig } from '../../config/index.js';
import type { Store } from '../../store/index.js';
import { findReport, REPORTS } from '../definitions/index.js';
import { writeReportFiles, fileStamp, safeName } from '../output.js';
import { describePeriod, periodAt } from '../period.js';
import { reportJson } from '../render/index.js';
import { runReport } from '../run.js';
import type { ReportFormat, ReportParams, ReportResult } from '../types.js';
import { claim, lastDue, saveRun, unfinishedRuns, nextRetry, type ReportRun } from './runs.js';

const MAX_ATTEMPTS = 8;
const RETRY_MIN = 60_000;
const RETRY_MAX = 3_600_000;

export type DeliverFn = (destination: DestinationConfig, message: ReportMessage) => Promise<Outcome>;

export interface ReportSchedulerOptions {
  store: Store;
  clock: Clock;
  logger?: Logger;
  config: { reports: ReportsConfig; alerts: { destinations: readonly DestinationConfig[] } };
  /** How a report reaches a destination (default: alerts' deliverReport). */
  deliver?: DeliverFn;
  /** Extra CA certificates (PEM) for TLS destinations (tests). */
  ca?: string;
  /** Country lookup for sign-ins by country (GeoIP at report time). */
  countryOf?: ReportParams['countryOf'];
}

export interface ScheduledRunSummary {
  schedule: string;
  report: string;
  dueAt: number;
  status: ReportRun['status'];
  files: string[];
  deliveries: ReportRun['deliveries'];
}

export interface ReportScheduler {
  /** Fires every schedule that is due now (once per due time) and retries pending deliveries. */
  runDue(): Promise<ScheduledRunSummary[]>;
  /** runDue in a loop on the clock until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** The next due time over all schedules (epoch ms), or null without schedules. */
  nextDue(): number | null;
}

export function scheduleName(s: ReportSchedule): string {
  return s.name ?? `${s.report}@${s.cron}`;
}

/** The latest due time of a cron expression at or before `now`, or null. */
export function prevDue(s: ReportSchedule, now: number): number | null {
  const it = CronExpressionParser.parse(s.cron, { currentDate: new Date(now + 1), tz: s.timezone });
  try {
    return it.prev().getTime();
  } catch {
    return null;
  }
}

export function nextDueOf(s: ReportSchedule, now: number): number {
  return CronExpressionParser.parse(s.cron, { currentDate: new Date(now), tz: s.timezone }).next().getTime();
}

export function createReportScheduler(o: ReportSchedulerOptions): ReportScheduler {
  const { store, clock } = o;
  const logger = o.logger ?? silentLogger;
  const schedules = o.config.reports.schedules;
  const destinations = new Map(o.config.alerts.destinations.map((d) => [d.name, d]));
  const deliver: DeliverFn = o.deliver ?? ((d, m) => deliverReport(d, m, { clock, logger, ...(o.ca ? { ca: o.ca } : {}) }));

  const problems: string[] = [];
  schedules.forEach((s, i) => {
    if (!REPORTS.some((r) => r.name === s.report)) problems.push(`reports.schedules[${i}].report "${s.report.slice(0, 60)}" is not a report (auditwatch report list)`);
    for (const name of s.deliver) {
      const d = destinations.get(name);
      if (!d) problems.push(`reports.schedules[${i}].deliver names "${name.slice(0, 60)}", which is not in alerts.destinations`);
      else if (!REPORT_DESTINATION_KINDS.includes(d.type)) problems.push(`reports.schedules[${i}].deliver: ${name} is a ${d.type} destination; reports go to email or webhook destinations`);
    }
  });
  if (problems.length) throw new AppError('config_invalid', `${problems.join('; ')}; fix the config.`);

  const byName = new Map(schedules.map((s) => [scheduleName(s), s]));

  async function generate(run: ReportRun, s: ReportSchedule): Promise<ReportResult> {
    const def = findReport(s.report);
    const period = periodAt(s.period ?? def.defaultPeriod, run.dueAt);
    const result = await runReport(def, {
      store,
      period,
      now: clock.now(),
      params: { threshold: o.config.reports.threshold, ...(o.countryOf ? { countryOf: o.countryOf } : {}) },
    });
    const folder = join(o.config.reports.folder, safeName(scheduleName(s)));
    const files = writeReportFiles(result, s.formats as ReportFormat[], folder, `${s.report}_${fileStamp(run.dueAt)}`);
    run.periodFrom = period.from;
    run.periodTo = period.to;
    run.files = files;
    for (const d of s.deliver) run.deliveries[d] ??= { status: 'pending', attempts: 0 };
    return result;
  }

  function message(run: ReportRun, s: ReportSchedule, result: ReportResult | null, destination: string): ReportMessage {
    const def = findReport(s.report);
    const attachments = run.files.filter((f) => existsSync(f.path)).map((f) => ({ filename: f.filename, contentType: f.mediaType, content: readFileSync(f.path, 'utf8') }));
    const jsonFile = run.files.find((f) => f.format === 'json' && existsSync(f.path));
    const json = result ? reportJson(result) : jsonFile ? (JSON.parse(readFileSync(jsonFile.path, 'utf8')) as unknown) : null;
    const summary = result
      ? result.sections.filter((x) => !x.chartOnly).map((x) => `${x.title}: ${x.rows.length}${x.truncated ? '+' : ''} row${x.rows.length === 1 ? '' : 's'}`)
      : [`Files: ${run.files.map((f) => f.filename).join(', ')}`];
    const key = createHash('sha256').update(`${run.schedule}\u0000${run.dueAt}\u0000${destination}`).digest('hex').slice(0, 32);
    const period = run.periodFrom !== null && run.periodTo !== null ? describePeriod({ from: run.periodFrom, to: run.periodTo }) : '';
    return { name: def.name, title: def.title, period, summary, json, attachments, idempotencyKey: `report-${key}` };
  }

  async function deliverAll(run: ReportRun, s: ReportSchedule, result: ReportResult | null): Promise<void> {
    let retry = false;
    for (const [name, st] of Object.entries(run.deliveries)) {
      if (st.status !== 'pending') continue;
      const dest = destinations.get(name);
      st.attempts += 1;
      const outcome = dest ? await deliver(dest, message(run, s, result, name)).catch((err: unknown) => fail(err instanceof Error ? err : new Error(String(err)), true)) : fail(new Error(`destination ${name} is no longer configured`), false);
      if (outcome.ok) {
        st.status = 'delivered';
        st.deliveredAt = new Date(clock.now()).toISOString();
        delete st.error;
        logger.info('A scheduled report was delivered.', { schedule: run.schedule, report: run.report, destination: name });
      } else {
        st.error = errorMessage(outcome.error).slice(0, 500);
        if (outcome.retryable && st.attempts < MAX_ATTEMPTS) retry = true;
        else st.status = 'failed';
        logger.warn('A scheduled report could not be delivered.', { schedule: run.schedule, destination: name, retryable: outcome.retryable, attempts: st.attempts, error: st.error });
      }
    }
    run.attempts += 1;
    const states = Object.values(run.deliveries);
    if (retry) {
      run.status = 'retrying';
      run.nextAttemptAt = clock.now() + Math.min(RETRY_MAX, RETRY_MIN * 2 ** Math.min(10, run.attempts - 1));
    } else {
      run.status = states.some((d) => d.status === 'failed') ? 'failed' : 'done';
      run.nextAttemptAt = null;
      run.finishedAt = clock.now();
    }
  }

  async function execute(run: ReportRun, s: ReportSchedule, fresh: boolean): Promise<void> {
    let result: ReportResult | null = null;
    try {
      if (fresh || run.files.length === 0 || run.files.some((f) => !existsSync(f.path))) result = await generate(run, s);
      await deliverAll(run, s, result);
      run.error = null;
    } catch (err) {
      run.status = 'failed';
      run.error = errorMessage(err).slice(0, 1000);
      run.finishedAt = clock.now();
      logger.error('A scheduled report failed.', { schedule: run.schedule, report: run.report, error: run.error });
    }
    await saveRun(store, run);
  }

  const blank = (schedule: string, report: string, dueAt: number): ReportRun => ({
    schedule, dueAt, report, status: 'running', periodFrom: null, periodTo: null, files: [], deliveries: {}, attempts: 0, nextAttemptAt: null, error: null, startedAt: clock.now(), finishedAt: null,
  });

  const summarize = (r: ReportRun): ScheduledRunSummary => ({ schedule: r.schedule, report: r.report, dueAt: r.dueAt, status: r.status, files: r.files.map((f) => f.path), deliveries: r.deliveries });

  async function runDue(): Promise<ScheduledRunSummary[]> {
    const now = clock.now();
    const done: ScheduledRunSummary[] = [];
    // Interrupted runs and deliveries to retry first.
    for (const run of await unfinishedRuns(store, now)) {
      const s = byName.get(run.schedule);
      if (!s) continue;
      await execute(run, s, run.status === 'running');
      done.push(summarize(run));
    }
    for (const s of schedules) {
      const name = scheduleName(s);
      const anchor = await lastDue(store, name);
      if (anchor === null) {
        await claim(store, name, now, s.report, 'baseline', now);
        continue;
      }
      const due = prevDue(s, now);
      if (due === null || due <= anchor) continue;
      if (!(await claim(store, name, due, s.report, 'running', now))) continue;
      const run = blank(name, s.report, due);
      logger.info('A scheduled report is due.', { schedule: name, report: s.report, due: new Date(due).toISOString() });
      await execute(run, s, true);
      done.push(summarize(run));
    }
    return done;
  }

  function nextDue(): number | null {
    if (schedules.length === 0) return null;
    const now = clock.now();
    return Math.min(...schedules.map((s) => nextDueOf(s, now)));
  }

  async function run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await runDue();
      } catch (err) {
        logger.error('The report scheduler failed a pass; it tries again at the next due time.', { error: errorMessage(err) });
      }
      const retryAt = await nextRetry(store).catch(() => null);
      const wake = Math.min(nextDue() ?? Number.POSITIVE_INFINITY, retryAt ?? Number.POSITIVE_INFINITY, clock.now() + 3_600_000);
      await clock.sleep(Math.max(1000, wake - clock.now()), signal).catch(() => undefined);
    }
  }

  return { runDue, run, nextDue };
}
