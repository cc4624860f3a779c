// The collector engine: one worker per tenant × content type, each pass checking the tenant's
// subscriptions first (starting only missing or disabled ones, at most once per 15 minutes per type),
// then listing, fetching and committing (worker.ts). Every tenant has its own request budget and blob
// concurrency; the store has one writer at a time. Time is the injected clock throughout.

import type { EventRow } from '../records/index.js';
import type { Registry } from 'prom-client';
import { isApiError, type ApiClient, type ApiError } from '../api/index.js';
import { AppError, errorMessage, formatDuration, Rng, systemClock, silentLogger, type Clock, type Logger } from '../core/index.js';
import type { Store } from '../store/index.js';
import { createRequestBudget, type RequestBudget } from './budget.js';
import { createCollectorMetrics, type CollectorMetrics } from './metrics.js';
import { withRetry } from './retry.js';
import { saveWorkerStates } from './state.js';
import { Semaphore } from './sync.js';
import type {
  BackoffOptions, CollectorHooks, CollectorOptions, PassProgress, PassSummary, RunOnceOptions, TenantRuntime, WorkerResult, WorkerStatus,
} from './types.js';
import { rollDay, runWorkerPass, skewCorrection, type Ready } from './worker.js';
import { Committer } from './committer.js';
import { LeaseKeeper, type CollectorLeases } from './leases.js';

const HOUR = 3_600_000;
/** The longest an ingest transaction stays open before it commits (ms): rows become visible (and progress moves), a crash loses little. */
const COMMIT_AGE_MS = 5_000;

export const DEFAULT_COLLECTOR_OPTIONS: CollectorOptions = {
  overlapMs: 24 * HOUR,
  windowMs: 24 * HOUR,
  minWindowMs: HOUR,
  maxConcurrency: 4,
  requestsPerMinute: 2000,
  startLimitMs: 15 * 60_000,
  initialLookbackMs: 7 * 24 * HOUR,
  maxLookbackMs: 167 * HOUR,
  batchRecords: 50_000,
  backoff: { baseMs: 1000, maxMs: 5 * 60_000, maxAttempts: 8, throttleMs: 30_000 },
};

export interface CollectorInput {
  tenants: TenantRuntime[];
  store: Store;
  clock?: Clock;
  logger?: Logger;
  options?: Partial<Omit<CollectorOptions, 'backoff'>> & { backoff?: Partial<BackoffOptions> };
  hooks?: CollectorHooks;
  /** Applied to every normalised row before it is stored (GeoIP/ASN enrichment from records/enrich). */
  enrich?: (row: EventRow) => EventRow;
  /** A prom-client registry for the metrics (default: a new one, never the global). */
  registry?: Registry;
  /**
   * Share the tenants × content types with other processes on the same store (collect/leases.ts): a
   * pass collects only those whose lease this process holds. Without it, this process collects all.
   */
  leases?: CollectorLeases;
}

export interface Collector {
  /** One pass over every tenant × content type. Never throws for API failures: they are in the summary. */
  runOnce(opts?: RunOnceOptions): Promise<PassSummary>;
  /** Passes every `intervalMs` (the injected clock) until the signal fires. */
  run(signal: AbortSignal, intervalMs: number): Promise<void>;
  /** Per tenant × content type, as of now (this process). */
  status(): WorkerStatus[];
  /** Gives the leases back (when shared); call when the process stops collecting. */
  close(): Promise<void>;
  /** The tenant × content types whose lease this process holds now, or null when it shares nothing (collects all). */
  heldLeases(): { tenantId: string; contentType: string }[] | null;
  readonly metrics: CollectorMetrics;
}

interface TenantState {
  t: TenantRuntime;
  name: string;
  api: ApiClient;
  budget: RequestBudget;
  fetchSlots: Semaphore;
  lastStart: Map<string, number>;
  status: Map<string, WorkerStatus>;
}

