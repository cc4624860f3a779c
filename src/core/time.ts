// UTC time helpers. Audit CreationTime has no zone and is UTC; the API wants YYYY-MM-DDTHH:MM:SS.

/** Parses an audit-style timestamp as UTC (appends Z when no zone is given). NaN when it is not a time. */
export function parseUtc(text: string): number {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return Number.NaN;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(t);
  const iso = t.length === 10 ? `${t}T00:00:00Z` : hasZone ? t : `${t}Z`;
  return Date.parse(iso);
}

/** `YYYY-MM-DDTHH:MM:SS` in UTC, the form the Management Activity API documents. */
export function formatApiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
