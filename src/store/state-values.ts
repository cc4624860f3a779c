// Converting state rows to and from typed records, the same for every state engine (DuckDB, PostgreSQL):
// times as Date parameters and epoch-ms numbers back, text and JSON columns read defensively, and the
// alert row's columns and mapping. Each engine's db.ts adds only what differs (how to read epoch ms).

import { sql, type Sql } from './sql/index.js';
import type { AlertRecord } from './types.js';

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
