// The durable outbox: one row per (alert, destination, revision) delivery, written in the same
// transaction as the alert change that asks for it. The worker (worker.ts) delivers pending rows;
// outboxHealth() tells `auditwatch status` which destination keeps failing.

import { createHash } from 'node:crypto';
import type { OutboxRecord } from '../store/index.js';
import { toPayload } from './model.js';
import { repos, type Db } from './repo.js';
import type { Alert } from './types.js';

/** Stable per (alert, destination, revision): a receiver that keeps the keys it saw drops repeats. */
export function idempotencyKey(alertId: string, destination: string, revision: number): string {
  return `aw-${createHash('sha256').update(JSON.stringify([alertId, destination, revision])).digest('hex').slice(0, 40)}`;
}

/** Queues the alert's current revision for each destination (a row that exists already is kept). */
export async function enqueue(db: Db, alert: Alert, destinations: readonly string[], now: number): Promise<number> {
  if (destinations.length === 0) return 0;
  const payload = JSON.stringify(toPayload(alert));
  return repos(db).outbox.enqueue(
    destinations.map((destination) => ({
      alertId: alert.id,
      destination,
      revision: alert.revision,
      idempotencyKey: idempotencyKey(alert.id, destination, alert.revision),
      payload,
      at: now,
    })),
  );
}

export type OutboxRow = OutboxRecord;

export async function outboxRows(
  db: Db,
  filter: { status?: OutboxRow['status']; alertId?: string; dueBy?: number; limit?: number } = {},
): Promise<OutboxRow[]> {
  return repos(db).outbox.list(filter);
}

export interface DestinationHealth {
  destination: string;
  /** Deliveries waiting (including those being retried). */
  pending: number;
  /** Deliveries given up (a permanent error, or retried past the destination's giveUpAfter). */
  failed: number;
  delivered: number;
  /** When the oldest delivery still pending first failed; null when nothing pending has failed. */
  failingSince: string | null;
  lastError: string | null;
  /** Age in ms of the oldest pending delivery at `now`. */
  oldestPendingMs: number | null;
}

/** Per destination: what waits, since when it fails and why (for `auditwatch status`). */
export async function outboxHealth(store: Db, now: number): Promise<DestinationHealth[]> {
  const { totals, recent: rows } = await repos(store).outbox.stats(now - 86_400_000);
  const by = new Map<string, DestinationHealth & { lastErrorAt: number }>();
  const get = (d: string) => {
    let h = by.get(d);
    if (!h) {
      h = { destination: d, pending: 0, failed: 0, delivered: 0, failingSince: null, lastError: null, oldestPendingMs: null, lastErrorAt: -1 };
      by.set(d, h);
    }
    return h;
  };
  for (const t of totals) {
    const h = get(t.destination);
    const n = t.count;
    if (t.status === 'pending') h.pending = n;
    else if (t.status === 'failed') h.failed = n;
    else h.delivered = n;
  }
  for (const r of rows) {
    if (r.status !== 'pending') continue;
    const h = get(r.destination);
    const created = r.createdAt;
    h.oldestPendingMs = Math.max(h.oldestPendingMs ?? 0, now - created);
    if (r.firstFailedAt !== null) {
      const since = r.firstFailedAt;
      if (h.failingSince === null || since < Date.parse(h.failingSince)) h.failingSince = new Date(since).toISOString();
    }
    if (r.lastError !== null && r.attempts > 0 && created >= h.lastErrorAt) {
      h.lastError = r.lastError;
      h.lastErrorAt = created;
    }
  }
  for (const r of rows) {
    if (r.status !== 'failed') continue;
    const h = get(r.destination);
    if (h.lastError === null && r.lastError !== null) h.lastError = r.lastError;
  }
  return [...by.values()]
    .map(({ lastErrorAt: _ignored, ...h }) => h)
    .sort((a, b) => a.destination.localeCompare(b.destination));
}
