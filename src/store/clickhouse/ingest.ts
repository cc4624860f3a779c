// Ingest into ClickHouse: the rows go to events_rows as JSONEachRow (ClickHouse parses the text), then
// the blobs' ledger entries, dead letters and cursors commit in one PostgreSQL transaction. In that order
// a crash in between loses nothing (the ledger does not hold the blob, so it is fetched again) and
// shows nothing twice (the rows it brings are found by the duplicate probe and not sent again; were they
// sent again, the ReplacingMergeTree key and the FINAL view would still show each once).
//
// De-duplication by (tenant, id), as in the DuckDB store: against this session's transaction (a key
// set), within each call, and against events_rows with one probe per call (chunked), limited to the
// call's creation_time range (the primary key prunes the rest; a re-delivered record keeps its
// CreationTime). One session holds the ingest lock at a time, so the probe is exact within a process.
// A probed row of the same blob (source_id = contentId) is the blob's own, sent by an attempt whose
// ledger commit never happened: it counts as inserted, so the ledger's counts stay true.
//
// Visibility: rows are held until commit, and sent then; a transaction of more than FLUSH_ROWS rows
// sends them as it goes, so memory stays flat, and those become visible before the commit. A rollback
// (or a failed add) drops what was not sent; what was sent stays and is collapsed as above when the
// blob comes again.

import type { ClickHouseClient } from '@clickhouse/client';
import type { EventRow, Rejection } from '../../records/index.js';
import type { IngestLedger } from '../postgres/index.js';
import type { BlobRef, CommitResult, Cursor, Lease } from '../types.js';
import type { Mutex } from '../duckdb/mutex.js';
import { clickhouseDialectFor, sql, join, type Dialect } from '../sql/index.js';
import { eventObject } from './convert.js';
import type { ServerFeatures } from './schema.js';

/** Rows held before they are sent in one insert (about 25 MB of JSON at ~2.5 KB a row). */
export const FLUSH_ROWS = 10_000;
/** Query text per probe: ClickHouse refuses queries over max_query_size (256 KiB by default). */
const PROBE_BYTES = 160_000;

export interface IngestItem {
  tenantId: string | null;
  contentType: string | null;
  sourceId: string;
  blob: BlobRef | null;
  rows: EventRow[];
  rejects: Rejection[];
  ingestedAt: number;
}

export interface IngestDeps {
  client: ClickHouseClient;
  features: ServerFeatures;
  ledger: IngestLedger;
  lock: Mutex;
  check(): void;
  now(): number;
  /** Runs a ClickHouse call, turning its failure into an AppError. */
  guard<T>(doing: string, fn: () => Promise<T>): Promise<T>;
}

interface Staged {
  row: EventRow;
  object: Record<string, unknown>;
  owner: number;
}

const keyOf = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

export class ClickHouseIngestSession {
  private release: (() => void) | null = null;
  private items: { item: Omit<IngestItem, 'rows'>; rowCount: number; inserted: number }[] = [];
  private readonly keys = new Set<string>();
  private buffer: Record<string, unknown>[] = [];
  private rows = 0;
  private readonly dialect: Dialect;

