// Values across the ClickHouse boundary. In: an EventRow as one JSONEachRow object, which ClickHouse
// parses itself (no value-by-value row building in JavaScript; V8's JSON.stringify writes the text).
// Out: a result in the JSON format (column types in its meta) as plain JS values: 64-bit integers
// (quoted by the server) → number when safe else string, DateTime/DateTime64 → ISO-8601 UTC, Date →
// YYYY-MM-DD, arrays and tuples → JSON text, Nullable unwrapped.

import { AppError } from '../../core/index.js';
import type { EventRow } from '../../records/index.js';
import { EVENT_COLUMNS, type EventSourceFields } from '../events-columns.js';
import type { Row } from '../types.js';
import type { ServerFeatures } from './schema.js';

type Scalar = string | number | boolean | null;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A DateTime64(3) text value ("2026-01-05 12:00:00.123") from epoch ms. */
function dateTime64Text(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** DateTime's range (seconds since 1970 as UInt32): a time outside it would be stored wrapped. */
const MAX_SECONDS = 4_294_967_295;

/** The object ClickHouse reads as one row of events_rows (JSONEachRow), columns as EVENT_COLUMNS says. */
export function eventObject(row: EventRow, source: EventSourceFields, f: ServerFeatures): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const c of EVENT_COLUMNS) {
    const v = c.get(row, source);
    if (v === null || v === undefined) {
      out[c.name] = null;
      continue;
    }
    switch (c.type) {
      case 'text':
      case 'json':
        out[c.name] = typeof v === 'string' ? v : String(v);
        break;
      case 'int':
      case 'bigint':
        // Hostile data must not fail a batch: a value that is not a safe integer is stored as NULL (raw keeps it).
        out[c.name] = typeof v === 'number' && Number.isSafeInteger(v) ? v : c.nullable ? null : 0;
        break;
      case 'double':
        out[c.name] = typeof v === 'number' && Number.isFinite(v) ? v : null;
        break;
      case 'timestamp': {
        const ms = typeof v === 'number' ? v : Number(v);
        if (!Number.isFinite(ms) || ms < 0 || ms / 1000 > MAX_SECONDS) {
          throw new AppError('store_row', `The record ${row.id.slice(0, 80)} has ${c.name} ${String(v).slice(0, 40)}, which ClickHouse cannot store (1970 to 2106); nothing of this batch was stored.`);
        }
        out[c.name] = f.dateTime64 ? dateTime64Text(ms) : Math.floor(ms / 1000);
        break;
      }
    }
  }
  out['ingested_ms'] = Math.trunc(source.ingestedAt);
  return out;
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
