// The Store interface: everything the other parts may ask of the analytical store. It is shaped for
// both engines: no engine type crosses it, SQL comes from the `sql` template rendered per Dialect.
// Values read back are plain JS: string, number (BIGINT when safe, else string), boolean, null;
// timestamps come back as ISO-8601 UTC strings ("2026-01-01T00:00:00.000Z").

import type { EventRow, Rejection } from '../records/index.js';
import type { Dialect, Sql } from './sql/index.js';

export type Row = Record<string, string | number | boolean | null>;

/** A content blob as the collector saw it in a content listing. */
export interface BlobRef {
  tenantId: string;
  contentType: string;
  contentId: string;
  contentUri: string;
  contentCreated: number;
  contentExpiration: number;
}

/** Where a worker stands: every blob with contentCreated < position has been listed and handled. */
export interface Cursor {
  tenantId: string;
  contentType: string;
  position: number;
  updatedAt: number;
}

/** Content the collector could not get (expired, not found): recorded and shown, never skipped silently. */
export interface Gap {
  tenantId: string;
  contentType: string;
  contentId: string | null;
  windowStart: number;
  windowEnd: number;
  /** e.g. "AF20051", "AF20050", "expired-before-listed". */
  code: string;
  reason: string;
  detectedAt: number;
}

/** One unit of ingest: a blob's records and rejections, its ledger entry, and optionally the cursor. */
export interface BlobCommit {
  blob: BlobRef;
  rows: EventRow[];
  rejects: Rejection[];
  ingestedAt: number;
}

export interface CommitResult {
  inserted: number;
  duplicates: number;
  deadLetters: number;
}

/** Records from a file (NDJSON, JSON array, Purview CSV), de-duplicated against everything stored. */
export interface ImportBatch {
  tenantId: string | null;
  sourceId: string;
  rows: EventRow[];
  rejects: Rejection[];
  ingestedAt: number;
}

/**
 * A long ingest transaction: blobs go in as they arrive and are committed together with cursors, all
 * or nothing. Large transactions are what make ingest cheap (DuckDB writes their row groups straight
 * to the file instead of through its write-ahead log) while memory stays flat (rows are handed to the
 * store as they come, not held until the commit). One session holds the store's ingest transaction at
 * a time, from its first add (or cursor-only commit) to its commit or rollback: other sessions,
 * commitBlobs and importRecords wait meanwhile, so a holder must commit soon (the collector commits
 * every batchRecords rows, every few seconds, and at the end of each worker's pass).
 */
export interface IngestSession {
  /** Rows inserted since the last commit (duplicates not counted). */
  readonly pendingRows: number;
  /**
   * Inserts the blobs' rows not stored yet (by tenant and record Id: against the store, this
   * transaction and the call itself) and keeps their rejections and ledger entries for the commit.
   * Nothing is visible to others until commit. On failure everything since the last commit is rolled
   * back and the error is thrown.
   */
  add(blobs: BlobCommit[]): Promise<void>;
  /**
   * Writes the ledger entries, dead letters and `cursors`, and commits everything added since the last
   * commit. Returns one result per blob, in the order added. On failure everything since the last
   * commit is rolled back and the error is thrown. With nothing added and no cursors it does nothing.
   */
  commit(cursors?: Omit<Cursor, 'updatedAt'>[]): Promise<CommitResult[]>;
  /** Drops everything added since the last commit. */
  rollback(): Promise<void>;
  /** Rolls back what is not committed and lets the session go. */
  close(): Promise<void>;
}

export interface QueryReadOnlyOptions {
  /** Refuse (AppError query_too_large) rather than hold more rows than this in memory. Default 1,000,000. */
  maxRows?: number;
}

export interface Store {
  readonly kind: 'duckdb' | 'clickhouse';
  readonly dialect: Dialect;

  /** Applies pending schema migrations, in order, each once. Returns the versions applied now. */
  migrate(): Promise<number[]>;

  /** Read query (sees every committed write; runs beside an ingest commit, not after it). */
  query<T extends Row = Row>(q: Sql): Promise<T[]>;
  /** Write statement. */
  execute(q: Sql): Promise<void>;
  /**
   * Runs `fn` in one transaction (DuckDB); ClickHouse runs it in order without atomicity. Inside `fn`
   * use only `tx`: the store's own write methods wait for the transaction to end.
   */
  transaction<T>(fn: (tx: Pick<Store, 'query' | 'execute'>) => Promise<T>): Promise<T>;
  /**
   * Read-only query from a user (auditwatch query): refuses anything but a single SELECT/WITH/
   * DESCRIBE/SHOW/EXPLAIN/SUMMARIZE/FROM/PRAGMA table_info statement, with an AppError naming the fix
   * (code query_refused; query_invalid / query_failed for SQL errors). Runs in a transaction that
   * cannot write and is always rolled back.
   */
  queryReadOnly(text: string, options?: QueryReadOnlyOptions): Promise<Row[]>;

  /** A long ingest transaction for a stream of blobs (the collector's way in). */
  openIngest(): IngestSession;
  /**
   * Ingest: for each blob, in one transaction, insert its rows that are not stored yet (by tenant and
   * record Id, also within the batch), its rejections as dead letters, its ledger entry, and, when
   * given, the cursor. All or nothing.
   */
  commitBlobs(blobs: BlobCommit[], cursor?: Omit<Cursor, 'updatedAt'>): Promise<CommitResult>;
  /** The contentIds in the ledger for a tenant and content type with contentCreated >= since. */
  knownBlobs(tenantId: string, contentType: string, since: number): Promise<Set<string>>;
  getCursor(tenantId: string, contentType: string): Promise<Cursor | null>;
  setCursor(cursor: Omit<Cursor, 'updatedAt'>): Promise<void>;
  /** Records a gap once (idempotent on tenant, content type, content id or window). */
  recordGap(gap: Gap): Promise<void>;
  /** Removes ledger entries whose content expired before `now` less a margin. Returns how many. */
  pruneLedger(now: number): Promise<number>;
  /** Inserts rows not stored yet (by tenant and Id), rejections as dead letters. */
  importRecords(batch: ImportBatch): Promise<CommitResult>;
  /** Deletes events (and dead letters, gaps) older than `olderThan` (event time). Returns events deleted. */
  applyRetention(olderThan: number): Promise<number>;

  close(): Promise<void>;
}
