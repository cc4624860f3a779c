// The events port: what the collector, import, retention, detection and status ask of the store that
// holds the audit records — ingest sessions, the blob ledger, cursors, gaps, dead letters, import,
// retention, collection statistics, and the commit watermark that incremental detection reads.
// Engine guarantees:
// - DuckDB runs each ingest commit (rows, ledger entries, dead letters, cursors) as one transaction.
// - ClickHouse + PostgreSQL (store/clickhouse): the rows go to ClickHouse first (inserts, no
//   transaction), then the ledger entries, dead letters and cursors commit together in one PostgreSQL
//   transaction. A crash in between loses nothing (the blob is not in the ledger, so it is fetched
//   again; the cursor did not pass it) and shows nothing twice (its rows are found by the duplicate
//   probe and counted as the blob's own; and every read of `events` goes through ReplacingMergeTree
//   FINAL on (tenant, creation_time, Id), and the rules' and reports' reads keep one row per (tenant, Id)
//   of the rows that pass their filter, so a row stored twice by racing writers is seen once).
//   Weaker than DuckDB: rows are streamed to ClickHouse as they are added and are visible once their
//   INSERT ends — at commit, or before it for a session holding more than one INSERT's worth (100,000
//   rows or 64 MiB) — and a rollback or failed add cancels only the open INSERT (what an ended one
//   stored stays, and collapses with the blob's next delivery). Gaps live in PostgreSQL; retention drops whole
//   month partitions (a month is kept until it has passed the limit entirely). On a cluster
//   (store.clickhouse.cluster) the same holds: "ends" means stored on the owning shard (synchronous
//   Distributed inserts), and a tenant's rows all sit on one shard, so FINAL (or the rules' LIMIT 1 BY) there sees every copy
//   (clickhouse/cluster.ts).

import type { Enrichment, EventRow, Rejection } from '../../records/index.js';
import type { Lease } from './leases.js';

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
   * `fences`: the leases (ports/leases.ts) the commit is made under; when one of them is no longer
   * current (its key was taken over since: another holder or a newer token), nothing is committed and
   * AppError `lease_lost` is thrown. PostgreSQL checks them in the commit's transaction, holding the
   * lease rows (FOR SHARE) so that a take-over waits for the commit to end.
   */
  commit(cursors?: Omit<Cursor, 'updatedAt'>[], fences?: readonly Lease[]): Promise<CommitResult[]>;
  /** Drops everything added since the last commit. */
  rollback(): Promise<void>;
  /** Rolls back what is not committed and lets the session go. */
  close(): Promise<void>;
}

/** A stored record as ingest wrote it: enough to normalise it again (identity learning reads these). */
export interface StoredRecord {
  tenantId: string;
  contentType: string | null;
  sourceId: string;
  raw: string;
}

/** Collection statistics per tenant and content type (content type null: imported records). */
export interface EventStats {
  tenantId: string;
  contentType: string | null;
  records: number;
  /** Records ingested at or after `today`. */
  recordsToday: number;
  /** Newest CreationTime and ingest time (epoch ms), null when none. */
  newestEvent: number | null;
  newestIngest: number | null;
}

export interface LedgerStats {
  tenantId: string;
  contentType: string;
  /** Ledger entries with contentCreated at or after `ledgerSince`. */
  blobs: number;
  blobsToday: number;
  oldestCreated: number | null;
  newestCreated: number | null;
}

export interface GapStats {
  tenantId: string;
  contentType: string;
  code: string;
  count: number;
  firstStart: number | null;
  lastEnd: number | null;
}

export interface DeadLetterStats {
  tenantId: string | null;
  contentType: string | null;
  count: number;
}

export interface CollectionStatsOptions {
  today: number;
  ledgerSince: number;
  /** false: no per-tenant record counts (no scan of the events table). Default true. */
  events?: boolean;
}

export interface CollectionStats {
  events: EventStats[];
  ledger: LedgerStats[];
  gaps: GapStats[];
  deadLetters: DeadLetterStats[];
}

export interface EventsPort {
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

  /**
   * The commit watermark: the newest ingest time (epoch ms) of any stored record, null when none.
   * Ingest times only grow from commit to commit, so records with an ingest time above a watermark
   * read earlier are exactly those committed since (incremental detection relies on it).
   */
  commitWatermark(): Promise<number | null>;
  /** Records ingested in (after, upTo], ordered by ingest time, tenant and Id, one page at a time. */
  ingestedRecords(range: { after: number; upTo: number }, page: { limit: number; offset: number }): Promise<StoredRecord[]>;
  /** The (tenant, Id) of stored records: all of them, or those whose Id is among `ids`. */
  eventKeys(ids?: readonly string[]): Promise<{ tenantId: string; id: string }[]>;
  /** Client IPs of stored records that have neither a country nor an ASN (stored without enrichment). */
  unenrichedClientIps(): Promise<string[]>;
  /** Sets the GeoIP/ASN fields of the records of `ip` that have none. Returns how many changed. */
  enrichClientIp(ip: string, enrichment: Enrichment): Promise<number>;
  /**
   * Collection statistics for status and reports (`today`: records and blobs ingested since; `ledgerSince`:
   * blobs created since). `events: false` leaves out the per-tenant record counts (`events` is empty),
   * which read the whole events table; the ledger, gaps and dead letters are small.
   */
  collectionStats(options: CollectionStatsOptions): Promise<CollectionStats>;
}
