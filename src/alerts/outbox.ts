// The durable outbox: one row per (alert, destination, revision) delivery, written in the same
// transaction as the alert change that asks for it. The worker (worker.ts) delivers pending rows;
// outboxHealth() tells `auditwatch status` which destination keeps failing.

import { createHash } from 'node:crypto';
import { join, sql, type Sql } from '../store/index.js';
import { toPayload } from './model.js';
import { msOf, ts, type Db } from './repo.js';
import type { Alert } from './types.js';

/** Stable per (alert, destination, revision): a receiver that keeps the keys it saw drops repeats. */
export function idempotencyKey(alertId: string, destination: string, revision: number): string {
  return `aw-${createHash('sha256').update(JSON.stringify([alertId, destination, revision])).digest('hex').slice(0, 40)}`;
}

/** Queues the alert's current revision for each destination (a row that exists already is kept). */
export async function enqueue(db: Db, alert: Alert, destinations: readonly string[], now: number): Promise<number> {
  let queued = 0;
  const payload = JSON.stringify(toPayload(alert));
  for (const destination of destinations) {
    const exists = await db.query(sql`SELECT 1 AS x FROM alert_outbox
      WHERE alert_id = ${alert.id} AND destination = ${destination} AND revision = ${alert.revision}`);
    if (exists.length > 0) continue;
    await db.execute(sql`INSERT INTO alert_outbox (alert_id, destination, revision, idempotency_key, payload, status, attempts,
      next_attempt_at, first_failed_at, last_error, created_at, delivered_at)
      VALUES (${alert.id}, ${destination}, ${alert.revision}, ${idempotencyKey(alert.id, destination, alert.revision)}, ${payload},
      ${'pending'}, ${0}, ${ts(now)}, ${null}, ${null}, ${ts(now)}, ${null})`);
    queued++;
  }
  return queued;
}

export interface OutboxRow {
  alertId: string;
  destination: string;
  revision: number;
  idempotencyKey: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  firstFailedAt: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export async function outboxRows(
  db: Db,
  filter: { status?: OutboxRow['status']; alertId?: string; dueBy?: number; limit?: number } = {},
): Promise<OutboxRow[]> {
  const where: Sql[] = [sql`1 = 1`];
  if (filter.status) where.push(sql`status = ${filter.status}`);
  if (filter.alertId) where.push(sql`alert_id = ${filter.alertId}`);
  if (filter.dueBy !== undefined) where.push(sql`next_attempt_at <= ${ts(filter.dueBy)}`);
  const rows = await db.query(
    sql`SELECT * FROM alert_outbox WHERE ${join(where, sql` AND `)} ORDER BY created_at, alert_id, destination, revision
      LIMIT ${filter.limit ?? 1_000_000}`,
  );
  return rows.map((r) => ({
    alertId: String(r.alert_id),
    destination: String(r.destination),
    revision: Number(r.revision),
    idempotencyKey: String(r.idempotency_key),
    payload: String(r.payload),
    status: String(r.status) as OutboxRow['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: msOf(r.next_attempt_at),
    firstFailedAt: r.first_failed_at === null ? null : msOf(r.first_failed_at),
    lastError: r.last_error === null ? null : String(r.last_error),
    createdAt: msOf(r.created_at),
    deliveredAt: r.delivered_at === null ? null : msOf(r.delivered_at),
  }));
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
  const rows = await store.query(sql`SELECT destination, status, attempts, first_failed_at, last_error, created_at FROM alert_outbox
    WHERE status <> ${'delivered'} OR delivered_at >= ${ts(now - 86_400_000)}`);
  const totals = await store.query(sql`SELECT destination, status, COUNT(*) AS n FROM alert_outbox GROUP BY destination, status`);
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
    const h = get(String(t.destination));
    const n = Number(t.n);
    if (t.status === 'pending') h.pending = n;
    else if (t.status === 'failed') h.failed = n;
    else h.delivered = n;
  }
  for (const r of rows) {
    if (r.status !== 'pending') continue;
    const h = get(String(r.destination));
    const created = msOf(r.created_at);
    h.oldestPendingMs = Math.max(h.oldestPendingMs ?? 0, now - created);
    if (r.first_failed_at !== null) {
      const since = msOf(r.first_failed_at);
      if (h.failingSince === null || since < Date.parse(h.failingSince)) h.failingSince = new Date(since).toISOString();
    }
    if (r.last_error !== null && Number(r.attempts) > 0 && created >= h.lastErrorAt) {
      h.lastError = String(r.last_error);
      h.lastErrorAt = created;
    }
  }
  for (const r of rows) {
    if (r.status !== 'failed') continue;
    const h = get(String(r.destination));
    if (h.lastError === null && r.last_error !== null) h.lastError = String(r.last_error);
  }
  return [...by.values()]
    .map(({ lastErrorAt: _ignored, ...h }) => h)
    .sort((a, b) => a.destination.localeCompare(b.destination));
}
