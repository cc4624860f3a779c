// Alerts, evidence and history through the store's state port. Every function takes a Db: the state
// port itself (or a Store), or a unit of work's repositories so it runs inside the caller's transaction.

import type { AlertQuery, AlertRecord, AlertSort, AlertSummary, StateRepositories, Store } from '../store/index.js';
import type { Entities, Severity } from '../detect/index.js';
import { groupHash, severityRank } from './model.js';
import type { Alert, AlertStatus, HistoryEntry } from './types.js';

export type Db = StateRepositories | Pick<Store, 'state'>;

/** The repositories of a Db. */
export function repos(db: Db): StateRepositories {
  return 'state' in db ? db.state : db;
}

function toAlert(r: AlertRecord): Alert {
  const { severityRank: _rank, ...rest } = r;
  return { ...rest, severity: r.severity as Severity, status: r.status as AlertStatus, entities: r.entities as Entities };
}

function toRecord(a: Alert): AlertRecord {
  return { ...a, severityRank: severityRank(a.severity), entities: a.entities as AlertRecord['entities'] };
}

export async function getAlert(db: Db, id: string): Promise<Alert | null> {
  const r = await repos(db).alerts.get(id);
  return r ? toAlert(r) : null;
}

/** The latest alert of a key whose span, widened by the window, overlaps the hit's span. */
export async function findWindowAlert(
  db: Db,
  key: { ruleId: string; tenantId: string; groupKey: string },
  span: { firstSeen: number; lastSeen: number },
  windowMs: number,
): Promise<Alert | null> {
  const hash = groupHash(key.ruleId, key.tenantId, key.groupKey);
  const r = await repos(db).alerts.latestOverlapping(hash, span.firstSeen - windowMs, span.lastSeen + windowMs);
  return r ? toAlert(r) : null;
}

export async function insertAlert(db: Db, a: Alert): Promise<void> {
  await repos(db).alerts.insert(toRecord(a));
}

export async function updateAlert(db: Db, a: Alert): Promise<void> {
  await repos(db).alerts.update(toRecord(a));
}

/** The Ids among `ids` not yet recorded as evidence of the alert. */
export async function freshEvidence(db: Db, alertId: string, ids: string[]): Promise<string[]> {
  const known = await repos(db).alerts.knownEvidence(alertId, ids);
  return ids.filter((id) => !known.has(id));
}

export async function addEvidence(db: Db, alertId: string, ids: string[]): Promise<void> {
  await repos(db).alerts.addEvidence(alertId, ids);
}

export async function appendHistory(db: Db, alertId: string, e: HistoryEntry): Promise<void> {
  await repos(db).alerts.appendHistory(alertId, e);
}

export async function readHistory(db: Db, alertId: string): Promise<HistoryEntry[]> {
  const rows = await repos(db).alerts.history(alertId);
  return rows.map((r) => ({ ...r, action: r.action as HistoryEntry['action'], from: r.from as AlertStatus | null, to: r.to as AlertStatus }));
}

export interface AlertFilter {
  status?: AlertStatus[];
  /** Minimum severity. */
  severity?: Severity;
  rule?: string;
  tenant?: string;
  /** The assignee; null: unassigned only. */
  assignee?: string | null;
  /** Alerts seen at or after (lastSeen ≥, epoch ms) and first seen at or before (firstSeen ≤). */
  since?: number;
  until?: number;
  sort?: AlertSort;
  limit?: number;
  offset?: number;
}

function alertQuery(f: AlertFilter): AlertQuery {
  return {
    ...(f.status && f.status.length > 0 ? { statuses: f.status } : {}),
    ...(f.severity ? { minSeverityRank: severityRank(f.severity) } : {}),
    ...(f.rule ? { ruleId: f.rule } : {}),
    ...(f.tenant ? { tenantId: f.tenant } : {}),
    ...(f.assignee !== undefined ? { assignee: f.assignee } : {}),
    ...(f.since !== undefined ? { lastSeenFrom: f.since } : {}),
    ...(f.until !== undefined ? { firstSeenTo: f.until } : {}),
    ...(f.sort ? { sort: f.sort } : {}),
    ...(f.limit !== undefined ? { limit: f.limit } : {}),
    ...(f.offset !== undefined ? { offset: f.offset } : {}),
  };
}

export async function listAlerts(db: Db, f: AlertFilter = {}): Promise<Alert[]> {
  const rows = await repos(db).alerts.list(alertQuery(f));
  return rows.map(toAlert);
}

export const countAlerts = (db: Db, f: AlertFilter = {}): Promise<number> => repos(db).alerts.count(alertQuery(f));
export const summarizeAlerts = (db: Db, since: number): Promise<AlertSummary> => repos(db).alerts.summary(since);
