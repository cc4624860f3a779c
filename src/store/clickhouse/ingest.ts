// Ingest into ClickHouse: the rows go to events_rows as TabSeparated text (convert.ts) streamed in one
// INSERT while the transaction runs, so the server parses and stores them while the collector fetches
// and normalises the next blobs; then the blobs' ledger entries, dead letters and cursors commit in
// one PostgreSQL transaction once ClickHouse has answered every INSERT of the transaction. In that
// order a crash in between loses nothing (the ledger does not hold the blob, so it is fetched again)
// and shows nothing twice (the rows it brings are found by the duplicate probe and not sent again;
// were they sent again, the ReplacingMergeTree key and the FINAL view would still show each once).
//
// De-duplication by (tenant, id), as in the DuckDB store: against this session's transaction (a key
// set), within each call, and against events_rows with one probe per call (chunked), limited to the
// call's tenants and creation_time range (the primary key prunes the rest; a re-delivered record
// keeps its CreationTime). One session holds the ingest lock at a time, so the probe is exact within a process.
// A probed row of the same blob (source_id = contentId) is the blob's own, sent by an attempt whose
// ledger commit never happened: it counts as inserted, so the ledger's counts stay true.
//
// Visibility: an INSERT's rows become visible when the server has read the whole body, all at once:
// one INSERT holds at most INSERT_LIMITS (100,000 rows, 64 MiB of text), below the block the server
// writes as one part (18.16 reads 1,048,576 rows a block; newer servers squash up to that or 256 MiB).
// A transaction's INSERT ends at commit; a bigger transaction ends one and starts the next as it goes
// (memory stays flat), and those rows become visible before the commit. A rollback (or a failed add)
// cancels the open INSERT — a line the server cannot parse, so it stores none of it — and what an ended
// one sent stays, collapsed as above when the blob comes again.

import { PassThrough } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { EventRow, Rejection } from '../../records/index.js';
import type { IngestLedger } from '../postgres/index.js';
import type { BlobRef, CommitResult, Cursor, Lease } from '../types.js';
import type { Mutex } from '../duckdb/mutex.js';
import { clickhouseDialectFor, sql, join, type Dialect } from '../sql/index.js';
import type { EventSourceFields } from '../events-columns.js';
import { assertStorable, eventLine, INSERT_COLUMNS } from './convert.js';
import type { ServerFeatures } from './schema.js';

/**
 * What one INSERT holds at most: rows, and text (UTF-16 code units, near enough bytes for this text).
 * Mutable only for tests, which lower it to see a transaction span several INSERTs.
 */
export const INSERT_LIMITS = { rows: 100_000, bytes: 64 * 1024 * 1024 };
/** Text handed to the request at a time; the request's buffer (HIGH_WATER) makes a writer wait for the server. */
const CHUNK_BYTES = 64 * 1024;
const HIGH_WATER = 4 * 1024 * 1024;
/** Query text per probe: ClickHouse refuses queries over max_query_size (256 KiB by default). */
const PROBE_BYTES = 160_000;
/** Ends a cancelled INSERT: the first column is followed by a newline, which TabSeparated refuses. */
const CANCEL_LINE = 'auditwatch: insert cancelled\n';

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
  source: EventSourceFields;
  /** keyOf(tenant, id). */
  key: string;
  owner: number;
}

const keyOf = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/** One INSERT … FORMAT TabSeparated whose body is written while it runs. */
class StreamedInsert {
  rows = 0;
  bytes = 0;
  private readonly body = new PassThrough({ highWaterMark: HIGH_WATER });
  private failure: { error: unknown } | null = null;
  private readonly done: Promise<void>;

  constructor(start: (body: PassThrough) => Promise<unknown>) {
    this.body.on('error', () => undefined); // a failed request destroys the body; its error is the request's
    this.done = start(this.body).then(
      () => undefined,
      (error: unknown) => {
        this.failure = { error };
        this.body.destroy();
        throw error;
      },
    );
    this.done.catch(() => undefined); // awaited by end() or cancel(); a failure meanwhile is seen by write()
  }

  /** Hands text to the request; waits while the server has not read what came before. */
  async write(text: string): Promise<void> {
    this.throwIfFailed();
    this.bytes += text.length;
    if (this.body.write(text)) return;
    await new Promise<void>((resolve) => {
      const go = () => {
        this.body.off('drain', go);
        this.body.off('close', go);
        resolve();
      };
      this.body.on('drain', go);
      this.body.on('close', go);
    });
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Ends the body; resolves once the server has stored the rows, or throws its error. */
  end(): Promise<void> {
    if (!this.failure) this.body.end();
    return this.done;
  }

  /** Ends the body with a line the server refuses, so it stores none of it; resolves once it has answered. */
  async cancel(): Promise<void> {
    if (!this.failure) this.body.end(CANCEL_LINE);
    await this.done.catch(() => undefined);
  }
}

export class ClickHouseIngestSession {
  private release: (() => void) | null = null;
  private items: { item: Omit<IngestItem, 'rows'>; rowCount: number; inserted: number }[] = [];
  private readonly keys = new Set<string>();
  /** The INSERT being written, and those ended by their size that the server has not answered yet. */
  private insert: StreamedInsert | null = null;
  private ended: Promise<void>[] = [];
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
      items.forEach((item, i) => {
        const { rows: _rows, ...rest } = item;
        this.items.push({ item: rest, rowCount: item.rows.length, inserted: 0 });
        const source = { contentType: item.contentType, sourceId: item.sourceId, ingestedAt: item.ingestedAt };
        for (const row of item.rows) {
          // A failed add resets the whole session (abort), so its keys may go in as they come.
          const key = keyOf(row.tenantId, row.id);
          if (this.keys.has(key)) continue;
          this.keys.add(key);
          // Checked before anything is sent: a row ClickHouse cannot store fails the whole add.
          assertStorable(row, source);
          staged.push({ row, source, key, owner: base + i });
        }
      });
      if (staged.length === 0) return;
      await this.send(staged, await this.probe(staged));
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
      // ClickHouse has stored every row of the transaction before the ledger says so.
      // Every ended INSERT answered, even when one failed, so none lands after the lock is let go.
      const answers = await Promise.allSettled([this.endInsert(), ...this.ended.splice(0)]);
      const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
      if (failed) throw failed.reason;
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