  constructor(private readonly d: IngestDeps) {
    this.dialect = clickhouseDialectFor(d.features.version);
  }

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
      const staged: Staged[] = [];
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const { rows: _rows, ...rest } = item;
        this.items.push({ item: rest, rowCount: item.rows.length, inserted: 0 });
        const source = { contentType: item.contentType, sourceId: item.sourceId, ingestedAt: item.ingestedAt };
        for (const row of item.rows) {
          const key = keyOf(row.tenantId, row.id);
          if (this.keys.has(key) || seen.has(key)) continue;
          seen.add(key);
          // Built (and checked) before anything is sent: a row ClickHouse cannot store fails the whole add.
          staged.push({ row, object: eventObject(row, source, this.d.features), owner: base + i });
        }
      });
      for (const k of seen) this.keys.add(k);
      if (staged.length === 0) return;
      const stored = await this.probe(staged);
      for (const s of staged) {
        const found = stored.get(keyOf(s.row.tenantId, s.row.id));
        const owner = this.items[s.owner]!;
        if (found === undefined) {
          this.buffer.push(s.object);
          owner.inserted++;
          this.rows++;
        } else if (owner.item.blob !== null && found === owner.item.sourceId) {
          owner.inserted++; // the blob's own row from an attempt that never reached its ledger commit
        }
      }
      if (this.buffer.length >= FLUSH_ROWS) await this.flush();
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  async commit(cursors: Omit<Cursor, 'updatedAt'>[] = [], fences: readonly Lease[] = []): Promise<CommitResult[]> {
    if (!this.open) {
      if (cursors.length === 0) return [];
      await this.begin();
    }
    let results: CommitResult[];
    try {
      await this.flush();
      const items = this.items.map(({ item, rowCount, inserted }) => ({ ...item, rowCount, inserted }));
      const dead = await this.d.ledger.commit(items, cursors, this.d.now(), fences);
      results = this.items.map(({ rowCount, inserted }, i) => ({ inserted, duplicates: rowCount - inserted, deadLetters: dead[i] ?? 0 }));
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

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const values = this.buffer;
    this.buffer = [];
    await this.d.guard('inserting records', () => this.d.client.insert({ table: 'events_rows', values, format: 'JSONEachRow' }));
  }

  /** The (tenant, id) → source_id of the staged rows already in events_rows. */
  private async probe(rows: Staged[]): Promise<Map<string, string>> {
    let min = Infinity;
    let max = -Infinity;
    for (const r of rows) {
      if (r.row.creationTime < min) min = r.row.creationTime;
      if (r.row.creationTime > max) max = r.row.creationTime;
    }
    const range = sql`creation_time >= ${timeBound(this.d.features, Math.floor(min), 'lo')} AND creation_time <= ${timeBound(this.d.features, Math.ceil(max), 'hi')}`;
    const out = new Map<string, string>();
    const ids = [...new Set(rows.map((r) => r.row.id))];
    let chunk: string[] = [];
    let bytes = 0;
    const run = async () => {
      if (chunk.length === 0) return;
      const q = sql`SELECT tenant_id, id, source_id FROM events_rows WHERE ${range} AND id IN (${join(chunk.map((id) => sql`${id}`))})`.render(this.dialect);
      const found = await this.d.guard('looking for stored duplicates', async () => {
        const result = await this.d.client.query({ query: q.text, format: 'JSONEachRow', ...queryParams(q.params) });
        return result.json<{ tenant_id: string; id: string; source_id: string }>();
      });
      for (const f of found) out.set(keyOf(f.tenant_id, f.id), f.source_id);
      chunk = [];
      bytes = 0;
    };
    for (const id of ids) {
      chunk.push(id);
      bytes += id.length * 2 + 4;
      if (bytes >= PROBE_BYTES) await run();
    }
    await run();
    return out;
  }

  private async begin(): Promise<void> {
    if (this.open) return;
    this.d.check();
    const release = await this.d.lock.acquire();
    try {
      this.d.check();
    } catch (err) {
      release();
      throw err;
    }
    this.release = release;
  }

  private async abort(): Promise<void> {
    this.reset();
  }

  private reset(): void {
    this.items = [];
    this.keys.clear();
    this.buffer = [];
    this.rows = 0;
    const release = this.release;
    this.release = null;
    release?.();
  }
}

/** A creation_time bound: DateTime64 compares at ms, DateTime (whole seconds) at the second that holds the ms. */
function timeBound(f: ServerFeatures, ms: number, side: 'lo' | 'hi') {
  if (f.dateTime64) return sql`toDateTime64(${ms / 1000}, 3, 'UTC')`;
  const s = side === 'lo' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return sql`toDateTime(${s}, 'UTC')`;
}

/** query_params for a server that takes them (values are already inlined otherwise). */
export function queryParams(params: readonly unknown[]): { query_params?: Record<string, unknown> } {
  if (params.length === 0) return {};
  return { query_params: Object.fromEntries(params.map((v, i) => [`p${i + 1}`, v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : v])) };
}
