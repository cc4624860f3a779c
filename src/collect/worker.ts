// One pass of one worker (tenant × content type), management-api.md §4: the I/O of a pass whose
// decisions — windows, gaps, how far the cursor moves — are made by its PassPlan (plan.ts). It lists
// the plan's windows on contentCreated, skips blobs the ledger knows, fetches the rest with bounded
// concurrency, normalises, and hands each blob to the collector's shared ingest transaction
// (committer.ts), which commits it with its ledger entry and the cursor the plan allows.

import { isApiError, type ApiClient, type ContentBlobRef } from '../api/index.js';
import { AppError, DAY, errorMessage, oneLine, type Clock, type Logger, type Rng } from '../core/index.js';
import { normalize, type EventRow, type Rejection } from '../records/index.js';
import type { BlobCommit, Store } from '../store/index.js';
import type { CommitParticipant, Committer } from './committer.js';
import type { CollectorMetrics } from './metrics.js';
import { withRetry, type RetryContext } from './retry.js';
import { BoundedQueue, type Semaphore } from './sync.js';
import type { CollectorHooks, CollectorOptions, WorkerResult, WorkerStatus } from './types.js';
import { planStart, PassPlan, type PlanWindow } from './plan.js';

export interface WorkerDeps {
  tenantId: string;
  contentType: string;
  api: ApiClient;
  store: Store;
  clock: Clock;
  logger: Logger;
  options: CollectorOptions;
  metrics: CollectorMetrics;
  hooks: CollectorHooks;
  enrich: ((row: EventRow) => EventRow) | undefined;
  rng: Rng;
  /** Blob fetches in flight for this tenant. */
  fetchSlots: Semaphore;
  /** The collector's shared ingest transaction. */
  committer: Committer<Ready>;
  status: WorkerStatus;
  /** Re-starts a subscription the API says is missing or disabled; true when it is enabled now. */
  restartSubscription: (signal?: AbortSignal) => Promise<boolean>;
  progress: {
    /** Hours of contentCreated planned, and completed (listed and committed), for the ETA. */
    addWindows(hours: number): void;
    windowDone(hours: number): void;
    committed(records: number, blobs: number, bytes: number, duplicates: number): void;
  };
}

export interface Task {
  blob: ContentBlobRef;
  win: PlanWindow;
}

/** A fetched blob as the committer holds it until its commit (its rows are with the store by then). */
export interface Ready {
  task: Task;
  bytes: number;
  /** The newest CreationTime among its records (0 when none), for the event lag. */
  newestEvent: number;
}