export function createCollector(input: CollectorInput): Collector {
  const clock = input.clock ?? systemClock;
  const logger = input.logger ?? silentLogger;
  const options = resolveOptions(input.options);
  const metrics = createCollectorMetrics(input.registry);
  const hooks = input.hooks ?? {};
  const allKeys = input.tenants.flatMap((t) => t.contentTypes.map((contentType) => ({ tenantId: t.tenantId, contentType })));
  const keeper = input.leases ? new LeaseKeeper(input.leases, allKeys, clock, logger) : null;
  const committer = new Committer<Ready>(input.store, clock, {
    maxRows: options.batchRecords,
    maxAgeMs: COMMIT_AGE_MS,
    ...(keeper ? { fenceFor: (k: { tenantId: string; contentType: string }) => keeper.fenceFor(k) } : {}),
  });
  /** The content types of a tenant this process collects now (all of them without leases). */
  const mine = (t: TenantRuntime) => (keeper ? t.contentTypes.filter((contentType) => keeper.holds({ tenantId: t.tenantId, contentType })) : [...t.contentTypes]);
  const rng = new Rng('collector', options.seed ?? 'auditwatch');
  let running: Promise<PassSummary> | null = null;

  const tenants: TenantState[] = input.tenants.map((t) => {
    const ceiling = t.requestsPerMinute ?? options.requestsPerMinute;
    const start = t.startRequestsPerMinute ?? options.startRequestsPerMinute ?? ceiling;
    const budget = createRequestBudget({ ceilingPerMinute: ceiling, startPerMinute: Math.min(start, ceiling), rng: new Rng('budget', options.seed ?? 'auditwatch', t.tenantId) }, clock);
    metrics.requestRate.set({ tenant: t.tenantId }, budget.perMinute);
    const api = t.api.withHooks({
      // Held while in flight: the quota counts a request in the minute it reaches the API.
      beforeRequest: (_op, signal) => budget.hold(signal),
      afterResponse: ({ op, status, code, retryAfterMs }) => {
        budget.release();
        metrics.requests.inc({ tenant: t.tenantId, op, status: String(status) });
        // AF429 comes on HTTP 403 or 429; other answers (even errors) say the quota had room.
        if (code === 'AF429' || status === 429) {
          budget.throttled(retryAfterMs);
          metrics.throttled.inc({ tenant: t.tenantId });
        } else if (status > 0) budget.succeeded();
        metrics.requestRate.set({ tenant: t.tenantId }, budget.perMinute);
      },
    });
    const status = new Map<string, WorkerStatus>();
    for (const ct of t.contentTypes) status.set(ct, emptyStatus(t, ct));
    return { t, name: t.name ?? t.tenantId, api, budget, fetchSlots: new Semaphore(options.maxConcurrency), lastStart: new Map(), status };
  });

  /** Starts a content type's subscription unless one was started less than startLimitMs ago. */
  const startSubscription = async (ts: TenantState, contentType: string, log: Logger, signal?: AbortSignal): Promise<boolean> => {
    const last = ts.lastStart.get(contentType);
    if (last !== undefined && clock.now() - last < options.startLimitMs) {
      log.warn('The subscription is not enabled and was started less than 15 minutes ago; waiting for the next pass.', { contentType });
      return false;
    }
    ts.lastStart.set(contentType, clock.now());
    try {
      // A 5xx may hide a start that worked; the retry then meets AF20024 (success) or the start-rate 429.
      const rctx = { clock, backoff: options.backoff, rng, logger: log, signal, retryIf: (e: ApiError) => e.kind !== 'throttled' };
      const s = await withRetry('start subscription', rctx, () => ts.api.startSubscription(contentType, signal));
      ts.status.get(contentType)!.subscription = s.status === 'enabled' ? 'enabled' : 'disabled';
      log.info('Started the subscription (the first content can take up to 12 hours).', { contentType });
      return s.status === 'enabled';
    } catch (err) {
      if (signal?.aborted) throw err;
      if (isApiError(err, 'throttled') || (isApiError(err) && err.retryable)) {
        log.warn('The subscription could not be started now; the next pass tries again.', { contentType, error: errorMessage(err) });
        return false;
      }
      throw err;
    }
  };

  /** Publishes the tenant's clock skew; a skew past a minute is a warning (windows follow the API's clock). */
  const noteClockSkew = (ts: TenantState, log: Logger): void => {
    const skew = ts.api.clockSkewMs();
    if (skew === null) return;
    metrics.clockSkew.set({ tenant: ts.t.tenantId }, skew / 1000);
    for (const st of ts.status.values()) st.clockSkewMs = skew;
    if (Math.abs(skew) >= CLOCK_WARNING_MS) {
      log.warn(`${clockSkewText(skew)}; windows follow the API's clock.`, { skewSeconds: Math.round(skew / 1000) });
    }
  };

  const runTenant = async (ts: TenantState, opts: RunOnceOptions, progress: ProgressAgg, summary: PassSummary): Promise<void> => {
    const contentTypes = mine(ts.t);
    if (contentTypes.length === 0) return; // every content type of it is another process's now
    const log = logger.child({ tenant: ts.name });
    const backoff = options.backoff;
    // A connection that fails outright here is reported at once, not retried for minutes.
    const rctx = { clock, backoff, rng, logger: log, signal: opts.signal, retryIf: (e: ApiError) => !e.transport || e.afCode === 'timeout' };
    try {
      const subs = await withRetry('list subscriptions', rctx, () => ts.api.listSubscriptions(opts.signal));
      noteClockSkew(ts, log);
      for (const ct of contentTypes) {
        const s = subs.find((x) => x.contentType.toLowerCase() === ct.toLowerCase());
        const st = ts.status.get(ct)!;
        st.subscription = !s ? 'missing' : s.status === 'enabled' ? 'enabled' : 'disabled';
        if (st.subscription !== 'enabled') await startSubscription(ts, ct, log, opts.signal);
      }
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const e = toAppError(err, ts.t.tenantId);
      log.error('The tenant cannot be collected.', { error: e.message, code: isApiError(e) ? e.afCode ?? e.code : e.code });
      summary.errors.push({ tenantId: ts.t.tenantId, contentType: null, error: e });
      for (const st of ts.status.values()) {
        st.state = 'failed';
        st.lastError = { code: isApiError(e) ? e.afCode ?? e.code : e.code, message: e.message, at: clock.now() };
      }
      return;
    }
    // Settled, not Promise.all: on a stop every worker has ended before the last commit.
    const settled = await Promise.allSettled(
      contentTypes.map(async (ct) => {
        const status = ts.status.get(ct)!;
        let r: WorkerResult;
        // A lost lease stops this worker only (with lease_lost), a stop of the pass stops all.
        const lost = keeper?.signalFor({ tenantId: ts.t.tenantId, contentType: ct });
        const signal = lost ? (opts.signal ? AbortSignal.any([opts.signal, lost]) : lost) : opts.signal;
        try {
          r = await runWorkerPass(
            {
              tenantId: ts.t.tenantId, contentType: ct, api: ts.api, store: input.store, clock, logger: log, options, metrics, hooks, enrich: input.enrich,
              rng, fetchSlots: ts.fetchSlots, committer, status,
              restartSubscription: (signal) => startSubscription(ts, ct, log, signal),
              progress,
            },
            { since: opts.since, signal },
          );
        } catch (err) {
          if (opts.signal?.aborted) throw err;
          const e = toAppError(err, ts.t.tenantId);
          status.state = 'failed';
          status.lastError = { code: e.code, message: e.message, at: clock.now() };
          r = { tenantId: ts.t.tenantId, contentType: ct, ok: false, records: 0, blobs: 0, duplicates: 0, deadLetters: 0, gaps: 0, failedBlobs: 0, cursor: status.cursor, error: e };
        }
        summary.workers.push(r);
        if (r.error) {
          summary.errors.push({ tenantId: ts.t.tenantId, contentType: ct, error: r.error });
          log.error('Collection of a content type stopped; the cursor stays before the failure.', { contentType: ct, error: r.error.message });
        }
      }),
    );
    const stopped = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (stopped) throw stopped.reason;
  };

  const runPass = async (opts: RunOnceOptions): Promise<PassSummary> => {
    const startedAt = clock.now();
    const summary: PassSummary = {
      ok: false, startedAt, finishedAt: startedAt, records: 0, blobs: 0, bytes: 0, duplicates: 0, deadLetters: 0, gaps: 0, workers: [], errors: [],
    };
    const progress = new ProgressAgg(clock, startedAt, opts.onProgress);
    // Shared with other processes: keep or take this process's share first. When the lease table cannot
    // be reached, the pass goes on with the leases held (each commit is fenced by its lease anyway).
    if (keeper) {
      await keeper.rebalance().catch((err: unknown) =>
        logger.warn('The collector leases could not be balanced; this pass collects what this process holds.', { error: errorMessage(err) }),
      );
    }
    const settled = await Promise.allSettled(tenants.map((ts) => runTenant(ts, opts, progress, summary)));
    // Each worker committed at its end; interrupted ones (a stop) may have left blobs in the transaction:
    // committed with the cursors they earned, so a restart does not fetch them again.
    await committer.flush().catch((err: unknown) => logger.warn('Committing the last collected blobs failed; they are fetched again next time.', { error: errorMessage(err) }));
    const stopped = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (stopped) throw stopped.reason;
    try {
      // Kept for `status` without the daemon; an interrupted pass has nothing final to say.
      if (!opts.signal?.aborted) {
        // Only what this process collected: the others save theirs.
        const states = tenants.flatMap((ts) => mine(ts.t).map((ct) => ts.status.get(ct)!));
        await saveWorkerStates(input.store, states, clock.now());
      }
    } catch (err) {
      logger.warn('Saving the collectors\' state for status failed; it is saved again after the next pass.', { error: errorMessage(err) });
    }
    try {
      const pruned = await input.store.pruneLedger(clock.now());
      if (pruned > 0) logger.debug('Pruned expired blob ledger entries.', { pruned });
    } catch (err) {
      logger.warn('Pruning the blob ledger failed; it is tried again next pass.', { error: errorMessage(err) });
    }
    for (const w of summary.workers) {
      summary.records += w.records;
      summary.blobs += w.blobs;
      summary.duplicates += w.duplicates;
      summary.deadLetters += w.deadLetters;
      summary.gaps += w.gaps;
    }
    summary.bytes = progress.p.bytes;
    summary.finishedAt = clock.now();
    summary.ok = summary.errors.length === 0 && summary.workers.every((w) => w.ok);
    progress.emit();
    logger.info('Collection pass finished.', {
      records: summary.records, blobs: summary.blobs, duplicates: summary.duplicates, deadLetters: summary.deadLetters,
      gaps: summary.gaps, errors: summary.errors.length, ms: summary.finishedAt - startedAt,
    });
    return summary;
  };

  return {
    metrics,
    async runOnce(opts = {}) {
      // Passes never overlap: a second caller waits for the running one, then runs its own.
      while (running) await running.catch(() => {});
      running = runPass(opts);
      try {
        return await running;
      } finally {
        running = null;
      }
    },
    async run(signal, intervalMs) {
      while (!signal.aborted) {
        try {
          await this.runOnce({ signal });
        } catch (err) {
          if (signal.aborted) break;
          logger.error('A collection pass failed; the next one starts after the interval.', { error: errorMessage(err) });
        }
        try {
          await clock.sleep(intervalMs, signal);
        } catch {
          break;
        }
      }
    },
    async close() {
      await keeper?.close();
    },
    heldLeases: () => (keeper ? keeper.heldKeys() : null),
    status() {
      const now = clock.now();
      const out: WorkerStatus[] = [];
      for (const ts of tenants) {
        for (const st of ts.status.values()) {
          rollDay(st, now);
          const apiNow = now + skewCorrection(st.clockSkewMs);
          out.push({
            ...st, lagMs: st.newestContentCreated === null ? null : apiNow - st.newestContentCreated, lastError: st.lastError ? { ...st.lastError } : null,
            requestsPerMinute: ts.budget.perMinute, requestCeilingPerMinute: ts.budget.ceilingPerMinute, throttled: ts.budget.throttles,
          });
        }
      }
      return out;
    },
  };
}

