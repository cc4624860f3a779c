// How long after an event its record becomes available in a blob (management-api.md §1.6): like
// production (most 60–90 minutes, a tail up to 12 hours), a fixed delay (0 = at once, for demos), or a
// uniform range. Also the delay of a duplicate copy after the original's availability.

import { AppError, type Rng } from '../../core/index.js';

export type LatencyOptions =
  | { kind: 'production' }
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number };

const MIN = 60_000;
const HOUR = 3_600_000;
/** The longest production delay (the documented 12-hour tail). */
export const PRODUCTION_MAX_MS = 12 * HOUR;

export function validateLatency(l: LatencyOptions): LatencyOptions {
  const ok = (v: number) => Number.isFinite(v) && v >= 0 && v <= 7 * 24 * HOUR;
  if (l.kind === 'fixed' && !ok(l.ms)) {
    throw new AppError('bad_latency', 'Latency must be between 0 and 7 days; give e.g. --latency 0s or --latency 90m.');
  }
  if (l.kind === 'uniform' && (!ok(l.minMs) || !ok(l.maxMs) || l.minMs > l.maxMs)) {
    throw new AppError('bad_latency', 'A latency range needs 0 <= min <= max <= 7 days.');
  }
  return l;
}

/** Upper bound of `drawLatency` for these options. */
export function maxLatency(l: LatencyOptions): number {
  if (l.kind === 'fixed') return l.ms;
  if (l.kind === 'uniform') return l.maxMs;
  return PRODUCTION_MAX_MS;
}

/** One delay draw, whole seconds (the availability of an event is event time + this). */
export function drawLatency(l: LatencyOptions, rng: Rng): number {
  if (l.kind === 'fixed') return l.ms;
  if (l.kind === 'uniform') return l.minMs + Math.floor(rng.next() * (l.maxMs - l.minMs + 1));
  const u = rng.next();
  const v = rng.next();
  let ms: number;
  if (u < 0.85) ms = 60 * MIN + v * 30 * MIN;
  else if (u < 0.97) ms = 90 * MIN + v * (150 * MIN);
  else ms = 4 * HOUR + v * 8 * HOUR;
  return Math.min(PRODUCTION_MAX_MS, Math.floor(ms / 1000) * 1000);
}

/** How much later a duplicate copy of a record appears after its original (production: 10 min – 6 h). */
export function duplicateDelay(l: LatencyOptions, rng: Rng): number {
  const scale = l.kind === 'production' ? 1 : Math.max(maxLatency(l), 60_000) / HOUR;
  const ms = (10 * MIN + rng.next() * (350 * MIN)) * Math.min(1, scale);
  return Math.max(1000, Math.floor(ms / 1000) * 1000);
}

export function maxDuplicateDelay(l: LatencyOptions): number {
  const scale = l.kind === 'production' ? 1 : Math.max(maxLatency(l), 60_000) / HOUR;
  return Math.ceil(360 * MIN * Math.min(1, scale));
}
