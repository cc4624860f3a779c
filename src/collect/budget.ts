// A per-tenant request budget: at most `perMinute` requests in any rolling 60 seconds of the injected
// clock (a sliding log, stricter than a token bucket, whose burst could exceed the quota in a minute).
// Waiters are served in order.

import type { Clock } from '../core/index.js';

export interface RequestBudget {
  /** Resolves when one more request fits in the budget. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Requests granted in the last rolling minute. */
  inLastMinute(): number;
  readonly perMinute: number;
}

const MINUTE = 60_000;

export function createRequestBudget(perMinute: number, clock: Clock): RequestBudget {
  const n = Math.max(1, Math.floor(perMinute));
  const log = new Float64Array(n); // grant times, a ring: log[head] is the oldest of the last n grants
  let count = 0;
  let head = 0;
  let queue: Promise<void> = Promise.resolve();

  const grant = async (signal?: AbortSignal): Promise<void> => {
    for (;;) {
      const now = clock.now();
      if (count < n) {
        log[(head + count) % n] = now;
        count++;
        return;
      }
      const oldest = log[head]!;
      if (now - oldest >= MINUTE) {
        log[head] = now;
        head = (head + 1) % n;
        return;
      }
      await clock.sleep(oldest + MINUTE - now, signal);
    }
  };

  return {
    perMinute: n,
    acquire(signal) {
      const next = queue.then(() => grant(signal));
      // A waiter that aborts must not block the ones behind it.
      queue = next.catch(() => {});
      return next;
    },
    inLastMinute() {
      const now = clock.now();
      let k = 0;
      for (let i = 0; i < count; i++) if (now - log[(head + i) % n]! < MINUTE) k++;
      return k;
    },
  };
}
