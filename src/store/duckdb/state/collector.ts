// Collector state in DuckDB (collector_state, migration 104): what each worker's last pass ended with.

import { sql } from '../../sql/index.js';
import type { CollectorState } from '../../types.js';
import { at, atOrNull, numOrNull, str, type StateDb } from './db.js';

export function duckdbCollector(db: StateDb): CollectorState {
  return {
    async save(states, when) {
      await db.atomic(async (tx) => {
        for (const s of states) {
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
    epoch_ms(last_error_at) AS last_error_at, epoch_ms(last_success_at) AS last_success_at, epoch_ms(updated_at) AS updated_at FROM collector_state`);
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
