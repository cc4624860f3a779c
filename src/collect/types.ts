// The collector's public shapes: what a tenant brings (its API client and content types), the options,
// what a pass returns, progress, and the per tenant × content type status the CLI renders.

import type { ApiClient } from '../api/index.js';
import type { AppError } from '../core/index.js';

export interface TenantRuntime {
  tenantId: string;
  /** A short name for logs and status (default: the tenant id). */
  name?: string;
  /** The content types to collect (e.g. CONTENT_TYPES). */
  contentTypes: readonly string[];
  api: ApiClient;
  /** Overrides options.requestsPerMinute (the ceiling of the tenant's adaptive budget). */
  requestsPerMinute?: number;
  /** Overrides options.startRequestsPerMinute for this tenant. */
  startRequestsPerMinute?: number;
}

export interface BackoffOptions {
  /** First wait after a retryable failure (default 1 s). */
  baseMs: number;
  /** Longest wait (default 5 min). */
  maxMs: number;
  /** Attempts per request before the blob or window is left for the next pass (default 8). */
  maxAttempts: number;
  /** Extra wait after AF429 with no Retry-After (default 30 s); jittered. */
  throttleMs: number;
}

export interface CollectorOptions {
  /** Window re-listed on every poll (default 24 h). */
  overlapMs: number;
  /** Widest listing window on contentCreated (default and maximum 24 h, what the API lists at once). */
  windowMs: number;
  /** Narrowest window, where listings are large (default 1 h): windows halve after a listing of several pages. */
  minWindowMs: number;
  /** Blobs fetched at once per tenant (default 4). */
  maxConcurrency: number;
  /**
   * The most requests in any rolling minute per tenant (default 2,000, Microsoft's baseline quota): the
   * ceiling of the adaptive budget, which halves on AF429 and grows back while answers succeed.
   */
  requestsPerMinute: number;
  /** The rate each tenant's budget starts at (default: requestsPerMinute). */
  startRequestsPerMinute?: number;
  /** Least time between two /start calls of one content type (default 15 min). */
  startLimitMs: number;
  /** How far back a first pass (no cursor, no `since`) lists (default 7 days, clamped). */
  initialLookbackMs: number;
  /** How far back the API may be asked: 7 days less a margin (default 167 h). */
  maxLookbackMs: number;
  /**
   * Rows per ingest transaction, shared by all workers (default 50,000; a blob is never split). Rows go
   * to the store as blobs arrive, so this sets the commit size, not memory: larger transactions are
   * cheaper (DuckDB writes their row groups straight to the file). A transaction also commits after
   * 5 s, and at the end of each worker's pass.
   */
  batchRecords: number;
  backoff: BackoffOptions;
  /** Seed for back-off jitter (repeatable tests). */
  seed?: string | number;
}

export interface CommittedSummary {
  tenantId: string;
  contentType: string;
  blobs: number;
  inserted: number;
  duplicates: number;
  deadLetters: number;
  /** The cursor saved with this commit, if it moved. */
  cursor: number | null;
}

export interface CollectorHooks {
  /** After each store transaction (e.g. to wake the detection engine). */
  onCommitted?(summary: CommittedSummary): void;
}

export interface PassProgress {
  records: number;
  blobs: number;
  bytes: number;
  duplicates: number;
  /** Hours of contentCreated completed (listed and committed), of hours planned, across workers (for an ETA). */
  windowsDone: number;
  windowsTotal: number;
  elapsedMs: number;
}

export interface WorkerResult {
  tenantId: string;
  contentType: string;
  ok: boolean;
  records: number;
  blobs: number;
  duplicates: number;
  deadLetters: number;
  gaps: number;
  /** Blobs that failed after every retry and wait for the next pass (the cursor stays before them). */
  failedBlobs: number;
  cursor: number | null;
  error: AppError | null;
}

export interface PassSummary {
  /** True when every worker finished without error and no blob is left failed. */
  ok: boolean;
  startedAt: number;
  finishedAt: number;
  records: number;
  blobs: number;
  bytes: number;
  duplicates: number;
  deadLetters: number;
  gaps: number;
  workers: WorkerResult[];
  /** Fatal errors, one per tenant or worker, each a one-line AppError naming the fix. */
  errors: { tenantId: string; contentType: string | null; error: AppError }[];
}

export interface RunOnceOptions {
  /** List from this time (epoch ms) even if the cursor is later (backfill). */
  since?: number;
  signal?: AbortSignal;
  onProgress?(p: PassProgress): void;
}

export type SubscriptionState = 'enabled' | 'disabled' | 'missing' | 'unknown';

export interface WorkerStatus {
  tenantId: string;
  tenantName: string;
  contentType: string;
  subscription: SubscriptionState;
  state: 'idle' | 'running' | 'failed';
  /** Everything with contentCreated before this is handled (epoch ms), or null before the first pass. */
  cursor: number | null;
  newestContentCreated: number | null;
  /** Newest CreationTime among records collected by this process. */
  lastEventTime: number | null;
  /** now − newest contentCreated. */
  lagMs: number | null;
  /** Ingest time − CreationTime of the newest record when it was collected. */
  eventLagMs: number | null;
  lastError: { code: string; message: string; at: number } | null;
  /** Since midnight UTC, in this process. */
  recordsToday: number;
  blobsToday: number;
  deadLettersToday: number;
  /** Gaps recorded by this process. */
  gaps: number;
  lastSuccess: number | null;
  /** The API's clock − this machine's, in ms (from its Date headers), or null before the first answer. */
  clockSkewMs: number | null;
  /** The tenant's request budget now (requests a minute; shared by its content types), and its ceiling. */
  requestsPerMinute: number;
  requestCeilingPerMinute: number;
  /** AF429 answers the tenant got in this process. */
  throttled: number;
}
