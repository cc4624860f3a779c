// The copy port on DuckDB (ports/copy.ts): every table through the shared statements (copy-tables.ts),
// and the events read per tenant and day in (creation_time, Id) order — the day bounds let the zone
// maps of the creation_time-sorted row groups skip the rest of the table, so each page reads about a
// day of one tenant, not all that follows — and written through the store's own ingest.

import { sql } from '../sql/index.js';
import { tableCopy } from '../copy-tables.js';
import { copiedEvent, eventColumnsSql } from '../copy-events.js';
import type { CommitResult, CopiedEvent, CopyPort } from '../types.js';
import { msCol, type StateDb } from './state/db.js';

const DAY = 86_400_000;

export function duckdbCopy(db: StateDb, writeEvents: (events: readonly CopiedEvent[]) => Promise<CommitResult>): CopyPort {
  const COLUMNS = eventColumnsSql(msCol);
  return {
    ...tableCopy(db, msCol, undefined, ['detection_evidence']),
    async identity() {
      const rows = await db.read(sql`SELECT epoch_us(min(applied_at)) AS created FROM schema_migrations`);
      return `duckdb store created ${String(rows[0]?.['created'] ?? 'unknown')}`;
    },
    async eventDays() {
      const rows = await db.read(sql`SELECT tenant_id, CAST(floor(epoch_ms(creation_time) / ${DAY}) AS BIGINT) AS d, count(*) AS n FROM events GROUP BY 1, 2 ORDER BY 1, 2`);
      return rows.map((r) => ({ tenantId: String(r['tenant_id']), day: Number(r['d']) * DAY, records: Number(r['n']) }));
    },
    async readEvents(day, after, limit) {
      const from = sql`tenant_id = ${day.tenantId} AND creation_time >= ${new Date(day.day)} AND creation_time < ${new Date(day.day + DAY)}`;
      const past = after ? sql`AND (creation_time > ${new Date(after.creationTime)} OR (creation_time = ${new Date(after.creationTime)} AND id > ${after.id}))` : sql``;
      const rows = await db.read(sql`SELECT ${COLUMNS} FROM events WHERE ${from} ${past} ORDER BY creation_time, id LIMIT ${Math.max(1, Math.trunc(limit))}`);
      return rows.map(copiedEvent);
    },
    writeEvents,
    async countEvents() {
      const rows = await db.read(sql`SELECT count(*) AS n FROM events`);
      return Number(rows[0]?.['n'] ?? 0);
    },
  };
}
