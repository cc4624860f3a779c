// Converting state rows to and from typed records, the same for every state engine (DuckDB, PostgreSQL):
// times as Date parameters and epoch-ms numbers back, text and JSON columns read defensively, and the
// alert row's columns and mapping. Each engine's db.ts adds only what differs (how to read epoch ms).

import { join, raw, sql, type Sql } from './sql/index.js';
import type { AlertQuery, AlertRecord, AlertSort, AlertSummary } from './types.js';

export const at = (ms: number): Date => new Date(Math.round(ms));
export const atOrNull = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : at(ms));
export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** JSON text read back, or the fallback when it is not valid JSON. */
export function json<T>(v: unknown, fallback: T): T {
  try {
    return typeof v === 'string' ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** What a state engine gives its statements: reads, writes (rows changed) and a unit of work. */
export interface StateHandle {
  read(q: Sql): Promise<Record<string, unknown>[]>;
  write(q: Sql): Promise<number>;
  atomic<T>(fn: (db: StateHandle) => Promise<T>): Promise<T>;
}

/** `items` in chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The columns of an alert row; `msCol` reads a timestamp column as epoch ms in the engine's SQL. */
export function alertColumns(msCol: (column: string) => Sql): Sql {
  return sql`id, rule_id, title, severity, severity_rank, tags, tenant_id, group_key, group_hash, entities, ${msCol('first_seen')},
  ${msCol('last_seen')}, count, evidence, evidence_total, status, assignee, revision, suppressed_by, ${msCol('created_at')}, ${msCol('updated_at')}`;
}

export function toAlert(r: Record<string, unknown>): AlertRecord {
  return {
    id: str(r['id']),
    ruleId: str(r['rule_id']),
    title: str(r['title']),
    severity: str(r['severity']),
    severityRank: Number(r['severity_rank']),
    tags: json<string[]>(r['tags'], []),
    tenantId: str(r['tenant_id']),
    groupKey: str(r['group_key']),
    groupHash: str(r['group_hash']),
    entities: json<AlertRecord['entities']>(r['entities'], {}),
    firstSeen: Number(r['first_seen']),
    lastSeen: Number(r['last_seen']),
    count: Number(r['count']),
    evidence: json<string[]>(r['evidence'], []),
    evidenceTotal: Number(r['evidence_total']),
    status: str(r['status']),
    assignee: strOrNull(r['assignee']),
    revision: Number(r['revision']),
    suppressedBy: strOrNull(r['suppressed_by']),
    createdAt: Number(r['created_at']),
    updatedAt: Number(r['updated_at']),
  };
}

/** An alert's values in the column order of alertColumns. */
export function alertValues(a: AlertRecord): Sql {
  return sql`${a.id}, ${a.ruleId}, ${a.title}, ${a.severity}, ${a.severityRank}, ${JSON.stringify(a.tags)},
    ${a.tenantId}, ${a.groupKey}, ${a.groupHash}, ${JSON.stringify(a.entities)},
    ${at(a.firstSeen)}, ${at(a.lastSeen)}, ${a.count}, ${JSON.stringify(a.evidence)}, ${a.evidenceTotal}, ${a.status},
    ${a.assignee}, ${a.revision}, ${a.suppressedBy}, ${at(a.createdAt)}, ${at(a.updatedAt)}`;
}

/** The WHERE of an alert listing; `inList` spells `column IN (values)` for the engine. */
export function alertWhere(q: AlertQuery, inList: (column: string, values: readonly string[]) => Sql): Sql {
  const where: Sql[] = [sql`1 = 1`];
  if (q.statuses && q.statuses.length > 0) where.push(inList('status', q.statuses));
  if (q.minSeverityRank !== undefined) where.push(sql`severity_rank >= ${q.minSeverityRank}`);
  if (q.ruleId) where.push(sql`rule_id = ${q.ruleId}`);
  if (q.tenantId) where.push(sql`tenant_id = ${q.tenantId}`);
  if (q.assignee === null) where.push(sql`assignee IS NULL`);
  else if (q.assignee !== undefined) where.push(sql`assignee = ${q.assignee}`);
  if (q.lastSeenFrom !== undefined) where.push(sql`last_seen >= ${at(q.lastSeenFrom)}`);
  if (q.firstSeenTo !== undefined) where.push(sql`first_seen <= ${at(q.firstSeenTo)}`);
  return join(where, raw(' AND '));
}

const ORDER: Record<AlertSort, string> = {
  newest: 'last_seen DESC, id',
  oldest: 'last_seen ASC, id',
  severity: 'severity_rank DESC, last_seen DESC, id',
  count: 'count DESC, last_seen DESC, id',
};

/** ORDER BY … LIMIT … OFFSET … of an alert listing. */
export function alertPage(q: AlertQuery): Sql {
  const limit = Math.max(0, Math.floor(q.limit ?? 1000));
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  return sql`ORDER BY ${raw(ORDER[q.sort ?? 'newest'] ?? ORDER.newest)} LIMIT ${limit} OFFSET ${offset}`;
}

/**
 * The overview's alert counts on an engine; `dayNumber` spells the UTC day number (days since 1970)
 * of a timestamp column.
 */
export async function alertSummary(db: Pick<StateHandle, 'read'>, since: number, dayNumber: (column: string) => Sql): Promise<AlertSummary> {
  const open = await db.read(sql`SELECT severity, count(*) AS n FROM alerts WHERE status IN ('new', 'acknowledged') GROUP BY severity`);
  const days = await db.read(sql`SELECT ${dayNumber('first_seen')} AS d, severity, count(*) AS n FROM alerts WHERE first_seen >= ${at(since)} GROUP BY 1, 2 ORDER BY 1, 2`);
  return {
    openBySeverity: open.map((r) => ({ severity: str(r['severity']), count: num(r['n']) })),
    perDay: days.map((r) => ({ day: new Date(num(r['d']) * 86_400_000).toISOString().slice(0, 10), severity: str(r['severity']), count: num(r['n']) })),
  };
}
