// The transactional half of a ClickHouse events store, in PostgreSQL (migration 20): the blob ledger,
// cursors, gaps and dead letters. `commit` writes a batch's ledger entries, dead letters and cursors in
// one transaction, after the events store has inserted the batch's rows; the rest are the events port's
// methods on these tables, and `read` lets tests and the collection report read them with portable SQL.

import { createHash } from 'node:crypto';
import { join, sql, type Sql } from '../../sql/index.js';
import type { Rejection } from '../../../records/index.js';
import type { BlobRef, CollectionStats, Cursor, Gap, Lease, Row } from '../../types.js';
import { leaseLostError } from '../../local-leases.js';
import { at, chunks, msCol, msOf, numOrNull, str, strOrNull, type PgDb, type PgRow } from './db.js';

const DAY = 86_400_000;

/** One blob (or imported file) as the events store ingested it. */
export interface LedgerItem {
  tenantId: string | null;
  contentType: string | null;
  sourceId: string;
  /** The ledger entry to write; null for imports. */
  blob: BlobRef | null;
  rowCount: number;
  inserted: number;
  rejects: readonly Rejection[];
  ingestedAt: number;
}

export interface IngestLedger {
  /** Ledger entries, dead letters and cursors of a batch in one transaction; returns the dead letters new per item. */
  /** `fences`: the leases the batch is committed under; one no longer current refuses the whole commit (AppError lease_lost). */
  commit(items: readonly LedgerItem[], cursors: readonly Omit<Cursor, 'updatedAt'>[], now: number, fences?: readonly Lease[]): Promise<number[]>;
  knownBlobs(tenantId: string, contentType: string, since: number): Promise<Set<string>>;
  getCursor(tenantId: string, contentType: string): Promise<Cursor | null>;
  setCursor(cursor: Omit<Cursor, 'updatedAt'>, now: number): Promise<void>;
  recordGap(gap: Gap): Promise<void>;
  pruneLedger(now: number): Promise<number>;
  /** Dead letters received and gaps ending before `before`. */
  applyRetention(before: number): Promise<void>;
  stats(options: { today: number; ledgerSince: number }): Promise<Omit<CollectionStats, 'events'>>;
  /** A read of these tables (timestamps as ISO-8601 UTC, safe bigints as numbers). */
  read(q: Sql): Promise<Row[]>;
}

/** The dead letter's key: the same rejected input from the same source and tenant is kept once. */
export function deadLetterId(tenantId: string | null, sourceId: string, key: string): string {
  return createHash('md5').update(`${tenantId ?? ''}\u0000${sourceId}\u0000${key}`).digest('hex');
}

const upsertCursor = (db: PgDb, c: Omit<Cursor, 'updatedAt'>, now: number) =>
  db.write(sql`INSERT INTO cursors (tenant_id, content_type, position, updated_at) VALUES (${c.tenantId}, ${c.contentType}, ${at(c.position)}, ${at(now)})
ON CONFLICT (tenant_id, content_type) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`);

/** The bigint columns of these tables and the usual count aliases: `pg` hands int8 back as text. */
const INTEGER_COLUMNS = new Set(['record_count', 'inserted', 'duplicates', 'dead_letters', 'n', 'count', 'blobs', 'blobs_today']);

function plain(row: PgRow): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) out[k] = v.toISOString();
    else if (typeof v === 'bigint') out[k] = Number(v);
    else if (typeof v === 'string' && INTEGER_COLUMNS.has(k) && /^-?\d{1,15}$/.test(v)) out[k] = Number(v);
    else out[k] = v === undefined ? null : (v as Row[string]);
  }
  return out;
}

