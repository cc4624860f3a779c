// The alert tables in the store (migration 003): reading and writing alerts, evidence and history with
// the `sql` template. Every function takes a Db so it runs inside the caller's transaction.

import { dialectFragment, join, sql, type Row, type Sql, type Store } from '../store/index.js';
import type { Entities, Severity } from '../detect/types.js';
import { groupHash, severityRank } from './model.js';
import type { Alert, AlertStatus, HistoryEntry } from './types.js';

export type Db = Pick<Store, 'query' | 'execute'>;

/** A timestamp parameter from epoch ms, spelled for the store's dialect. */
export function ts(ms: number): Sql {
  return dialectFragment((d, ctx) => d.timestampFromMs(ctx.param(Math.round(ms))));
}

export function msOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
    return t;
  }
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}

function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function json<T>(v: unknown, fallback: T): T {
  try {
    return typeof v === 'string' ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function rowToAlert(r: Row): Alert {
  return {
    id: str(r.id),
    ruleId: str(r.rule_id),
    title: str(r.title),
    severity: str(r.severity) as Severity,
    tags: json<string[]>(r.tags, []),
    tenantId: str(r.tenant_id),
    groupKey: str(r.group_key),
    groupHash: str(r.group_hash),
    entities: json<Entities>(r.entities, {}),
    firstSeen: msOf(r.first_seen),
    lastSeen: msOf(r.last_seen),
    count: Number(r.count),
    evidence: json<string[]>(r.evidence, []),
    evidenceTotal: Number(r.evidence_total),
    status: str(r.status) as AlertStatus,
    assignee: r.assignee === null || r.assignee === undefined ? null : str(r.assignee),
    revision: Number(r.revision),
    suppressedBy: r.suppressed_by === null || r.suppressed_by === undefined ? null : str(r.suppressed_by),
    createdAt: msOf(r.created_at),
    updatedAt: msOf(r.updated_at),
  };
}

export async function getAlert(db: Db, id: string): Promise<Alert | null> {
  const rows = await db.query(sql`SELECT * FROM alerts WHERE id = ${id}`);
  return rows[0] ? rowToAlert(rows[0]) : null;
}

/** The latest alert of a key whose span, widened by the window, overlaps the hit's span. */
export async function findWindowAlert(
  db: Db,
  key: { ruleId: string; tenantId: string; groupKey: string },
  span: { firstSeen: number; lastSeen: number },
  windowMs: number,
): Promise<Alert | null> {
  const hash = groupHash(key.ruleId, key.tenantId, key.groupKey);
  const rows = await db.query(sql`
    SELECT * FROM alerts
    WHERE group_hash = ${hash}
      AND first_seen <= ${ts(span.lastSeen + windowMs)} AND last_seen >= ${ts(span.firstSeen - windowMs)}
    ORDER BY last_seen DESC, created_at DESC
    LIMIT 1`);
  return rows[0] ? rowToAlert(rows[0]) : null;
}

function alertValues(a: Alert): Sql {
  return sql`${a.id}, ${a.ruleId}, ${a.title}, ${a.severity}, ${severityRank(a.severity)}, ${JSON.stringify(a.tags)},
    ${a.tenantId}, ${a.groupKey}, ${a.groupHash}, ${JSON.stringify(a.entities)},
    ${ts(a.firstSeen)}, ${ts(a.lastSeen)}, ${a.count}, ${JSON.stringify(a.evidence)}, ${a.evidenceTotal}, ${a.status},
    ${a.assignee}, ${a.revision}, ${a.suppressedBy}, ${ts(a.createdAt)}, ${ts(a.updatedAt)}`;
}

export async function insertAlert(db: Db, a: Alert): Promise<void> {
  await db.execute(sql`INSERT INTO alerts (id, rule_id, title, severity, severity_rank, tags, tenant_id, group_key, group_hash,
    entities, first_seen, last_seen, count, evidence, evidence_total, status, assignee, revision, suppressed_by, created_at,
    updated_at) VALUES (${alertValues(a)})`);
}

export async function updateAlert(db: Db, a: Alert): Promise<void> {
  await db.execute(sql`UPDATE alerts SET severity = ${a.severity}, severity_rank = ${severityRank(a.severity)},
    tags = ${JSON.stringify(a.tags)}, entities = ${JSON.stringify(a.entities)}, first_seen = ${ts(a.firstSeen)},
    last_seen = ${ts(a.lastSeen)}, count = ${a.count}, evidence = ${JSON.stringify(a.evidence)},
    evidence_total = ${a.evidenceTotal}, status = ${a.status}, assignee = ${a.assignee}, revision = ${a.revision},
    suppressed_by = ${a.suppressedBy}, updated_at = ${ts(a.updatedAt)} WHERE id = ${a.id}`);
}

const CHUNK = 400;

/** The Ids among `ids` not yet recorded as evidence of the alert. */
export async function freshEvidence(db: Db, alertId: string, ids: string[]): Promise<string[]> {
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const rows = await db.query(
      sql`SELECT record_id FROM alert_evidence WHERE alert_id = ${alertId} AND record_id IN (${join(part.map((id) => sql`${id}`))})`,
    );
    for (const r of rows) known.add(str(r.record_id));
  }
  return ids.filter((id) => !known.has(id));
}

export async function addEvidence(db: Db, alertId: string, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const values = ids.slice(i, i + CHUNK).map((id) => sql`(${alertId}, ${id})`);
    await db.execute(sql`INSERT INTO alert_evidence (alert_id, record_id) VALUES ${join(values)}`);
  }
}

