// What each worker's last pass ended with — subscription state, last error, last success — kept in the
// store, so `auditwatch status` run without the daemon (after a cron'd `collect --once`, or once the
// daemon has stopped) still shows why a tenant × content type is not collecting.

import { sql, type Store } from '../store/index.js';
import type { SubscriptionState, WorkerStatus } from './types.js';

export interface SavedWorkerState {
  tenantId: string;
  contentType: string;
  subscription: SubscriptionState;
  lastError: { code: string; message: string; at: number } | null;
  lastSuccess: number | null;
  updatedAt: number;
}

// Long enough for any message we write (one line naming the fix), short enough that hostile text from
// an API error body cannot bloat the table.
const MAX_MESSAGE = 2000;
const SUBSCRIPTION_STATES = new Set<SubscriptionState>(['enabled', 'disabled', 'missing', 'unknown']);

/** Upserts the state of each worker (one row per tenant × content type). */
export async function saveWorkerStates(store: Store, states: readonly WorkerStatus[], now: number): Promise<void> {
  for (const s of states) {
    const e = s.lastError;
    await store.execute(sql`INSERT INTO collector_state (tenant_id, content_type, subscription, last_error_code, last_error_message, last_error_at, last_success_at, updated_at)
VALUES (${s.tenantId}, ${s.contentType}, ${s.subscription}, ${e?.code ?? null}, ${e ? e.message.slice(0, MAX_MESSAGE) : null}, ${e ? new Date(e.at) : null},
  ${s.lastSuccess === null ? null : new Date(s.lastSuccess)}, ${new Date(now)})
ON CONFLICT (tenant_id, content_type) DO UPDATE SET subscription = excluded.subscription, last_error_code = excluded.last_error_code,
  last_error_message = excluded.last_error_message, last_error_at = excluded.last_error_at,
  last_success_at = COALESCE(excluded.last_success_at, collector_state.last_success_at), updated_at = excluded.updated_at`);
  }
}

/** Every saved worker state. */
export async function loadWorkerStates(store: Store): Promise<SavedWorkerState[]> {
  const rows = await store.query(sql`SELECT tenant_id, content_type, subscription, last_error_code, last_error_message,
    epoch_ms(last_error_at) AS last_error_at, epoch_ms(last_success_at) AS last_success_at, epoch_ms(updated_at) AS updated_at FROM collector_state`);
  return rows.map((r) => {
    const sub = String(r['subscription']) as SubscriptionState;
    const hasError = r['last_error_message'] !== null && r['last_error_at'] !== null;
    return {
      tenantId: String(r['tenant_id']),
      contentType: String(r['content_type']),
      subscription: SUBSCRIPTION_STATES.has(sub) ? sub : 'unknown',
      lastError: hasError ? { code: String(r['last_error_code'] ?? 'error'), message: String(r['last_error_message']), at: Number(r['last_error_at']) } : null,
      lastSuccess: r['last_success_at'] === null ? null : Number(r['last_success_at']),
      updatedAt: Number(r['updated_at']),
    };
  });
}
