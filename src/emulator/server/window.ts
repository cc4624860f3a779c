// The time-window rules of /subscriptions/content and /subscriptions/notifications, and the opaque
// `nextPage` token of NextPageUri paging. Rules (management-api.md §1.5): both times or neither (neither =
// the last 24 h); end after start; at most 24 h apart; start no more than 7 days back, accepted up to
// 7 d + 1 h as production does; future end times accepted. Formats: YYYY-MM-DD, YYYY-MM-DDTHH:MM,
// YYYY-MM-DDTHH:MM:SS, with optional fractional seconds and a trailing Z or ±HH:MM offset.

import { apiError, type ApiError } from './http.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

export const WINDOW_MESSAGE =
  'Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past.';

export interface Window {
  start: number;
  end: number;
}

/** Parses one API time as UTC; NaN when it is not in an accepted format. */
export function parseApiTime(text: string): number {
  const m = TIME_RE.exec(text.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zone.toUpperCase()}`);
  // Date.parse rolls 2026-02-30 over; refuse dates that do not exist.
  if (Number.isNaN(ms)) return ms;
  const check = new Date(ms + (zone.toUpperCase() === 'Z' ? 0 : offsetMs(zone)));
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() + 1 !== Number(mo)) return Number.NaN;
  return ms;
}

function offsetMs(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hh, mm] = zone.slice(1).split(':').map(Number);
  return sign * ((hh ?? 0) * HOUR + (mm ?? 0) * 60_000);
}

export function parseWindow(startText: string | undefined, endText: string | undefined, now: number): Window | ApiError {
  const bad = apiError(400, 'AF20055', WINDOW_MESSAGE);
  if (startText === undefined && endText === undefined) return { start: now - DAY, end: now };
  if (startText === undefined || endText === undefined) return bad;
  const start = parseApiTime(startText);
  const end = parseApiTime(endText);
  if (Number.isNaN(start) || Number.isNaN(end)) return bad;
  if (end <= start) return bad;
  if (end - start > DAY) return bad;
  if (start < now - 7 * DAY - HOUR) return bad;
  return { start, end };
}

// ---- nextPage ----

/** Position of the first blob of the next page: (contentCreated, contentId), as an opaque string. */
export function encodeNextPage(contentCreated: number, contentId: string): string {
  return `${String(contentCreated).padStart(15, '0')}${Buffer.from(contentId, 'utf8').toString('base64url')}`;
}

export function decodeNextPage(token: string): { contentCreated: number; contentId: string } | null {
  const m = /^(\d{15})([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return null;
  const contentId = Buffer.from(m[2]!, 'base64url').toString('utf8');
  if (Buffer.from(contentId, 'utf8').toString('base64url') !== m[2]) return null;
  return { contentCreated: Number(m[1]), contentId };
}

/**
 * Index of the item at (contentCreated, contentId) in a list sorted by contentCreated. Blobs sharing a
 * contentCreated are matched by id, so the order the source gives ids in does not matter; when the id is
 * gone, paging restarts at the first blob of that instant (a repeat is better than a loss).
 */
export function findPosition<T extends { contentCreated: number; contentId: string }>(
  items: T[],
  key: { contentCreated: number; contentId: string },
): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.contentCreated < key.contentCreated) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < items.length && items[i]!.contentCreated === key.contentCreated; i++) {
    if (items[i]!.contentId === key.contentId) return i;
  }
  return lo;
}
