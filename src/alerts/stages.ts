// The shared delivery stages, written once for every notifier: one attempt with a time limit and secret
// scrubbing, exponential back-off with jitter, and a per-destination rate limit, all on the injected clock.

import { errorMessage, fail, scrub, truncate, type Clock, type Outcome } from '../core/index.js';
import type { Delivery, DeliveryOptions, Notifier } from './notifiers/types.js';
import type { AlertPayload } from './types.js';

export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeout: 15_000,
  ratePerMinute: 60,
  backoffMin: 5_000,
  backoffMax: 600_000,
  giveUpAfter: 7 * 86_400_000,
};

/** Delay before retry number `attempts` (1 = first retry): exponential, capped, with equal jitter. */
export function backoffDelay(attempts: number, o: Pick<DeliveryOptions, 'backoffMin' | 'backoffMax'>, random: () => number): number {
  const base = Math.min(o.backoffMax, o.backoffMin * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(base / 2 + random() * (base / 2));
}

/** A token bucket on the injected clock: `ratePerMinute` deliveries a minute, bursts up to the same. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly ratePerMinute: number,
    now: number,
  ) {
    this.tokens = ratePerMinute;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.ratePerMinute, this.tokens + ((now - this.last) * this.ratePerMinute) / 60_000);
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const ERROR_MAX = 500;

/**
 * One delivery attempt: the notifier's own outcome, or a retryable failure when it throws or passes
 * the time limit. Error texts are scrubbed of the notifier's secrets and bounded.
 */
export async function attempt(
  notifier: Notifier,
  alert: AlertPayload,
  idempotencyKey: string,
  timeoutMs: number,
  clock: Clock,
  outer?: AbortSignal,
): Promise<Outcome> {
  const controller = new AbortController();
  const timer = new AbortController();
  const onOuter = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuter, { once: true });
  const delivery: Delivery = { alert, idempotencyKey, signal: controller.signal };
  const timeout = clock.sleep(timeoutMs, timer.signal).then(
    () => {
      controller.abort(new Error(`no answer within ${timeoutMs} ms`));
      return fail(new Error(`${notifier.kind} destination "${notifier.name}" gave no answer within ${timeoutMs} ms`), true);
    },
    () => null,
  );
  let outcome: Outcome;
  try {
    const raced = await Promise.race([notifier.notify(delivery).catch((err: unknown) => fail(asError(err), true)), timeout]);
    outcome = raced ?? fail(new Error('the attempt was aborted'), true);
  } finally {
    timer.abort();
    outer?.removeEventListener('abort', onOuter);
  }
  if (outcome.ok) return outcome;
  const message = truncate(scrub(errorMessage(outcome.error), notifier.secrets()), ERROR_MAX);
  return fail(new Error(message), outcome.retryable);
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