export async function runWorkerPass(d: WorkerDeps, opts: { since?: number | undefined; signal?: AbortSignal | undefined }): Promise<WorkerResult> {
  const { tenantId, contentType, store, clock, options, metrics } = d;
  const log = d.logger.child({ contentType });
  const labels = { tenant: tenantId, content_type: contentType };
  const signal = opts.signal;
  const result: WorkerResult = {
    tenantId, contentType, ok: true, records: 0, blobs: 0, duplicates: 0, deadLetters: 0, gaps: 0, failedBlobs: 0, cursor: null, error: null,
  };
  const rctx: RetryContext = {
    clock, backoff: options.backoff, rng: d.rng, logger: log, signal,
    onRetry: (err) => metrics.retries.inc({ tenant: tenantId, code: isApiError(err) ? err.afCode ?? err.kind : 'error' }),
  };

  // Windows are judged by the API's clock: a machine whose clock is off follows the API's Date header.
  const apiNow = (): number => clock.now() + skewCorrection(d.api.clockSkewMs());
  const stored = await store.getCursor(tenantId, contentType);
  let savedCursor = stored?.position ?? null;
  result.cursor = savedCursor;
  d.status.cursor = savedCursor;

  const planned = planStart(savedCursor, opts.since, apiNow(), options);
  if (planned.expired) {
    // The collector did not run for more than 7 days: that content expired before it could be listed.
    const { jumpTo } = planned.expired;
    await recordGap(d, result, { contentId: null, windowStart: planned.expired.start, windowEnd: planned.expired.end, code: 'expired-before-listed', reason: 'This span was never listed and is older than the API keeps content (7 days).' });
    // Handled (as a gap): the cursor moves to where listing can start, so the gap is recorded once.
    // Saved at once through the ingest transaction, which alone writes the collector's cursors.
    const jump: CommitParticipant<Ready> = { tenantId, contentType, cursorFor: () => jumpTo, committed: () => {}, failed: () => {} };
    d.committer.register(jump);
    try {
      await d.committer.flush();
    } finally {
      d.committer.unregister(jump);
    }
    savedCursor = jumpTo;
    result.cursor = jumpTo;
    d.status.cursor = jumpTo;
  }
  const plan = new PassPlan(planned, savedCursor, options);
  d.progress.addWindows(plan.hours);

  const known = await store.knownBlobs(tenantId, contentType, planned.start);
  const queue = new BoundedQueue<Task>(Math.max(4, options.maxConcurrency * 4));
  let fatal: AppError | null = null;
  const stop = (err: AppError) => {
    if (!fatal) fatal = err;
    plan.stop();
    queue.close();
  };

  // ---- committing: through the shared ingest transaction ----
  const setCursor = (cursor: number) => {
    savedCursor = cursor;
    result.cursor = cursor;
    d.status.cursor = cursor;
    metrics.cursor.set(labels, cursor / 1000);
  };
  const participant: CommitParticipant<Ready> = {
    tenantId,
    contentType,
    cursorFor: (items) => plan.cursorFor(new Set(items.map((r) => r.task.blob.contentId))),
    committed: (items, cursor) => {
      const hours = plan.committed(items.map(({ item }) => ({ contentId: item.task.blob.contentId, window: item.task.win })), cursor);
      if (cursor !== null) setCursor(cursor);
      if (hours > 0) d.progress.windowDone(hours);
      if (items.length > 0) accountCommit(items.map((x) => ({ r: x.item, ...x.result })), cursor);
      else if (cursor !== null) d.hooks.onCommitted?.({ tenantId, contentType, blobs: 0, inserted: 0, duplicates: 0, deadLetters: 0, cursor });
    },
    failed: (_items, err) => {
      // The blobs stay uncommitted (the cursor stays before them); the store's trouble ends this pass.
      stop(storeFailure(err, tenantId, contentType));
    },
  };
  const accountCommit = (items: { r: Ready; inserted: number; duplicates: number; deadLetters: number }[], cursor: number | null) => {
    let bytes = 0;
    let inserted = 0;
    let duplicates = 0;
    let deadLetters = 0;
    let newest = d.status.newestContentCreated ?? 0;
    let lastEvent = d.status.lastEventTime ?? 0;
    for (const { r, ...res } of items) {
      bytes += r.bytes;
      inserted += res.inserted;
      duplicates += res.duplicates;
      deadLetters += res.deadLetters;
      if (r.task.blob.contentCreated > newest) newest = r.task.blob.contentCreated;
      if (r.newestEvent > lastEvent) lastEvent = r.newestEvent;
    }
    const t = clock.now();
    const apiT = apiNow();
    result.records += inserted;
    result.blobs += items.length;
    result.duplicates += duplicates;
    result.deadLetters += deadLetters;
    metrics.records.inc(labels, inserted);
    metrics.blobs.inc(labels, items.length);
    metrics.bytes.inc(labels, bytes);
    if (duplicates) metrics.duplicates.inc(labels, duplicates);
    if (deadLetters) metrics.deadLetters.inc(labels, deadLetters);
    rollDay(d.status, t);
    d.status.recordsToday += inserted;
    d.status.blobsToday += items.length;
    d.status.deadLettersToday += deadLetters;
    if (newest > 0) {
      d.status.newestContentCreated = newest;
      d.status.lagMs = apiT - newest;
      metrics.lag.set(labels, (apiT - newest) / 1000);
    }
    if (lastEvent > 0) {
      d.status.lastEventTime = lastEvent;
      d.status.eventLagMs = apiT - lastEvent;
      metrics.eventLag.set(labels, (apiT - lastEvent) / 1000);
    }
    d.progress.committed(inserted, items.length, bytes, duplicates);
    d.hooks.onCommitted?.({ tenantId, contentType, blobs: items.length, inserted, duplicates, deadLetters, cursor });
  };
  // Resolves at once unless too many rows wait for the store: the fetcher's slot is held until then, so
  // rows never pile up faster than the store takes them.
  const addReady = (task: Task, commit: BlobCommit, bytes: number): Promise<void> => {
    let newestEvent = 0;
    for (const row of commit.rows) if (row.creationTime > newestEvent) newestEvent = row.creationTime;
    return d.committer.add(participant, { task, bytes, newestEvent }, commit);
  };
  d.committer.register(participant);

  // ---- fetching: bounded per tenant ----
  const fetchOne = async (task: Task): Promise<void> => {
    const { blob } = task;
    let records: unknown[];
    let bytes: number;
    try {
      const got = await withRetry('fetch blob', rctx, () => d.api.fetchBlob(blob.contentUri, signal));
      records = got.records;
      bytes = got.bytes;
    } catch (err) {
      if (signal?.aborted) throw err;
      if (isApiError(err, 'gap')) {
        await recordGap(d, result, {
          contentId: blob.contentId, windowStart: blob.contentCreated, windowEnd: blob.contentCreated,
          code: err.afCode ?? 'gap', reason: err.message,
        });
        // The ledger entry (no rows) marks it handled, so the overlap does not ask again every poll.
        await addReady(task, { blob: blobRef(tenantId, blob), rows: [], rejects: [], ingestedAt: clock.now() }, 0);
        return;
      }
      plan.blobFailed();
      result.failedBlobs++;
      noteError(d, err);
      if (isApiError(err) && !err.retryable) stop(err);
      else log.warn('A blob could not be fetched after every retry; the cursor waits for it and the next pass tries again.', { contentId: blob.contentId, error: errorMessage(err) });
      return;
    }
    const rows: EventRow[] = [];
    const rejects: Rejection[] = [];
    const source = { tenantId, contentType, sourceId: blob.contentId };
    for (const rec of records) {
      const n = normalize(rec, source);
      if (n.ok) rows.push(d.enrich ? d.enrich(n.row) : n.row);
      else rejects.push(n.rejection);
    }
    await addReady(task, { blob: blobRef(tenantId, blob), rows, rejects, ingestedAt: clock.now() }, bytes);
  };
  const fetcher = async (): Promise<void> => {
    try {
      for (;;) {
        const task = await queue.pop();
        if (!task) return;
        // The tenant's slot is held until the blob is handed to a batch: at most maxConcurrency blobs per
        // tenant are downloading or waiting for a commit, so memory does not grow with the backlog.
        await d.fetchSlots.use(() => fetchOne(task));
      }
    } catch (err) {
      // A store failure (or an abort): stop listing so nothing waits on a queue no one drains.
      stop(err instanceof AppError ? err : storeFailure(err, tenantId, contentType));
      throw err;
    }
  };

  // ---- listing: the plan's windows in order, pages streamed into the bounded queue ----
  /** Lists one window to its last page; returns the pages, or null when the API refused the window and the plan cut it. */
  const listWindow = async (win: PlanWindow): Promise<number | null> => {
    let next: string | null = null;
    let restarted = false;
    let pages = 0;
    for (;;) {
      let page;
      try {
        page = await withRetry('list content', rctx, async () => {
          try {
            return await d.api.listContentPage(contentType, win.start, win.end, next, signal);
          } catch (err) {
            if (isApiError(err) && err.afCode === 'AF20031') next = null; // a bad nextPage: list the window again
            throw err;
          }
        });
      } catch (err) {
        if (isApiError(err) && (err.afCode === 'AF20022' || err.afCode === 'AF20023') && !restarted) {
          restarted = true;
          d.status.subscription = err.afCode === 'AF20022' ? 'missing' : 'disabled';
          if (await d.restartSubscription(signal)) continue;
        }
        if (isApiError(err, 'window') && pages === 0) {
          // The oldest window fell out of what the API serves (clock skew): say so, never skip silently.
          const cut = plan.rejected(win, apiNow());
          if (cut) {
            await recordGap(d, result, { contentId: null, windowStart: cut.window.start, windowEnd: cut.window.end, code: err.afCode ?? 'AF20055', reason: err.message });
            plan.listed(cut.window);
            return null;
          }
        }
        throw err;
      }
      pages++;
      const fresh = page.blobs.filter((b) => !known.has(b.contentId));
      plan.listedPage(win, fresh);
      for (const blob of fresh) {
        known.add(blob.contentId);
        await queue.push({ blob, win });
        if (fatal) return pages;
      }
      if (!page.nextPageUri) return pages;
      next = page.nextPageUri;
    }
  };
  const lister = async (): Promise<void> => {
    try {
      for (let step = plan.next(apiNow()); step; step = plan.next(apiNow())) {
        if (fatal || signal?.aborted) break;
        const win = step.window;
        if (step.kind === 'gap') {
          // Older than what the API serves by now (the pass fell behind): one gap for the span.
          await recordGap(d, result, { contentId: null, windowStart: win.start, windowEnd: win.end, code: 'expired-before-listed', reason: 'The collector fell behind: this span became older than the API serves (7 days) before it was listed.' });
          d.progress.windowDone(plan.listed(win));
          continue;
        }
        let pages: number | null;
        try {
          pages = await listWindow(win);
          // A refused window was cut by the plan: list what is left of it.
          while (pages === null && plan.windows.includes(win)) pages = await listWindow(win);
        } catch (err) {
          if (signal?.aborted) throw err;
          if (isApiError(err) && err.retryable) {
            // This window could not be listed in this pass: the cursor stops before it.
            plan.listFailed(win);
            noteError(d, err);
            log.warn('A window could not be listed after every retry; the next pass lists it again.', { windowStart: new Date(win.start).toISOString(), error: errorMessage(err) });
            break;
          }
          throw err;
        }
        if (fatal) break;
        if (pages !== null) d.progress.windowDone(plan.listed(win, pages));
      }
    } catch (err) {
      if (err instanceof Error && err.message === 'queue closed') return;
      if (signal?.aborted) {
        queue.close(); // let the fetchers drain and end, or the pass never settles after an abort
        throw err;
      }
      stop(err instanceof AppError ? err : new AppError('collect_failed', `Listing content of tenant ${tenantId} failed: ${errorMessage(err)}`, { cause: err }));
      return;
    }
    queue.close();
  };

  d.status.state = 'running';
  const fetchers = Array.from({ length: Math.max(1, options.maxConcurrency) }, () => fetcher());
  const settled = await Promise.allSettled([lister(), ...fetchers]);
  // Commit what is held even after a failure or a stop: everything fetched is kept, and the cursor still
  // obeys the rule.
  try {
    await d.committer.flush();
  } catch {
    // `failed` has stopped this worker with the store's error
  } finally {
    d.committer.unregister(participant);
  }
  if (signal?.aborted) {
    d.status.state = 'idle';
    throw signal.reason instanceof Error ? signal.reason : new AppError('aborted', 'The collection pass was stopped.');
  }
  const thrown = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
  if (thrown) {
    const err = thrown.reason;
    stop(err instanceof AppError ? err : new AppError('collect_failed', `Collecting ${contentType} of tenant ${tenantId} failed: ${errorMessage(err)}`, { cause: err }));
  }
  if (fatal) {
    result.ok = false;
    result.error = fatal;
    noteError(d, fatal);
    d.status.state = 'failed';
  } else {
    result.ok = result.failedBlobs === 0 && plan.complete();
    d.status.state = result.ok ? 'idle' : 'failed';
    if (result.ok) {
      d.status.lastSuccess = clock.now();
      d.status.lastError = null;
      metrics.lastSuccess.set(labels, clock.now() / 1000);
    }
  }
  return result;
}

