// Faults on demand for the API routes: a rate of HTTP 500, 503 and AF50000 answers, slow responses,
// connection resets (the socket destroyed before any answer) and truncated bodies (a Content-Length larger
// than what is sent, then the connection closed). Draws come from a PRNG seeded with the emulator's seed,
// so the same request sequence meets the same faults.

import type { ServerResponse } from 'node:http';
import { AppError, Rng } from '../../core/index.js';

export interface FaultOptions {
  /** Each a probability in [0, 1] per API request. */
  rate500?: number;
  rate503?: number;
  rateAf50000?: number;
  resetRate?: number;
  truncateRate?: number;
  slowRate?: number;
  /** Delay of a slow response, ms (default 2000). */
  slowMs?: number;
}

export type FaultKind = '500' | '503' | 'AF50000' | 'reset' | 'truncate';

export interface FaultDecision {
  kind: FaultKind | null;
  delayMs: number;
}

const RATE_KEYS = ['rate500', 'rate503', 'rateAf50000', 'resetRate', 'truncateRate', 'slowRate'] as const;

export function validateFaults(input: unknown): FaultOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AppError('bad_faults', 'Faults must be a JSON object such as {"rate500":0.1,"slowMs":500}.');
  }
  const out: FaultOptions = {};
  for (const [key, value] of Object.entries(input)) {
    if ((RATE_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw new AppError('bad_faults', `The fault rate ${key} must be a number from 0 to 1.`);
      }
      out[key as (typeof RATE_KEYS)[number]] = value;
    } else if (key === 'slowMs') {
      if (typeof value !== 'number' || !(value >= 0 && value <= 600_000)) {
        throw new AppError('bad_faults', 'slowMs must be a number of milliseconds from 0 to 600000.');
      }
      out.slowMs = value;
    } else {
      throw new AppError('bad_faults', `Unknown fault "${key.slice(0, 40)}"; use ${[...RATE_KEYS, 'slowMs'].join(', ')}.`);
    }
  }
  return out;
}

export class Faults {
  private options: FaultOptions;
  private readonly rng: Rng;

  constructor(options: FaultOptions = {}, seed: string | number = 0) {
    this.options = validateFaults(options);
    this.rng = new Rng('faults', seed);
  }

  get current(): Required<FaultOptions> {
    const o = this.options;
    return {
      rate500: o.rate500 ?? 0,
      rate503: o.rate503 ?? 0,
      rateAf50000: o.rateAf50000 ?? 0,
      resetRate: o.resetRate ?? 0,
      truncateRate: o.truncateRate ?? 0,
      slowRate: o.slowRate ?? 0,
      slowMs: o.slowMs ?? 2000,
    };
  }

  /** Merges new settings over the current ones. */
  update(options: FaultOptions): void {
    this.options = { ...this.options, ...validateFaults(options) };
  }

  /** One draw per request; a request meets at most one failure kind, and may also be slow. */
  decide(): FaultDecision {
    const c = this.current;
    const total = c.rate500 + c.rate503 + c.rateAf50000 + c.resetRate + c.truncateRate;
    let kind: FaultKind | null = null;
    if (total > 0) {
      let r = this.rng.next();
      for (const [k, rate] of [
        ['500', c.rate500],
        ['503', c.rate503],
        ['AF50000', c.rateAf50000],
        ['reset', c.resetRate],
        ['truncate', c.truncateRate],
      ] as const) {
        if (r < rate) {
          kind = k;
          break;
        }
        r -= rate;
      }
    }
    const delayMs = c.slowRate > 0 && this.rng.next() < c.slowRate ? c.slowMs : 0;
    return { kind, delayMs };
  }
}

/** Sends the first half of a body under a Content-Length for all of it, then closes the connection. */
export function sendTruncated(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(text, 'utf8');
  const body = bytes.length >= 2 ? bytes : Buffer.from('[{"Id":"truncated"}]');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, ...headers });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
    res.socket?.destroy();
  });
}
