// Login rate limiting: failed sign-ins counted per (user name, client address), per client address and
// per user name (from any address: a guess spread over many addresses) in a sliding window; over a limit the next attempt is refused before any password is checked, with
// how long to wait. Held in memory: a restart forgets failures, which only resets the wait (the limit is
// there to make guessing slow, not to lock accounts). Buckets are bounded so a flood of names cannot
// grow memory without end.

import type { Clock } from '../core/index.js';

export interface LoginLimits {
  maxFailures: number;
  maxFailuresPerIp: number;
  maxFailuresPerUser: number;
  /** ms */
  window: number;
}

/** The most buckets kept; the oldest are dropped beyond it. */
const MAX_BUCKETS = 50_000;

export interface LoginLimiter {
  /** 0 when the attempt may go ahead, else the seconds to wait. */
  retryAfter(user: string, ip: string): number;
  failed(user: string, ip: string): void;
  /** A success clears the (user, address) bucket; the address's and the name's counts stay. */
  succeeded(user: string, ip: string): void;
}

export function loginLimiter(limits: LoginLimits, clock: Clock): LoginLimiter {
  const buckets = new Map<string, number[]>();
  const userKey = (user: string, ip: string) => `u\u0000${user}\u0000${ip}`;
  const ipKey = (ip: string) => `i\u0000${ip}`;
  const nameKey = (user: string) => `n\u0000${user}`;
  const keep = Math.max(limits.maxFailures, limits.maxFailuresPerIp, limits.maxFailuresPerUser);
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
      return Math.max(wait(live(userKey(user, ip)), limits.maxFailures), wait(live(ipKey(ip)), limits.maxFailuresPerIp), wait(live(nameKey(user)), limits.maxFailuresPerUser));
    },
    failed(user, ip) {
      for (const key of [userKey(user, ip), ipKey(ip), nameKey(user)]) {
        const times = live(key);
        times.push(clock.now());
        buckets.delete(key); // re-insert: Map order is then least recently failed first
        buckets.set(key, times.slice(-keep));
      }
      while (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
    },
    succeeded(user, ip) {
      buckets.delete(userKey(user, ip));
    },
  };
}
