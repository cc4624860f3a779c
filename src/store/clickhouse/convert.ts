// Values across the ClickHouse boundary. In: an EventRow as one line of TabSeparated text, the input
// format ClickHouse parses fastest; the record's JSON text goes into `raw` with only backslash, tab and
// newline escaped (JSONEachRow escaped every quote of it again, and named every column on every row:
// measured, TabSeparated halves the JavaScript per row and shrinks the request by a third; see the
// README, Performance). Out: a result in the JSON format (column types in its meta) as plain JS values:
// 64-bit integers (quoted by the server) → number when safe else string, DateTime/DateTime64 →
// ISO-8601 UTC, Date → YYYY-MM-DD, arrays and tuples → JSON text, Nullable unwrapped.

import { AppError } from '../../core/index.js';
import type { EventRow } from '../../records/index.js';
import { EVENT_COLUMNS, type EventColumn, type EventSourceFields } from '../events-columns.js';
import type { Row } from '../types.js';
import { EXTRA_COLUMNS, type ServerFeatures } from './schema.js';

type Scalar = string | number | boolean | null;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A DateTime64(3) text value ("2026-01-05 12:00:00.123") from epoch ms. */
function dateTime64Text(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** DateTime's range (seconds since 1970 as UInt32): a time outside it would be stored wrapped. */
const MAX_SECONDS = 4_294_967_295;

/** The columns of an events_rows insert, in the order eventLine writes them. */
export const INSERT_COLUMNS: readonly string[] = [...EVENT_COLUMNS.map((c) => c.name), ...EXTRA_COLUMNS];

/**
 * A string as a TabSeparated field: the escapes ClickHouse reads back (the rest of the text goes as it
 * is). indexOf per character rather than one regular expression: measured, it scans a record's JSON
 * text several times faster, and most texts need no escape at all (JSON has no raw tab or newline
 * inside a string; only backslashes are common).
 */
export function tsvText(s: string): string {
  let out = s;
  if (out.indexOf('\\') !== -1) out = out.replaceAll('\\', '\\\\');
  if (out.indexOf('\t') !== -1) out = out.replaceAll('\t', '\\t');
  if (out.indexOf('\n') !== -1) out = out.replaceAll('\n', '\\n');
  if (out.indexOf('\r') !== -1) out = out.replaceAll('\r', '\\r');
  return out;
}

const NULL = '\\N';

type Field = (row: EventRow, source: EventSourceFields) => string;

/** A timestamp column's value in ms; throws when ClickHouse cannot store it (outside 1970 to 2106) rather than store it wrong. */
function storableMs(c: EventColumn, row: EventRow, source: EventSourceFields): number {
  const v = c.get(row, source);
  const ms = typeof v === 'number' ? v : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms / 1000 > MAX_SECONDS) {
    throw new AppError('store_row', `The record ${row.id.slice(0, 80)} has ${c.name} ${String(v).slice(0, 40)}, which ClickHouse cannot store (1970 to 2106); nothing of this batch was stored.`);
  }
  return ms;
}

const TIMESTAMPS = EVENT_COLUMNS.filter((c) => c.type === 'timestamp');

/** Throws as eventLine would for this row (a time ClickHouse cannot store), without writing the line. */
export function assertStorable(row: EventRow, source: EventSourceFields): void {
  for (const c of TIMESTAMPS) storableMs(c, row, source);
}

/** How one column's value becomes its TabSeparated field (the checks of eventLine, decided once per column). */
function fieldOf(c: EventColumn, f: ServerFeatures): Field {
  const get = c.get;
  if (c.type === 'timestamp') {
    const ms64 = f.dateTime64;
    return (row, source) => {
      const ms = storableMs(c, row, source);
      return ms64 ? dateTime64Text(ms) : String(Math.floor(ms / 1000));
    };
  }
  // The normaliser leaves no non-nullable column null; the column's default if one is.
  const absent = c.nullable ? NULL : c.type === 'text' || c.type === 'json' ? '' : '0';
  if (c.type === 'text' || c.type === 'json') {
    return (row, source) => {
      const v = get(row, source);
      return v === null || v === undefined ? absent : tsvText(typeof v === 'string' ? v : String(v));
    };
  }
  if (c.type === 'double') {
    return (row, source) => {
      const v = get(row, source);
      return v === null || v === undefined ? absent : typeof v === 'number' && Number.isFinite(v) ? String(v) : NULL;
    };
  }
  // int, bigint. Hostile data must not fail a batch: a value that is not a safe integer is stored as NULL (raw keeps it).
  return (row, source) => {
    const v = get(row, source);
    return v === null || v === undefined ? absent : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : c.nullable ? NULL : '0';
  };
}

const FIELDS = new Map<boolean, Field[]>();

/**
 * One row of events_rows as a line of TabSeparated text (INSERT_COLUMNS, newline-terminated). Throws
 * when ClickHouse cannot store the row (a time outside 1970 to 2106) rather than store it wrong.
 */
export function eventLine(row: EventRow, source: EventSourceFields, f: ServerFeatures): string {
  let fields = FIELDS.get(f.dateTime64);
  if (!fields) FIELDS.set(f.dateTime64, (fields = EVENT_COLUMNS.map((c) => fieldOf(c, f))));
  let line = '';
  for (const field of fields) line += `${field(row, source)}\t`;
  // ingested_ms, the last of INSERT_COLUMNS.
  return `${line}${Math.trunc(source.ingestedAt)}\n`;
}

const INTEGER = /^U?Int(8|16|32|64|128|256)$/;

function isoFromClickHouse(text: string): string {
  // "2026-01-05 12:00:00" or "2026-01-05 12:00:00.123", in the column's zone, which the schema makes UTC.
  const d = new Date(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

function unwrap(type: string): string {
  let t = type;
  for (;;) {
    const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) return t;
    t = m[1]!;
  }
}

/** One value of a JSON-format result column as a plain JS scalar. */
export function fromClickHouse(value: unknown, type: string): Scalar {
  if (value === null || value === undefined) return null;
  const t = unwrap(type);
  if (INTEGER.test(t)) {
    if (typeof value === 'number') return value;
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : String(value);
  }
  if (t.startsWith('Float') || t.startsWith('Decimal')) return typeof value === 'number' ? value : Number(value);
  if (t.startsWith('DateTime')) return isoFromClickHouse(String(value));
  if (t === 'Bool') return Boolean(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return typeof value === 'boolean' || typeof value === 'number' ? value : String(value);
}

export interface JsonResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

export function rowsOf(result: JsonResult): Row[] {
  const meta = result.meta;
  return result.data.map((d) => {
    const row: Row = {};
    for (const m of meta) row[m.name] = fromClickHouse(d[m.name], m.type);
    return row;
  });
}
