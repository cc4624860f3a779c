// Report periods: named periods relative to a point in time (last calendar month, last 7 days, ...),
// all in UTC, and parsing of the names used on the command line and in schedules.

import { AppError, DAY } from '../core/index.js';
import type { Period, PeriodName } from './types.js';

export const PERIOD_NAMES: readonly PeriodName[] = ['last-month', 'this-month', 'last-week', 'last-7d', 'last-day', 'last-24h', 'last-30d'];

export function isPeriodName(value: string): value is PeriodName {
  return (PERIOD_NAMES as readonly string[]).includes(value);
}

const startOfDay = (t: number) => Math.floor(t / DAY) * DAY;

/** The period `name` as seen at `now` (epoch ms, UTC). */
export function periodAt(name: PeriodName, now: number): Period {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (name) {
    case 'last-month':
      return { from: Date.UTC(y, m - 1, 1), to: Date.UTC(y, m, 1) };
    case 'this-month':
      return { from: Date.UTC(y, m, 1), to: now };
    case 'last-week': {
      // The last full ISO week, Monday 00:00 to Monday 00:00.
      const today = startOfDay(now);
      const weekday = (new Date(today).getUTCDay() + 6) % 7;
      const monday = today - weekday * DAY;
      return { from: monday - 7 * DAY, to: monday };
    }
    case 'last-day': {
      const today = startOfDay(now);
      return { from: today - DAY, to: today };
    }
    case 'last-7d':
      return { from: now - 7 * DAY, to: now };
    case 'last-24h':
      return { from: now - DAY, to: now };
    case 'last-30d':
      return { from: now - 30 * DAY, to: now };
  }
}

export function parsePeriodName(value: string, where: string): PeriodName {
  if (!isPeriodName(value)) {
    throw new AppError('usage', `${where} "${value.slice(0, 40)}" is not a period; use one of ${PERIOD_NAMES.join(', ')}.`);
  }
  return value;
}

/** "2026-02-01 00:00 – 2026-03-01 00:00 UTC" */
export function describePeriod(p: Period): string {
  const f = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return `${f(p.from)} – ${f(p.to)} UTC`;
}