  /**
   * Writes the lines of the staged rows not already stored into the open INSERT (starting one when none
   * is), ending it when it is full. Each line is made here, after the probe, and written in chunks well
   * below V8's large-object size: measured with perf, lines made before the probe lived through its
   * round trip and garbage collections, and megabyte chunks faulted in fresh pages each time; with the
   * rest of the ingest that was a quarter of the collector's CPU (README, Performance).
   */
  private async send(staged: Staged[], stored: Map<string, string>): Promise<void> {
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const s of staged) {
      const found = stored.size === 0 ? undefined : stored.get(s.key);
      const owner = this.items[s.owner]!;
      if (found !== undefined) {
        if (owner.item.blob !== null && found === owner.item.sourceId) owner.inserted++; // the blob's own row from an attempt that never reached its ledger commit
        continue;
      }
      const line = eventLine(s.row, s.source, this.d.features);
      owner.inserted++;
      this.rows++;
      chunk.push(line);
      chunkBytes += line.length;
      const insert = (this.insert ??= this.startInsert());
      insert.rows++;
      const full = insert.rows >= INSERT_LIMITS.rows || insert.bytes + chunkBytes >= INSERT_LIMITS.bytes;
      if (full || chunkBytes >= CHUNK_BYTES) {
        await insert.write(chunk.join(''));
        chunk = [];
        chunkBytes = 0;
        if (full) await this.endInsert(false);
      }
    }
    if (chunk.length > 0) await this.insert!.write(chunk.join(''));
  }

  private startInsert(): StreamedInsert {
    return new StreamedInsert((body) =>
      this.d.guard('inserting records', () => this.d.client.insert({ table: 'events_rows', columns: [...INSERT_COLUMNS] as [string, ...string[]], values: body, format: 'TabSeparated' })),
    );
  }

  /** Ends the open INSERT: awaited now (a commit), or later by the commit while the next one is written. */
  private async endInsert(wait = true): Promise<void> {
    const insert = this.insert;
    this.insert = null;
    if (!insert) return;
    const done = insert.end();
    if (wait) await done;
    else {
      done.catch(() => undefined); // the commit awaits it and fails with its error
      this.ended.push(done);
    }
  }

  /** The (tenant, id) → source_id of the staged rows already in events_rows. */
  private async probe(rows: Staged[]): Promise<Map<string, string>> {
    let min = Infinity;
    let max = -Infinity;
    for (const r of rows) {
      if (r.row.creationTime < min) min = r.row.creationTime;
      if (r.row.creationTime > max) max = r.row.creationTime;
    }
    // The key's first column too: without it the time range prunes little in a table of many tenants.
    const tenants = [...new Set(rows.map((r) => r.row.tenantId))];
    const range = sql`tenant_id IN (${join(tenants.map((t) => sql`${t}`))}) AND creation_time >= ${timeBound(this.d.features, Math.floor(min), 'lo')} AND creation_time <= ${timeBound(this.d.features, Math.ceil(max), 'hi')}`;
    const out = new Map<string, string>();
    const ids = [...new Set(rows.map((r) => r.row.id))];
    let chunk: string[] = [];
    let bytes = 0;
    const run = async () => {
      if (chunk.length === 0) return;
      // The Ids as one text the server splits, not a literal each: measured on 18.16, parsing an IN list of
      // a thousand literals cost the server more than the lookup itself (and the collector building it).
      // An Id holding the separator (the normaliser admits none) goes the literal way.
      const ids = chunk.some((id) => id.includes(',')) ? sql`${join(chunk.map((id) => sql`${id}`))}` : sql`SELECT arrayJoin(splitByChar(',', ${chunk.join(',')}))`;
      const q = sql`SELECT tenant_id, id, source_id FROM events_rows WHERE ${range} AND id IN (${ids})`.render(this.dialect);
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
    const insert = this.insert;
    const ended = this.ended.splice(0);
    this.insert = null;
    try {
      // What an ended INSERT sent stays (see the header); the open one stores nothing.
      await Promise.all([insert?.cancel(), ...ended.map((p) => p.catch(() => undefined))]);
    } finally {
      this.reset();
    }
  }

  private reset(): void {
    this.items = [];
    this.keys.clear();
    this.insert = null;
    this.ended = [];
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