class ProgressAgg {
  readonly p: PassProgress = { records: 0, blobs: 0, bytes: 0, duplicates: 0, windowsDone: 0, windowsTotal: 0, elapsedMs: 0 };
  constructor(private readonly clock: Clock, private readonly startedAt: number, private readonly cb?: (p: PassProgress) => void) {}
  addWindows(hours: number) {
    this.p.windowsTotal += hours;
  }
  windowDone(hours: number) {
    if (hours <= 0) return;
    this.p.windowsDone += hours;
    this.emit();
  }
  committed(records: number, blobs: number, bytes: number, duplicates: number) {
    this.p.records += records;
    this.p.blobs += blobs;
    this.p.bytes += bytes;
    this.p.duplicates += duplicates;
    this.emit();
  }
  emit() {
    if (!this.cb) return;
    this.p.elapsedMs = this.clock.now() - this.startedAt;
    try {
      this.cb({ ...this.p });
    } catch {
      // A progress display must never break collection.
    }
  }
}

/** A skew this large is worth fixing even though the collector corrects for it. */
export const CLOCK_WARNING_MS = 60_000;

/** "This machine's clock is 3h behind the API's: fix its time (NTP)". */
export function clockSkewText(skewMs: number): string {
  return `This machine's clock is ${formatDuration(Math.max(60_000, Math.round(Math.abs(skewMs) / 60_000) * 60_000))} ${skewMs > 0 ? 'behind' : 'ahead of'} the API's: fix its time (NTP)`;
}