export function postgresIngestLedger(db: PgDb): IngestLedger {
  return {
    async commit(items, cursors, now, fences = []) {
      return db.atomic(async (tx) => {
        if (fences.length > 0) {
          // Held FOR SHARE to the end of this transaction: a take-over (an UPDATE of the row) waits for it,
          // and then the new holder reads the cursor and ledger this commit wrote.
          const keyOf = (k: { tenantId: string; contentType: string }) => `${k.tenantId}\u0001${k.contentType}`;
          const sorted = [...fences].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
          const rows = await tx.read(sql`SELECT tenant_id, content_type, holder, token FROM collector_leases
            WHERE (tenant_id, content_type) IN (SELECT * FROM unnest(${sorted.map((f) => f.tenantId)}::text[], ${sorted.map((f) => f.contentType)}::text[]))
            ORDER BY tenant_id, content_type FOR SHARE`);
          const current = new Map(rows.map((r) => [`${str(r['tenant_id'])}\u0001${str(r['content_type'])}`, `${str(r['holder'])}\u0001${Number(r['token'])}`]));
          const lost = sorted.filter((f) => current.get(keyOf(f)) !== `${f.holder}\u0001${f.token}`);
          if (lost.length > 0) throw leaseLostError(lost);
        }
        const ledger = items.filter((i) => i.blob !== null);
        for (const part of chunks(ledger, 500)) {
          const values = part.map(({ blob, rowCount, inserted, rejects, ingestedAt }) => {
            const b = blob!;
            return sql`(${b.tenantId}, ${b.contentType}, ${b.contentId}, ${at(b.contentCreated)}, ${at(b.contentExpiration)}, ${rowCount + rejects.length}, ${inserted}, ${rowCount - inserted}, ${rejects.length}, ${at(ingestedAt)})`;
          });
          await tx.write(sql`INSERT INTO blob_ledger (tenant_id, content_type, content_id, content_created, content_expiration, record_count, inserted, duplicates, dead_letters, ingested_at) VALUES ${join(values)} ON CONFLICT DO NOTHING`);
        }
        const added: number[] = [];
        for (const item of items) {
          let n = 0;
          for (const part of chunks(item.rejects, 500)) {
            const values = part.map((d) => sql`(${deadLetterId(item.tenantId, item.sourceId, d.key ?? d.raw)}, ${item.tenantId}, ${item.contentType}, ${item.sourceId}, ${d.reason}, ${d.raw}, ${at(item.ingestedAt)})`);
            n += await tx.write(sql`INSERT INTO dead_letters (id, tenant_id, content_type, source_id, reason, raw, received_at) VALUES ${join(values)} ON CONFLICT DO NOTHING`);
          }
          added.push(n);
        }
        // In a fixed order, so two processes committing cursors never deadlock.
        for (const c of [...cursors].sort((a, b) => (`${a.tenantId}\u0001${a.contentType}` < `${b.tenantId}\u0001${b.contentType}` ? -1 : 1))) await upsertCursor(tx, c, now);
        return added;
      });
    },
    async knownBlobs(tenantId, contentType, since) {
      const rows = await db.read(sql`SELECT content_id FROM blob_ledger WHERE tenant_id = ${tenantId} AND content_type = ${contentType} AND content_created >= ${at(since)}`);
      return new Set(rows.map((r) => str(r['content_id'])));
    },
    async getCursor(tenantId, contentType) {
      const rows = await db.read(sql`SELECT ${msCol('position')}, ${msCol('updated_at')} FROM cursors WHERE tenant_id = ${tenantId} AND content_type = ${contentType}`);
      const r = rows[0];
      return r ? { tenantId, contentType, position: Number(r['position']), updatedAt: Number(r['updated_at']) } : null;
    },
    async setCursor(cursor, now) {
      await upsertCursor(db, cursor, now);
    },
    async recordGap(gap) {
      const key = gap.contentId ?? `window:${gap.windowStart}-${gap.windowEnd}`;
      await db.write(sql`INSERT INTO gaps (tenant_id, content_type, gap_key, content_id, window_start, window_end, code, reason, detected_at)
VALUES (${gap.tenantId}, ${gap.contentType}, ${key}, ${gap.contentId}, ${at(gap.windowStart)}, ${at(gap.windowEnd)}, ${gap.code}, ${gap.reason}, ${at(gap.detectedAt)})
ON CONFLICT DO NOTHING`);
    },
    pruneLedger: (now) => db.write(sql`DELETE FROM blob_ledger WHERE content_expiration < ${at(now - DAY)}`),
    async applyRetention(before) {
      await db.atomic(async (tx) => {
        await tx.write(sql`DELETE FROM dead_letters WHERE received_at < ${at(before)}`);
        await tx.write(sql`DELETE FROM gaps WHERE window_end < ${at(before)}`);
      });
    },
    async stats(o) {
      const today = at(o.today);
      const ledger = await db.read(sql`SELECT tenant_id, content_type, count(*) AS blobs, sum(CASE WHEN ingested_at >= ${today} THEN 1 ELSE 0 END) AS blobs_today,
    ${msOf(sql`min(content_created)`)} AS oldest_created, ${msOf(sql`max(content_created)`)} AS newest_created
  FROM blob_ledger WHERE content_created >= ${at(o.ledgerSince)} GROUP BY tenant_id, content_type`);
      const gaps = await db.read(sql`SELECT tenant_id, content_type, code, count(*) AS n, ${msOf(sql`min(window_start)`)} AS first_start, ${msOf(sql`max(window_end)`)} AS last_end
  FROM gaps GROUP BY tenant_id, content_type, code`);
      const dead = await db.read(sql`SELECT tenant_id, content_type, count(*) AS n FROM dead_letters GROUP BY tenant_id, content_type`);
      return {
        ledger: ledger.map((r) => ({
          tenantId: str(r['tenant_id']),
          contentType: str(r['content_type']),
          blobs: Number(r['blobs'] ?? 0),
          blobsToday: Number(r['blobs_today'] ?? 0),
          oldestCreated: numOrNull(r['oldest_created']),
          newestCreated: numOrNull(r['newest_created']),
        })),
        gaps: gaps.map((r) => ({
          tenantId: str(r['tenant_id']),
          contentType: str(r['content_type']),
          code: str(r['code']),
          count: Number(r['n'] ?? 0),
          firstStart: numOrNull(r['first_start']),
          lastEnd: numOrNull(r['last_end']),
        })),
        deadLetters: dead.map((r) => ({ tenantId: strOrNull(r['tenant_id']), contentType: strOrNull(r['content_type']), count: Number(r['n'] ?? 0) })),
      };
    },
    async read(q) {
      return (await db.read(q)).map(plain);
    },
  };
}
