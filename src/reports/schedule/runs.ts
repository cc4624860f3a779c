// Report runs through the store's state port: one run per schedule and due time. Claiming the run
// claims the due time, so a due time fires once across restarts; the run then carries the files written
// and the delivery state per destination until every destination has the report (or gave up).

import type { ReportDeliveryState, ReportRunRecord, ReportRunStatus, Store } from '../../store/index.js';

export type RunStatus = ReportRunStatus;
export type DeliveryState = ReportDeliveryState;
export type ReportRun = ReportRunRecord;

type Db = Pick<Store, 'state'>;

/** The newest due time recorded for a schedule (baseline included), or null. */
export function lastDue(db: Db, schedule: string): Promise<number | null> {
  return db.state.reportRuns.lastDue(schedule);
}

/** Claims a due time: true when this call created the run (nobody ran it before). */
export function claim(db: Db, schedule: string, dueAt: number, report: string, status: RunStatus, now: number): Promise<boolean> {
  return db.state.reportRuns.claim({ schedule, dueAt, report, status, at: now });
}

export function saveRun(db: Db, run: ReportRun): Promise<void> {
  return db.state.reportRuns.save(run);
}

/** Runs that still have work: interrupted while running, or deliveries to retry that are due. */
export function unfinishedRuns(db: Db, now: number): Promise<ReportRun[]> {
  return db.state.reportRuns.unfinished(now);
}

export function listRuns(db: Db, options: { schedule?: string; limit?: number } = {}): Promise<ReportRun[]> {
  return db.state.reportRuns.list(options);
}

/** The earliest retry due among runs waiting to retry, or null. */
export function nextRetry(db: Db): Promise<number | null> {
  return db.state.reportRuns.nextRetry();
}