export async function appendHistory(db: Db, alertId: string, e: HistoryEntry): Promise<void> {
  const rows = await db.query(sql`SELECT COALESCE(MAX(seq), 0) AS n FROM alert_history WHERE alert_id = ${alertId}`);
  const seq = Number(rows[0]?.n ?? 0) + 1;
  await db.execute(sql`INSERT INTO alert_history (alert_id, seq, changed_at, actor, action, from_status, to_status, detail)
    VALUES (${alertId}, ${seq}, ${ts(e.at)}, ${e.actor}, ${e.action}, ${e.from}, ${e.to}, ${e.detail})`);
}

export async function readHistory(db: Db, alertId: string): Promise<HistoryEntry[]> {
  const rows = await db.query(sql`SELECT * FROM alert_history WHERE alert_id = ${alertId} ORDER BY seq`);
  return rows.map((r) => ({
    at: msOf(r.changed_at),
    actor: str(r.actor),
    action: str(r.action) as HistoryEntry['action'],
    from: r.from_status === null ? null : (str(r.from_status) as AlertStatus),
    to: str(r.to_status) as AlertStatus,
    detail: r.detail === null ? null : str(r.detail),
  }));
}

export interface AlertFilter {
  status?: AlertStatus[];
  /** Minimum severity. */
  severity?: Severity;
  rule?: string;
  tenant?: string;
  limit?: number;
}

export async function listAlerts(db: Db, f: AlertFilter = {}): Promise<Alert[]> {
  const where: Sql[] = [sql`1 = 1`];
  if (f.status && f.status.length > 0) where.push(sql`status IN (${join(f.status.map((s) => sql`${s}`))})`);
  if (f.severity) where.push(sql`severity_rank >= ${severityRank(f.severity)}`);
  if (f.rule) where.push(sql`rule_id = ${f.rule}`);
  if (f.tenant) where.push(sql`tenant_id = ${f.tenant}`);
  const rows = await db.query(
    sql`SELECT * FROM alerts WHERE ${join(where, sql` AND `)} ORDER BY last_seen DESC, id LIMIT ${f.limit ?? 1000}`,
  );
  return rows.map(rowToAlert);
}
