// Report runs in PostgreSQL (report_runs, migration 3): one row per schedule and due time; inserting it
// claims the due time.

import { raw, sql } from '../../sql/index.js';
import type { ReportRunRecord, ReportRunStatus, ReportRunsState } from '../../types.js';
import { at, atOrNull, json, msCol, msOf, numOrNull, str, strOrNull, type PgDb, type PgRow } from './db.js';

const SELECT = sql`schedule, ${msCol('due_at')}, report, status, ${msCol('period_from')}, ${msCol('period_to')}, files, deliveries, attempts,
  ${msCol('next_attempt_at')}, error, ${msCol('started_at')}, ${msCol('finished_at')}`;

function toRun(r: PgRow): ReportRunRecord {
  return {
    schedule: str(r['schedule']),
    dueAt: Number(r['due_at']),
    report: str(r['report']),
    status: str(r['status']) as ReportRunStatus,
    periodFrom: numOrNull(r['period_from']),
    periodTo: numOrNull(r['period_to']),
    files: json<ReportRunRecord['files']>(r['files'], []),
    deliveries: json<ReportRunRecord['deliveries']>(r['deliveries'], {}),
    attempts: Number(r['attempts']),
    nextAttemptAt: numOrNull(r['next_attempt_at']),
    error: strOrNull(r['error']),
    startedAt: Number(r['started_at']),
    finishedAt: numOrNull(r['finished_at']),
  };
}

export function postgresReportRuns(db: PgDb): ReportRunsState {
  return {
    async lastDue(schedule) {
      const rows = await db.read(sql`SELECT ${msOf(sql`max(due_at)`)} AS due FROM report_runs WHERE schedule = ${schedule}`);
      return numOrNull(rows[0]?.['due']);
    },
    async claim(run) {
      const n = await db.write(sql`INSERT INTO report_runs (schedule, due_at, report, status, files, deliveries, attempts, started_at)
VALUES (${run.schedule}, ${at(run.dueAt)}, ${run.report}, ${run.status}, '[]', '{}', 0, ${at(run.at)}) ON CONFLICT DO NOTHING`);
      return n > 0;
    },
    async save(run) {
      await db.write(sql`UPDATE report_runs SET status = ${run.status}, period_from = ${atOrNull(run.periodFrom)}, period_to = ${atOrNull(run.periodTo)},
  files = ${JSON.stringify(run.files)}, deliveries = ${JSON.stringify(run.deliveries)}, attempts = ${run.attempts},
  next_attempt_at = ${atOrNull(run.nextAttemptAt)}, error = ${run.error}, finished_at = ${atOrNull(run.finishedAt)}
WHERE schedule = ${run.schedule} AND due_at = ${at(run.dueAt)}`);
    },
    async unfinished(now) {
      const rows = await db.read(sql`SELECT ${SELECT} FROM report_runs WHERE status = 'running' OR (status = 'retrying' AND next_attempt_at <= ${at(now)}) ORDER BY due_at`);
      return rows.map(toRun);
    },
    async list(options = {}) {
      const where = options.schedule === undefined ? sql`status <> 'baseline'` : sql`status <> 'baseline' AND schedule = ${options.schedule}`;
      const limit = raw(String(Math.max(1, Math.floor(options.limit ?? 100))));
      const rows = await db.read(sql`SELECT ${SELECT} FROM report_runs WHERE ${where} ORDER BY due_at DESC LIMIT ${limit}`);
      return rows.map(toRun);
    },
    async nextRetry() {
      const rows = await db.read(sql`SELECT ${msOf(sql`min(next_attempt_at)`)} AS t FROM report_runs WHERE status = 'retrying'`);
      return numOrNull(rows[0]?.['t']);
    },
  };
}
