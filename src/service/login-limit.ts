// Login rate limiting: failed sign-ins counted per (user name, client address) and per client address in
// a sliding window; over either limit the next attempt is refused before any password is checked, with
// how long to wait. Held in memory: a restart forgets failures, which only resets the wait (the limit is
// there to make guessing slow, not to lock accounts). Buckets are bounded so a flood of names cannot
// grow memory without end.

import type { Clock } from '../core/index.js';

export interface LoginLimits {
  maxFailures: number;
  maxFailuresPerIp: number;
  /** ms */
  window: number;
}

/** The most buckets kept; the oldest are dropped beyond it. */
const MAX_BUCKETS = 50_000;

export interface LoginLimiter {
  /** 0 when the attempt may go ahead, else the seconds to wait. */
  retryAfter(user: string, ip: string): number;
  failed(user: string, ip: string): void;
  /** A success clears the (user, address) bucket; the address's count stays. */
  succeeded(user: string, ip: string): void;
}

export function loginLimiter(limits: LoginLimits, clock: Clock): LoginLimiter {
  const buckets = new Map<string, number[]>();
  const userKey = (user: string, ip: string) => `u\u0000${user}\u0000${ip}`;
  const ipKey = (ip: string) => `i\u0000${ip}`;
  const live = (key: string): number[] => {
    const since = clock.now() - limits.window;
    const times = (buckets.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) buckets.delete(key);
    else buckets.set(key, times);
    return times;
  };
  const wait = (times: number[], max: number): number => {
    if (times.length < max) return 0;
    // The attempt may go ahead once enough failures have left the window.
    const freeAt = times[times.length - max]! + limits.window;
    return Math.max(1, Math.ceil((freeAt - clock.now()) / 1000));
  };
  return {
    retryAfter(user, ip) {
      return Math.max(wait(live(userKey(user, ip)), limits.maxFailures), wait(live(ipKey(ip)), limits.maxFailuresPerIp));
    },
    failed(user, ip) {
      for (const key of [userKey(user, ip), ipKey(ip)]) {
        const times = live(key);
        times.push(clock.now());
        buckets.delete(key); // re-insert: Map order is then least recently failed first
        buckets.set(key, times.slice(-Math.max(limits.maxFailures, limits.maxFailuresPerIp)));
      }
      while (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
    },
    succeeded(user, ip) {
      buckets.delete(userKey(user, ip));
    },
  };
}
