// Ingest into `events`: a long transaction on a connection of its own, rows streamed in through DuckDB's
// Appender as blobs arrive and committed together with their ledger entries, dead letters and cursors.
//
// Why long: a transaction of tens of thousands of rows lets DuckDB write full row groups straight to the
// file (compressed) while it runs, so COMMIT costs ~1 µs per row instead of ~30 µs through the
// write-ahead log, and memory holds one row group rather than the batch (measured: see README,
// Performance).
//
// De-duplication by (tenant, id): against this transaction (a set of its keys), within each call, and
// against the committed store with one query per call, limited to the call's creation_time range (zone
// maps prune the rest; a re-delivered record keeps its CreationTime). The query runs on a second
// connection: it sees every committed row and none of this transaction's, which the key set covers.
// Exact because one ingest transaction runs at a time (the ingest lock) and nothing else inserts events
// (retention only deletes rows older than anything a duplicate could bring back).

import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { EventRow, Rejection } from '../../records/index.js';
import { join, sql } from '../sql/index.js';
import type { BlobRef, CommitResult, Cursor } from '../types.js';
import { EVENT_COLUMNS, type EventSourceFields } from '../events-columns.js';
import { timestampFromMs, toDuckParam } from './convert.js';
import { execSql } from './exec.js';
import type { Mutex } from './mutex.js';
import { CATALOG } from './open.js';

const CHUNK = 500;
/** Rows the appender buffers before handing them to the transaction (bounds its memory). */
const FLUSH_ROWS = 4096;

/** One unit of ingest: a blob (with its ledger entry) or an imported file's batch (none). */
export interface IngestItem {
  /** Null for an import without a tenant: only its dead letters use it. */
  tenantId: string | null;
  contentType: string | null;
  sourceId: string;
  /** The ledger entry to write; null for imports. */
  blob: BlobRef | null;
  rows: EventRow[];
  rejects: Rejection[];
  ingestedAt: number;
}

interface StagedRow {
  row: EventRow;
  source: EventSourceFields;
  /** Index of its item in the transaction. */
  owner: number;
}

export interface IngestDeps {
  /** The connection the transaction runs on; no one else uses it. */
  conn: DuckDBConnection;
  /** A connection for the duplicate probe (committed rows only); no one else uses it. */
  probe: DuckDBConnection;
  /** Held from BEGIN to COMMIT or ROLLBACK: one ingest transaction at a time. */
  lock: Mutex;
  /** Throws when the store is closed. */
  check(): void;
  now(): number;
}

const keyOf = (row: EventRow) => `${row.tenantId}\u0000${row.id}`;

/** The ingest transaction of a DuckDB store (the Store's IngestSession). */
export class DuckDbIngestSession {
  private release: (() => void) | null = null;
  private appender: DuckDBAppender | null = null;
  /** What the commit needs of each item; its rows are let go once appended. */
  private items: { item: Omit<IngestItem, 'rows'>; rowCount: number; inserted: number }[] = [];
  private readonly keys = new Set<string>();
  private rows = 0;
  private unflushed = 0;

  constructor(private readonly d: IngestDeps) {}

  get pendingRows(): number {
    return this.rows;
  }

  get open(): boolean {
    return this.release !== null;
  }

