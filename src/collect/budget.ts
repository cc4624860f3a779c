// A tenant's request budget, shared by all its workers, adapting to the API's quota (AIMD):
// it starts at `startPerMinute`, adds `increasePerMinute` to its rate for every minute of answers that
// are not throttled, halves the rate on AF429 (HTTP 403 or 429) — at most once a minute, since the
// requests in flight and the rest of the quota's minute meet it too — and after each AF429 grants
// nothing until the server's Retry-After, or a jittered pause, has passed. The rate never exceeds `ceilingPerMinute` (collect.requestsPerMinute).
// At any rate, no more than that many requests are granted in any rolling 60 seconds of the injected
// clock (a sliding log, stricter than a token bucket, whose burst could exceed the quota in a minute).
// A request taken with `hold` keeps its slot while it is in flight and for 60 seconds after `release`:
// the server counts it in the minute it arrives in, which may be later than the grant (a slow socket,
// a clock that jumps), so a slot counted from the grant could let a quota minute see more than the rate.
// Waiters are served in order.

import type { Clock, Rng } from '../core/index.js';

export interface RequestBudget {
  /** Resolves when one more request fits in the budget; its slot counts from now. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** As acquire, but the slot is held until release() and counts for a minute from then (a request in flight). */
  hold(signal?: AbortSignal): Promise<void>;
  /** A request taken with hold() has ended (answered, or failed without an answer). */
  release(): void;
  /** An answer that was not throttled: the rate grows with time. */
  succeeded(): void;
  /** An AF429 answer: the rate halves (once per episode) and grants pause for Retry-After or a jittered pause. */
  throttled(retryAfterMs?: number): void;
  /** Requests granted in the last rolling minute, and those still in flight. */
  inLastMinute(): number;
  /** The rate now, in requests a minute (whole). */
  readonly perMinute: number;
  /** Throttled answers seen. */
  readonly throttles: number;
  readonly ceilingPerMinute: number;
}

export interface BudgetOptions {
  /** The most requests a minute, whatever the answers (collect.requestsPerMinute). */
  ceilingPerMinute: number;
  /** The rate to start at (default: the ceiling). */
  startPerMinute?: number;
  /** Added to the rate per minute without throttling (default: 5 % of the ceiling, at least 1). */
  increasePerMinute?: number;
  /** The rate never falls below this (default: 1 % of the ceiling, at least 1). */
  floorPerMinute?: number;
  /** Pause after AF429 without Retry-After (default 5 s), lengthened by up to 50 % of jitter. */
  pauseMs?: number;
  /** For the jitter (default: Math.random). */
  rng?: Pick<Rng, 'next'>;
}

const MINUTE = 60_000;

export function createRequestBudget(options: number | BudgetOptions, clock: Clock): RequestBudget {
  const o: BudgetOptions = typeof options === 'number' ? { ceilingPerMinute: options } : options;
  const ceiling = Math.max(1, Math.floor(o.ceilingPerMinute));
  const floor = Math.min(ceiling, Math.max(1, Math.floor(o.floorPerMinute ?? ceiling / 100)));
  const increase = Math.max(1, o.increasePerMinute ?? ceiling * 0.05);
  const pauseMs = o.pauseMs ?? 5_000;
  const rng = o.rng ?? { next: Math.random };
  let rate = Math.min(ceiling, Math.max(floor, o.startPerMinute ?? ceiling));
  let grownAt = clock.now();
  let pauseUntil = 0;
  let decreasedAt = Number.NEGATIVE_INFINITY;
  let throttles = 0;
  // Times from which the slots of the last minute count, oldest first: log[head..] (compacted now and
  // then); a grant's time, or a held request's release.
  let log: number[] = [];
  let head = 0;
  // Held requests not released yet, and the waiter to wake on the next release.
  let inFlight = 0;
  let onRelease: (() => void) | null = null;
  let queue: Promise<void> = Promise.resolve();

  const prune = (now: number) => {
    while (head < log.length && now - log[head]! >= MINUTE) head++;
    if (head > 1024 && head * 2 > log.length) {
      log = log.slice(head);
      head = 0;
    }
  };

  /** Resolves on the next release(), or rejects when the signal aborts. */
  const nextRelease = (signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const prev = onRelease;
      onRelease = () => {
        prev?.();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
    });

  const grant = async (held: boolean, signal?: AbortSignal): Promise<void> => {
    for (;;) {
      const now = clock.now();
      if (now < pauseUntil) {
        await clock.sleep(pauseUntil - now, signal);
        continue;
      }
      prune(now);
      const limit = Math.floor(rate);
      const used = inFlight + log.length - head;
      if (used < limit) {
        if (held) inFlight++;
        else log.push(now);
        return;
      }
      // Enough of the last minute's slots must be a minute old; while too many are in flight, a release comes first.
      const ageOut = used - limit;
      if (ageOut < log.length - head) await clock.sleep(Math.max(1, log[head + ageOut]! + MINUTE - now), signal);
      else await nextRelease(signal);
    }
  };

  return {
    get perMinute() {
      return Math.floor(rate);
    },
    get throttles() {
      return throttles;
    },
    ceilingPerMinute: ceiling,
    acquire(signal) {
      const next = queue.then(() => grant(false, signal));
      // A waiter that aborts must not block the ones behind it.
      queue = next.catch(() => {});
      return next;
    },
    hold(signal) {
      const next = queue.then(() => grant(true, signal));
      queue = next.catch(() => {});
      return next;
    },
    release() {
      if (inFlight === 0) return;
      inFlight--;
      log.push(clock.now());
      const wake = onRelease;
      onRelease = null;
      wake?.();
    },
    succeeded() {
      const now = clock.now();
      if (now < pauseUntil) return;
      rate = Math.min(ceiling, rate + (increase * Math.max(0, now - grownAt)) / MINUTE);
      grownAt = now;
    },
    throttled(retryAfterMs) {
      throttles++;
      const now = clock.now();
      // Requests in flight when the quota ran out, and the rest of its minute, meet AF429 too: one decrease for them.
      if (now - decreasedAt >= MINUTE) {
        rate = Math.max(floor, rate / 2);
        decreasedAt = now;
      }
      const wait = Math.max(retryAfterMs ?? 0, Math.round(pauseMs * (1 + rng.next() * 0.5)));
      pauseUntil = Math.max(pauseUntil, now + wait);
      grownAt = pauseUntil;
    },
    inLastMinute() {
      const now = clock.now();
      prune(now);
      return inFlight + log.length - head;
    },
  };
}
