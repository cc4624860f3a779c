// What each worker's last pass ended with — subscription state, last error, last success — kept in the
// store, so `auditwatch status` run without the daemon (after a cron'd `collect --once`, or once the
// daemon has stopped) still shows why a tenant × content type is not collecting.

import type { Store } from '../store/index.js';
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
export async function saveWorkerStates(store: Pick<Store, 'state'>, states: readonly WorkerStatus[], now: number): Promise<void> {
  await store.state.collector.save(
    states.map((s) => ({
      tenantId: s.tenantId,
      contentType: s.contentType,
      subscription: s.subscription,
      lastError: s.lastError ? { code: s.lastError.code, message: s.lastError.message.slice(0, MAX_MESSAGE), at: s.lastError.at } : null,
      lastSuccess: s.lastSuccess,
    })),
    now,
  );
}

/** Every saved worker state. */
export async function loadWorkerStates(store: Pick<Store, 'state'>): Promise<SavedWorkerState[]> {
  return (await store.state.collector.load()).map((r) => ({
    ...r,
    subscription: SUBSCRIPTION_STATES.has(r.subscription as SubscriptionState) ? (r.subscription as SubscriptionState) : 'unknown',
  }));
}
