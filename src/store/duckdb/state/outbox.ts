// The alert outbox in DuckDB (alert_outbox, migration 300): one row per (alert, destination, revision).

import { join, raw, sql, type Sql } from '../../sql/index.js';
import type { OutboxKey, OutboxRecord, OutboxState, OutboxStatus, Row } from '../../types.js';
import { at, msCol, numOrNull, str, strOrNull, type StateDb } from './db.js';

const SELECT = sql`alert_id, destination, revision, idempotency_key, payload, status, attempts, ${msCol('next_attempt_at')},
  ${msCol('first_failed_at')}, last_error, ${msCol('created_at')}, ${msCol('delivered_at')}`;

function toRow(r: Row): OutboxRecord {
  return {
    alertId: str(r['alert_id']),
    destination: str(r['destination']),
    revision: Number(r['revision']),
    idempotencyKey: str(r['idempotency_key']),
    payload: str(r['payload']),
    status: str(r['status']) as OutboxStatus,
    attempts: Number(r['attempts']),
    nextAttemptAt: Number(r['next_attempt_at']),
    firstFailedAt: numOrNull(r['first_failed_at']),
    lastError: strOrNull(r['last_error']),
    createdAt: Number(r['created_at']),
    deliveredAt: numOrNull(r['delivered_at']),
  };
}

const keyOf = (k: OutboxKey): Sql => sql`alert_id = ${k.alertId} AND destination = ${k.destination} AND revision = ${k.revision}`;

export function duckdbOutbox(db: StateDb): OutboxState {
  return {
    enqueue(rows) {
      return db.atomic(async (tx) => {
        let queued = 0;
        for (const r of rows) {
          queued += await tx.write(sql`INSERT INTO alert_outbox (alert_id, destination, revision, idempotency_key, payload, status, attempts,
            next_attempt_at, first_failed_at, last_error, created_at, delivered_at)
            VALUES (${r.alertId}, ${r.destination}, ${r.revision}, ${r.idempotencyKey}, ${r.payload}, ${'pending'}, ${0}, ${at(r.at)}, ${null}, ${null},
            ${at(r.at)}, ${null}) ON CONFLICT DO NOTHING`);
        }
        return queued;
      });
    },
    async list(filter = {}) {
      const where: Sql[] = [sql`1 = 1`];
      if (filter.status) where.push(sql`status = ${filter.status}`);
      if (filter.alertId) where.push(sql`alert_id = ${filter.alertId}`);
      if (filter.dueBy !== undefined) where.push(sql`next_attempt_at <= ${at(filter.dueBy)}`);
      const rows = await db.read(sql`SELECT ${SELECT} FROM alert_outbox WHERE ${join(where, raw(' AND '))}
        ORDER BY created_at, alert_id, destination, revision LIMIT ${filter.limit ?? 1_000_000}`);
      return rows.map(toRow);
    },
    async markDelivered(key, d) {
      const n = await db.write(sql`UPDATE alert_outbox SET status = ${'delivered'}, delivered_at = ${at(d.at)}, attempts = ${d.attempts},
        last_error = ${null} WHERE ${keyOf(key)} AND status = ${'pending'}`);
      return n > 0;
    },
    markFailed(key, f) {
      return db.atomic(async (tx) => {
        const n = await tx.write(sql`UPDATE alert_outbox SET status = ${f.giveUp ? 'failed' : 'pending'}, attempts = ${f.attempts},
          next_attempt_at = ${at(f.nextAttemptAt)}, first_failed_at = COALESCE(first_failed_at, ${at(f.at)}), last_error = ${f.error}
          WHERE ${keyOf(key)} AND status = ${'pending'}`);
        if (n > 0 && !f.giveUp) {
          await tx.write(sql`UPDATE alert_outbox SET next_attempt_at = ${at(f.nextAttemptAt)}
            WHERE destination = ${key.destination} AND status = ${'pending'} AND next_attempt_at < ${at(f.nextAttemptAt)}`);
        }
        return n > 0;
      });
    },
    async nextDue() {
      const rows = await db.read(sql`SELECT epoch_ms(MIN(next_attempt_at)) AS t FROM alert_outbox WHERE status = ${'pending'}`);
      return numOrNull(rows[0]?.['t']);
    },
    async stats(deliveredSince) {
      const totals = await db.read(sql`SELECT destination, status, COUNT(*) AS n FROM alert_outbox GROUP BY destination, status`);
      const recent = await db.read(sql`SELECT ${SELECT} FROM alert_outbox WHERE status <> ${'delivered'} OR delivered_at >= ${at(deliveredSince)}`);
      return {
        totals: totals.map((t) => ({ destination: str(t['destination']), status: str(t['status']) as OutboxStatus, count: Number(t['n']) })),
        recent: recent.map(toRow),
      };
    },
  };
}
