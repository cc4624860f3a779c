// Time inputs of the operations: an ISO time, or a duration before now (24h, 7d).

import { AppError, parseDuration, parseUtc, safeLine } from '../core/index.js';

/** A time option: an ISO time, or a duration before `now`; `flag` names it in the error. */
export function timeOption(text: string | undefined, fallback: number, now: number, flag: string): number {
  if (text === undefined) return fallback;
  const t = text.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)/.test(t) && !/^\d{4}-/.test(t)) {
    try {
      return now - parseDuration(t);
    } catch {
      // fall through to the error below
    }
  }
  const ms = parseUtc(t);
  if (!Number.isFinite(ms)) throw new AppError('usage', `${flag} "${safeLine(t, 40)}" is neither a time (2026-03-01T00:00:00Z) nor a duration (24h, 7d).`);
  return ms;
}
