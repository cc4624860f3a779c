// Collector state in PostgreSQL (collector_state, migration 4): what each worker's last pass ended with.

import { sql } from '../../sql/index.js';
import type { CollectorState } from '../../types.js';
import { at, atOrNull, msCol, numOrNull, sortedUnique, str, type PgDb } from './db.js';

export function postgresCollector(db: PgDb): CollectorState {
  return {
    async save(states, when) {
      await db.atomic(async (tx) => {
        // One worker's row at a time in a fixed order, so concurrent saves never deadlock.
        const order = new Map(sortedUnique(states.map((s) => `${s.tenantId}\u0001${s.contentType}`)).map((k, i) => [k, i]));
        for (const s of [...states].sort((x, y) => order.get(`${x.tenantId}\u0001${x.contentType}`)! - order.get(`${y.tenantId}\u0001${y.contentType}`)!)) {
          const e = s.lastError;
          await tx.write(sql`INSERT INTO collector_state (tenant_id, content_type, subscription, last_error_code, last_error_message, last_error_at, last_success_at, updated_at)
VALUES (${s.tenantId}, ${s.contentType}, ${s.subscription}, ${e?.code ?? null}, ${e?.message ?? null}, ${atOrNull(e?.at)},
  ${atOrNull(s.lastSuccess)}, ${at(when)})
ON CONFLICT (tenant_id, content_type) DO UPDATE SET subscription = excluded.subscription, last_error_code = excluded.last_error_code,
  last_error_message = excluded.last_error_message, last_error_at = excluded.last_error_at,
  last_success_at = COALESCE(excluded.last_success_at, collector_state.last_success_at), updated_at = excluded.updated_at`);
        }
      });
    },
    async load() {
      const rows = await db.read(sql`SELECT tenant_id, content_type, subscription, last_error_code, last_error_message,
    ${msCol('last_error_at')}, ${msCol('last_success_at')}, ${msCol('updated_at')} FROM collector_state`);
      return rows.map((r) => {
        const hasError = r['last_error_message'] !== null && r['last_error_at'] !== null;
        return {
          tenantId: str(r['tenant_id']),
          contentType: str(r['content_type']),
          subscription: str(r['subscription']),
          lastError: hasError ? { code: String(r['last_error_code'] ?? 'error'), message: String(r['last_error_message']), at: Number(r['last_error_at']) } : null,
          lastSuccess: numOrNull(r['last_success_at']),
          updatedAt: Number(r['updated_at']),
        };
      });
    },
  };
}
