// The report_runs table (migration 004): one row per schedule and due time. Inserting the row claims the
// due time, so a due time fires once across restarts; the row then carries the files written and the
// delivery state per destination until every destination has the report (or gave up).

import { raw, sql, type Row, type Store } from '../../store/index.js';

export type RunStatus = 'baseline' | 'running' | 'retrying' | 'done' | 'failed';

export interface DeliveryState {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  error?: string;
  deliveredAt?: string;
}

export interface ReportRun {
  schedule: string;
  dueAt: number;
  report: string;
  status: RunStatus;
  periodFrom: number | null;
  periodTo: number | null;
  files: { format: string; path: string; filename: string; mediaType: string }[];
  deliveries: Record<string, DeliveryState>;
  attempts: number;
  nextAttemptAt: number | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

type Db = Pick<Store, 'query' | 'execute'>;

const ms = (v: Row[string] | undefined) => (v === null || v === undefined ? null : Date.parse(String(v)));
const date = (t: number | null) => (t === null ? null : new Date(t));

function parse(r: Row): ReportRun {
  return {
    schedule: String(r['schedule']),
    dueAt: ms(r['due_at'])!,
    report: String(r['report']),
    status: String(r['status']) as RunStatus,
    periodFrom: ms(r['period_from']),
    periodTo: ms(r['period_to']),
    files: JSON.parse(String(r['files'])) as ReportRun['files'],
    deliveries: JSON.parse(String(r['deliveries'])) as ReportRun['deliveries'],
    attempts: Number(r['attempts']),
    nextAttemptAt: ms(r['next_attempt_at']),
    error: r['error'] === null ? null : String(r['error']),
    startedAt: ms(r['started_at'])!,
    finishedAt: ms(r['finished_at']),
  };
}

/** The newest due time recorded for a schedule (baseline included), or null. */
export async function lastDue(db: Db, schedule: string): Promise<number | null> {
  const rows = await db.query(sql`SELECT max(due_at) AS due FROM report_runs WHERE schedule = ${schedule}`);
  return ms(rows[0]?.['due']);
}

/** Claims a due time: true when this call inserted the row (nobody ran it before). */
export async function claim(db: Db, schedule: string, dueAt: number, report: string, status: RunStatus, now: number): Promise<boolean> {
  const before = await db.query(sql`SELECT 1 AS x FROM report_runs WHERE schedule = ${schedule} AND due_at = ${date(dueAt)}`);
  if (before.length > 0) return false;
  await db.execute(sql`INSERT INTO report_runs (schedule, due_at, report, status, files, deliveries, attempts, started_at)
VALUES (${schedule}, ${date(dueAt)}, ${report}, ${status}, '[]', '{}', 0, ${date(now)}) ON CONFLICT DO NOTHING`);
  return true;
}

export async function saveRun(db: Db, run: ReportRun): Promise<void> {
  await db.execute(sql`UPDATE report_runs SET status = ${run.status}, period_from = ${date(run.periodFrom)}, period_to = ${date(run.periodTo)},
  files = ${JSON.stringify(run.files)}, deliveries = ${JSON.stringify(run.deliveries)}, attempts = ${run.attempts},
  next_attempt_at = ${date(run.nextAttemptAt)}, error = ${run.error}, finished_at = ${date(run.finishedAt)}
WHERE schedule = ${run.schedule} AND due_at = ${date(run.dueAt)}`);
}

/** Runs that still have work: interrupted while running, or deliveries to retry that are due. */
export async function unfinishedRuns(db: Db, now: number): Promise<ReportRun[]> {
  const rows = await db.query(sql`SELECT * FROM report_runs WHERE status = 'running' OR (status = 'retrying' AND next_attempt_at <= ${date(now)}) ORDER BY due_at`);
  return rows.map(parse);
}

export async function listRuns(db: Pick<Store, 'query'>, options: { schedule?: string; limit?: number } = {}): Promise<ReportRun[]> {
  const where = options.schedule === undefined ? sql`status <> 'baseline'` : sql`status <> 'baseline' AND schedule = ${options.schedule}`;
  const rows = await db.query(sql`SELECT * FROM report_runs WHERE ${where} ORDER BY due_at DESC LIMIT ${raw(String(Math.max(1, Math.floor(options.limit ?? 100))))}`);
  return rows.map(parse);
}

/** The earliest retry due among runs waiting to retry, or null. */
export async function nextRetry(db: Pick<Store, 'query'>): Promise<number | null> {
  const rows = await db.query(sql`SELECT min(next_attempt_at) AS t FROM report_runs WHERE status = 'retrying'`);
  return ms(rows[0]?.['t']);
}