  async add(items: IngestItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.begin();
    try {
      const base = this.items.length;
      const staged: StagedRow[] = [];
      items.forEach((item, i) => {
        const { rows: _rows, ...rest } = item;
        this.items.push({ item: rest, rowCount: item.rows.length, inserted: 0 });
        const source = { contentType: item.contentType, sourceId: item.sourceId, ingestedAt: item.ingestedAt };
        for (const row of item.rows) {
          const key = keyOf(row);
          if (this.keys.has(key)) continue;
          this.keys.add(key);
          staged.push({ row, source, owner: base + i });
        }
      });
      if (staged.length === 0) return;
      const stored = await storedKeys(this.d.probe, staged);
      const fresh = stored.size === 0 ? staged : staged.filter((r) => !stored.has(keyOf(r.row)));
      // Sorted so row groups stay narrow in time (the probe's and detection's zone maps).
      fresh.sort((a, b) => a.row.creationTime - b.row.creationTime);
      if (!this.appender) this.appender = await this.d.conn.createAppender('events', 'main', CATALOG);
      appendRows(this.appender, fresh);
      for (const r of fresh) this.items[r.owner]!.inserted++;
      this.rows += fresh.length;
      this.unflushed += fresh.length;
      if (this.unflushed >= FLUSH_ROWS) {
        this.appender.flushSync();
        this.unflushed = 0;
      }
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  async commit(cursors: Omit<Cursor, 'updatedAt'>[] = []): Promise<CommitResult[]> {
    if (!this.open) {
      if (cursors.length === 0) return [];
      await this.begin();
    }
    const conn = this.d.conn;
    const results: CommitResult[] = [];
    try {
      if (this.appender) {
        this.appender.closeSync(); // flushes what it holds
        this.appender = null;
      }
      const ledger = this.items.filter((e) => e.item.blob !== null).map(({ item, rowCount, inserted }) => {
        const b = item.blob!;
        return sql`(${b.tenantId}, ${b.contentType}, ${b.contentId}, ${new Date(b.contentCreated)}, ${new Date(b.contentExpiration)}, ${rowCount + item.rejects.length}, ${inserted}, ${rowCount - inserted}, ${item.rejects.length}, ${new Date(item.ingestedAt)})`;
      });
      for (let i = 0; i < ledger.length; i += CHUNK) {
        await execSql(
          conn,
          sql`INSERT INTO blob_ledger (tenant_id, content_type, content_id, content_created, content_expiration, record_count, inserted, duplicates, dead_letters, ingested_at) VALUES ${join(ledger.slice(i, i + CHUNK))} ON CONFLICT DO NOTHING`,
        );
      }
      for (const { item, rowCount, inserted } of this.items) {
        const deadLetters = item.rejects.length > 0 ? await insertDeadLetters(conn, item) : 0;
        results.push({ inserted, duplicates: rowCount - inserted, deadLetters });
      }
      for (const c of cursors) await upsertCursor(conn, c, this.d.now());
      await conn.run('COMMIT');
    } catch (err) {
      await this.abort();
      throw err;
    }
    this.reset();
    return results;
  }

  async rollback(): Promise<void> {
    if (this.open) await this.abort();
  }

  private async begin(): Promise<void> {
    if (this.open) return;
    this.d.check();
    const release = await this.d.lock.acquire();
    try {
      this.d.check();
      await this.d.conn.run('BEGIN TRANSACTION');
    } catch (err) {
      release();
      throw err;
    }
    this.release = release;
  }

  private async abort(): Promise<void> {
    try {
      if (this.appender) {
        try {
          this.appender.clear();
          this.appender.closeSync();
        } catch {
          // the ROLLBACK below drops what it flushed; the original error is the one to report
        }
      }
      await this.d.conn.run('ROLLBACK').catch(() => undefined);
    } finally {
      this.reset();
    }
  }

  private reset(): void {
    this.appender = null;
    this.items = [];
    this.keys.clear();
    this.rows = 0;
    this.unflushed = 0;
    const release = this.release;
    this.release = null;
    release?.();
  }
}

function appendRows(appender: DuckDBAppender, rows: StagedRow[]): void {
  const cols = EVENT_COLUMNS;
  for (const { row, source } of rows) {
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const v = c.get(row, source);
      if (v === null || v === undefined) {
        appender.appendNull();
        continue;
      }
      switch (c.type) {
        case 'text':
        case 'json':
          appender.appendVarchar(typeof v === 'string' ? v : String(v));
          break;
        case 'int':
        case 'bigint':
          // Hostile data must not fail a batch: a value that is not a safe integer is stored as NULL (raw keeps it).
          if (typeof v === 'number' && Number.isSafeInteger(v)) appender.appendBigInt(BigInt(v));
          else appender.appendNull();
          break;
        case 'double':
          appender.appendDouble(typeof v === 'number' ? v : Number(v));
          break;
        case 'timestamp':
          appender.appendTimestamp(timestampFromMs(typeof v === 'number' ? v : Number(v)));
          break;
      }
    }
    appender.endRow();
  }
}

/** The (tenant, id) keys of `rows` already committed, in one query over the rows' creation_time range. */
async function storedKeys(conn: DuckDBConnection, rows: StagedRow[]): Promise<Set<string>> {
  let min = Infinity;
  let max = -Infinity;
  const ids: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const t = rows[i]!.row.creationTime;
    if (t < min) min = t;
    if (t > max) max = t;
    ids[i] = rows[i]!.row.id;
  }
  const lo = toDuckParam(new Date(Math.floor(min)));
  const hi = toDuckParam(new Date(Math.ceil(max)));
  const list = toDuckParam(ids);
  const reader = await conn.runAndReadAll(
    `SELECT tenant_id, id FROM events
WHERE creation_time BETWEEN $1 AND $2 AND id IN (SELECT unnest($3))`,
    [lo.value, hi.value, list.value],
    [lo.type, hi.type, list.type],
  );
  const out = new Set<string>();
  const [tenants, found] = reader.getColumns();
  for (let i = 0; i < (found?.length ?? 0); i++) out.add(`${String(tenants![i])}\u0000${String(found![i])}`);
  return out;
}

export async function upsertCursor(conn: DuckDBConnection, cursor: Omit<Cursor, 'updatedAt'>, now: number): Promise<void> {
  await execSql(
    conn,
    sql`INSERT INTO cursors (tenant_id, content_type, position, updated_at) VALUES (${cursor.tenantId}, ${cursor.contentType}, ${new Date(cursor.position)}, ${new Date(now)})
ON CONFLICT (tenant_id, content_type) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  );
}

/** Stores an item's rejections; the same key (default: raw text) from the same source and tenant is kept once. Returns how many were new. */
async function insertDeadLetters(conn: DuckDBConnection, item: Omit<IngestItem, 'rows'>): Promise<number> {
  let added = 0;
  const receivedAt = new Date(item.ingestedAt);
  for (let i = 0; i < item.rejects.length; i += CHUNK) {
    const values = item.rejects.slice(i, i + CHUNK).map(
      (d) => sql`(md5(concat_ws(chr(0), coalesce(${item.tenantId}, ''), ${item.sourceId}, ${d.key ?? d.raw})), ${item.tenantId}, ${item.contentType}, ${item.sourceId}, ${d.reason}, ${d.raw}, ${receivedAt})`,
    );
    added += await execSql(conn, sql`INSERT INTO dead_letters (id, tenant_id, content_type, source_id, reason, raw, received_at) VALUES ${join(values)} ON CONFLICT DO NOTHING`);
  }
  return added;
}