function blobRef(tenantId: string, b: ContentBlobRef) {
  return { tenantId, contentType: b.contentType, contentId: b.contentId, contentUri: b.contentUri, contentCreated: b.contentCreated, contentExpiration: b.contentExpiration };
}

async function recordGap(
  d: WorkerDeps,
  result: WorkerResult,
  g: { contentId: string | null; windowStart: number; windowEnd: number; code: string; reason: string },
): Promise<void> {
  await d.store.recordGap({ tenantId: d.tenantId, contentType: d.contentType, detectedAt: d.clock.now(), ...g });
  result.gaps++;
  d.status.gaps++;
  d.metrics.gaps.inc({ tenant: d.tenantId, content_type: d.contentType, code: g.code });
  d.logger.warn('Content could not be collected and is recorded as a gap.', {
    contentType: d.contentType, contentId: g.contentId, code: g.code,
    windowStart: new Date(g.windowStart).toISOString(), windowEnd: new Date(g.windowEnd).toISOString(),
  });
}

/** A store error as one line naming the fix; the blobs it held stay uncommitted and are fetched again. */
function storeFailure(err: unknown, tenantId: string, contentType: string): AppError {
  const text = errorMessage(err);
  const fix = /could not allocate|out of memory/i.test(text)
    ? 'DuckDB ran out of memory: raise store.memoryLimit in the config'
    : /no space left|disk is full|disk full/i.test(text)
      ? 'the disk is full: free space beside the store file'
      : 'fix the store, then collect again (nothing was lost: those blobs are fetched again)';
  return new AppError('store_failed', `Committing ${contentType} of tenant ${tenantId} failed (${oneLine(text, 300)}); ${fix}.`, { cause: err });
}

function noteError(d: WorkerDeps, err: unknown): void {
  const code = isApiError(err) ? err.afCode ?? err.code : err instanceof AppError ? err.code : 'error';
  d.status.lastError = { code, message: err instanceof AppError ? err.message : errorMessage(err), at: d.clock.now() };
}

/** Below this the Date header's resolution and the request's latency explain the difference: no correction. */
export const SKEW_TOLERANCE_MS = 5_000;

/** The correction added to this machine's clock to get the API's: the skew when it is more than noise. */
export function skewCorrection(skewMs: number | null): number {
  return skewMs !== null && Math.abs(skewMs) >= SKEW_TOLERANCE_MS ? skewMs : 0;
}

const dayOf = new WeakMap<WorkerStatus, number>();

/** Resets the "today" counters when the UTC day changes. */
export function rollDay(s: WorkerStatus, now: number): void {
  const day = Math.floor(now / DAY);
  if (dayOf.get(s) !== day) {
    dayOf.set(s, day);
    s.recordsToday = 0;
    s.blobsToday = 0;
    s.deadLettersToday = 0;
  }
}
