// The outbox worker: delivers pending outbox rows through their destination's notifier, with retries
// and back-off persisted in the row (attempts, next_attempt_at, last_error), so a restart resumes where
// the last process stopped. A row is marked delivered right after the receiver acknowledged it.
//
// At-least-once window: between the receiver's acknowledgement and the UPDATE that marks the row
// delivered. A process killed exactly there sends the row again after a restart, with the same
// idempotency key (alert, destination, revision), which lets the receiver drop the repeat. Killed
// anywhere else (before sending, after marking), nothing is sent twice.

import { errorMessage, silentLogger, truncate, type Clock, type Logger } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { DeliveryOptions, Notifier } from './notifiers/types.js';
import { outboxRows, type OutboxRow } from './outbox.js';
import { attempt, backoffDelay, DEFAULT_DELIVERY, RateLimiter } from './stages.js';
import type { AlertPayload } from './types.js';

/** A notifier with its destination's delivery options (from the config). */
export type Destination = Notifier & { readonly delivery?: Partial<DeliveryOptions> };

export type OutboxEvent =
  | { type: 'sending'; row: OutboxRow }
  | { type: 'delivered'; row: OutboxRow }
  | { type: 'failed'; row: OutboxRow; error: string; retryable: boolean; nextAttemptAt: number | null };

export interface OutboxWorkerOptions {
  store: Store;
  clock: Clock;
  logger?: Logger;
  notifiers: readonly Destination[];
  /** Rows read per pass (default 100). */
  batchSize?: number;
  /** Pause between passes when nothing is due (default 5 s of the clock). */
  pollInterval?: number;
  /** Jitter source (default Math.random). */
  random?: () => number;
  /** Called (and awaited) at each step of a delivery; for observability and tests. */
  observe?: (event: OutboxEvent) => void | Promise<void>;
  /**
   * Asked right before each send: false stops the pass (the daemon's leader lease has run out, so
   * another process may be delivering now). Default: always.
   */
  canSend?: () => boolean;
}

export interface PassResult {
  delivered: number;
  retrying: number;
  failed: number;
  /** Rows left for a later pass (destination backing off, rate-limited, or not configured). */
  deferred: number;
}

export interface OutboxWorker {
  runOnce(signal?: AbortSignal): Promise<PassResult>;
  run(signal: AbortSignal): Promise<void>;
}

export function createOutboxWorker(o: OutboxWorkerOptions): OutboxWorker {
  const { store, clock } = o;
  const logger = o.logger ?? silentLogger;
  const random = o.random ?? Math.random;
  const batch = o.batchSize ?? 100;
  const byName = new Map(o.notifiers.map((n) => [n.name, n]));
  const limiters = new Map<string, RateLimiter>();
  const warnedMissing = new Set<string>();
  let running: Promise<PassResult> | null = null;

  const optionsOf = (n: Destination): DeliveryOptions => ({ ...DEFAULT_DELIVERY, ...n.delivery });

  async function pass(signal?: AbortSignal): Promise<PassResult> {
    const result: PassResult = { delivered: 0, retrying: 0, failed: 0, deferred: 0 };
    const now = clock.now();
    const due = await outboxRows(store, { status: 'pending', dueBy: now, limit: batch });
    const blocked = new Set<string>();
    for (const row of due) {
      if (signal?.aborted || (o.canSend && !o.canSend())) break;
      const n = byName.get(row.destination);
      if (!n) {
        if (!warnedMissing.has(row.destination)) {
          warnedMissing.add(row.destination);
          logger.warn('Deliveries wait for a destination that is not in the config; add it back or they stay pending.', { destination: row.destination });
        }
        result.deferred++;
        continue;
      }
      if (blocked.has(row.destination)) {
        result.deferred++;
        continue;
      }
      const opts = optionsOf(n);
      let limiter = limiters.get(row.destination);
      if (!limiter) limiters.set(row.destination, (limiter = new RateLimiter(opts.ratePerMinute, clock.now())));
      if (!limiter.take(clock.now())) {
        blocked.add(row.destination);
        result.deferred++;
        continue;
      }
      await o.observe?.({ type: 'sending', row });
      if (o.canSend && !o.canSend()) break;
      const outcome = await attempt(n, JSON.parse(row.payload) as AlertPayload, row.idempotencyKey, opts.timeout, clock, signal);
      const at = clock.now();
      const key = { alertId: row.alertId, destination: row.destination, revision: row.revision };
      if (outcome.ok) {
        await store.state.outbox.markDelivered(key, { at, attempts: row.attempts + 1 });
        result.delivered++;
        logger.debug('An alert was delivered.', { alert: row.alertId, destination: row.destination, revision: row.revision });
        await o.observe?.({ type: 'delivered', row });
        continue;
      }
      const error = truncate(errorMessage(outcome.error), 500);
      const attempts = row.attempts + 1;
      const giveUp = !outcome.retryable || at - row.createdAt >= opts.giveUpAfter;
      const next = giveUp ? null : at + backoffDelay(attempts, opts, random);
      // A destination that is down backs off as a whole: the rows queued behind wait as long.
      await store.state.outbox.markFailed(key, { at, attempts, error, giveUp, nextAttemptAt: next ?? at });
      if (giveUp) {
        result.failed++;
        logger.error('A notification was given up; the alert did not reach this destination.', {
          alert: row.alertId,
          destination: row.destination,
          attempts,
          error,
        });
      } else {
        result.retrying++;
        blocked.add(row.destination);
        logger.warn('A notification failed and will be retried.', { alert: row.alertId, destination: row.destination, attempts, retryAt: new Date(next!).toISOString(), error });
      }
      await o.observe?.({ type: 'failed', row, error, retryable: !giveUp, nextAttemptAt: next });
    }
    return result;
  }

  async function runOnce(signal?: AbortSignal): Promise<PassResult> {
    // One pass at a time in a process: two would send the same row twice.
    while (running) await running.catch(() => undefined);
    running = pass(signal);
    try {
      return await running;
    } finally {
      running = null;
    }
  }

  const nextDue = (): Promise<number | null> => store.state.outbox.nextDue();

  return {
    runOnce,
    async run(signal) {
      const poll = o.pollInterval ?? 5_000;
      while (!signal.aborted) {
        let r: PassResult;
        try {
          r = await runOnce(signal);
        } catch (err) {
          logger.error('The outbox worker could not read or write the store; it tries again.', { error: errorMessage(err) });
          r = { delivered: 0, retrying: 0, failed: 0, deferred: 0 };
        }
        if (r.delivered + r.failed + r.retrying >= batch) continue;
        const due = await nextDue().catch(() => null);
        const wait = due === null ? poll : Math.min(poll, Math.max(0, due - clock.now()));
        try {
          await clock.sleep(Math.max(wait, r.deferred > 0 || r.retrying > 0 ? Math.min(poll, 1_000) : 0), signal);
        } catch {
          break;
        }
      }
    },
  };
}