function emptyStatus(t: TenantRuntime, contentType: string): WorkerStatus {
  return {
    tenantId: t.tenantId, tenantName: t.name ?? t.tenantId, contentType, subscription: 'unknown', state: 'idle', cursor: null,
    newestContentCreated: null, lastEventTime: null, lagMs: null, eventLagMs: null, lastError: null,
    recordsToday: 0, blobsToday: 0, deadLettersToday: 0, gaps: 0, lastSuccess: null, clockSkewMs: null,
    requestsPerMinute: 0, requestCeilingPerMinute: 0, throttled: 0,
  };
}

function toAppError(err: unknown, tenantId: string): AppError {
  if (err instanceof AppError) return err;
  return new AppError('collect_failed', `Collecting tenant ${tenantId} failed: ${errorMessage(err)}`, { cause: err });
}

export function resolveOptions(o: CollectorInput['options'] = {}): CollectorOptions {
  const d = DEFAULT_COLLECTOR_OPTIONS;
  const out: CollectorOptions = {
    ...d,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    backoff: { ...d.backoff, ...Object.fromEntries(Object.entries(o.backoff ?? {}).filter(([, v]) => v !== undefined)) },
  } as CollectorOptions;
  const bad = (what: string, fix: string) => new AppError('bad_option', `The collector option ${what} ${fix}.`);
  if (!(out.windowMs >= 1000 && out.windowMs <= 24 * HOUR)) throw bad('windowMs', 'must be from 1 s to 24 h (the API lists at most 24 h at once)');
  out.windowMs = Math.floor(out.windowMs / 1000) * 1000;
  if (!(out.minWindowMs >= 1000)) throw bad('minWindowMs', 'must be at least 1 s');
  out.minWindowMs = Math.min(out.windowMs, Math.floor(out.minWindowMs / 1000) * 1000);
  if (!(out.overlapMs >= 0 && out.overlapMs <= 7 * 24 * HOUR)) throw bad('overlap', 'must be from 0 to 7 days');
  if (!(out.maxLookbackMs > 0 && out.maxLookbackMs <= 7 * 24 * HOUR)) throw bad('maxLookbackMs', 'must be at most 7 days');
  if (!(Number.isInteger(out.maxConcurrency) && out.maxConcurrency >= 1)) throw bad('maxConcurrency', 'must be a whole number of at least 1');
  if (!(out.requestsPerMinute >= 1)) throw bad('requestsPerMinute', 'must be at least 1 (Microsoft\'s quota is 2,000 a minute per tenant)');
  if (out.startRequestsPerMinute !== undefined && !(out.startRequestsPerMinute >= 1)) throw bad('startRequestsPerMinute', 'must be at least 1');
  if (!(out.batchRecords >= 1)) throw bad('batchRecords', 'must be at least 1');
  if (!(out.backoff.maxAttempts >= 1)) throw bad('backoff.maxAttempts', 'must be at least 1');
  return out;
}
