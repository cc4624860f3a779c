// Retries with exponential back-off and full jitter on the injected clock, for what the API client
// classifies as retryable (5xx, AF50000, resets, truncated bodies, timeouts) or throttled (AF429 on HTTP
// 403 or 429, which also waits at least the throttle pause or the server's Retry-After).

import { isApiError, type ApiError } from '../api/index.js';
import type { Clock, Logger, Rng } from '../core/index.js';
import type { BackoffOptions } from './types.js';

export function backoffDelay(attempt: number, o: BackoffOptions, rng: Rng): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 30));
  // "Full jitter" keeps many workers from retrying in step; never below half the step.
  return Math.round(cap / 2 + rng.next() * (cap / 2));
}

export interface RetryContext {
  clock: Clock;
  backoff: BackoffOptions;
  rng: Rng;
  logger: Logger;
  signal?: AbortSignal | undefined;
  /** Called before each wait (metrics, status). */
  onRetry?: (err: Error, attempt: number, waitMs: number) => void;
  /** Narrows what is retried (default: every retryable ApiError). */
  retryIf?: (err: ApiError) => boolean;
}

/** Runs `fn` until it succeeds, fails for good (not retryable), or runs out of attempts. */
export async function withRetry<T>(what: string, ctx: RetryContext, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isApiError(err) || !err.retryable || (ctx.retryIf && !ctx.retryIf(err)) || attempt + 1 >= ctx.backoff.maxAttempts || ctx.signal?.aborted) throw err;
      let wait = backoffDelay(attempt, ctx.backoff, ctx.rng);
      if (err.kind === 'throttled') {
        const floor = err.retryAfterMs ?? ctx.backoff.throttleMs;
        wait = Math.max(wait, Math.round(floor * (1 + ctx.rng.next() * 0.2)));
      }
      ctx.onRetry?.(err, attempt + 1, wait);
      ctx.logger.debug(`Retrying ${what} after a retryable failure.`, { code: err.afCode ?? err.code, attempt: attempt + 1, waitMs: wait });
      await ctx.clock.sleep(wait, ctx.signal);
    }
  }
}
