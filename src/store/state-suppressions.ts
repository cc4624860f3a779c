// Suppression rules (alert_suppressions), the same SQL on every state engine (DuckDB migration 300,
// PostgreSQL migration 1); each engine passes its handle and how it reads epoch ms.

import { sql, type Sql } from './sql/index.js';
import type { SuppressionRecord, SuppressionsState } from './types.js';
import { at, atOrNull, json, numOrNull, str, strOrNull, type StateHandle } from './state-values.js';

function selectOf(msCol: (column: string) => Sql): Sql {
  return sql`id, rule_id, tenant_id, entities, reason, created_by, ${msCol('created_at')}, ${msCol('expires_at')}`;
}

function toSuppression(r: Record<string, unknown>): SuppressionRecord {
  return {
    id: str(r['id']),
    ruleId: strOrNull(r['rule_id']),
    tenantId: strOrNull(r['tenant_id']),
    entities: json<string[]>(r['entities'], []),
    reason: str(r['reason']),
    createdBy: str(r['created_by']),
    createdAt: Number(r['created_at']),
    expiresAt: numOrNull(r['expires_at']),
  };
}

/** Suppressions over any state engine's handle; `msCol` reads a timestamp column as epoch ms. */
export function suppressionsState(db: StateHandle, msCol: (column: string) => Sql): SuppressionsState {
  const SELECT = selectOf(msCol);
  return {
    async insert(s) {
      await db.write(sql`INSERT INTO alert_suppressions (id, rule_id, tenant_id, entities, reason, created_by, created_at, expires_at, removed_at)
        VALUES (${s.id}, ${s.ruleId}, ${s.tenantId}, ${JSON.stringify(s.entities)}, ${s.reason}, ${s.createdBy}, ${at(s.createdAt)},
        ${atOrNull(s.expiresAt)}, ${null})`);
    },
    async list(activeAt) {
      const rows = await db.read(
        activeAt === undefined
          ? sql`SELECT ${SELECT} FROM alert_suppressions WHERE removed_at IS NULL ORDER BY created_at, id`
          : sql`SELECT ${SELECT} FROM alert_suppressions WHERE removed_at IS NULL AND (expires_at IS NULL OR expires_at > ${at(activeAt)}) ORDER BY created_at, id`,
      );
      return rows.map(toSuppression);
    },
    async remove(id, when) {
      return (await db.write(sql`UPDATE alert_suppressions SET removed_at = ${at(when)} WHERE id = ${id} AND removed_at IS NULL`)) > 0;
    },
  };
}
