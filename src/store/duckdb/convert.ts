// Values across the DuckDB boundary: SqlValue parameters in, plain JS values out. No DuckDB type leaves
// this file: BIGINT → number when safe else string, timestamps → ISO-8601 UTC, DECIMAL → number,
// nested values (lists, structs, maps) → JSON text.

import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  HUGEINT,
  LIST,
  SQLNULL,
  TIMESTAMP,
  VARCHAR,
  listValue,
  timestampValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { SqlValue } from '../sql/index.js';
import type { Row } from '../types.js';

export type Scalar = string | number | boolean | null;

const MIN_BIGINT = -(2n ** 63n);
const MAX_BIGINT = 2n ** 63n - 1n;

/** A parameter with the DuckDB type it binds as (explicit, so an empty list or a null still binds). */
export function toDuckParam(value: SqlValue): { value: DuckDBValue; type: DuckDBType } {
  if (value === null) return { value: null, type: SQLNULL };
  if (typeof value === 'string') return { value, type: VARCHAR };
  if (typeof value === 'boolean') return { value, type: BOOLEAN };
  if (typeof value === 'bigint') return { value, type: value >= MIN_BIGINT && value <= MAX_BIGINT ? BIGINT : HUGEINT };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { value: BigInt(value), type: BIGINT } : { value, type: DOUBLE };
  }
  if (value instanceof Date) return { value: timestampValue(BigInt(value.getTime()) * 1000n), type: TIMESTAMP };
  if (value.length > 0 && typeof value[0] === 'number') {
    const nums = value as number[];
    if (nums.every((n) => Number.isSafeInteger(n))) return { value: listValue(nums.map((n) => BigInt(n))), type: LIST(BIGINT) };
    return { value: listValue(nums), type: LIST(DOUBLE) };
  }
  return { value: listValue((value as string[]).map((s) => String(s))), type: LIST(VARCHAR) };
}

/** Epoch milliseconds → a TIMESTAMP value (for the appender). */
export function timestampFromMs(ms: number): DuckDBTimestampValue {
  return timestampValue(BigInt(Math.trunc(ms)) * 1000n);
}

function isoFromMicros(micros: bigint, fallback: () => string): string {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? fallback() : d.toISOString();
}

function bigToPlain(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** One value of a result column as a plain JS scalar. */
export function fromDuck(value: DuckDBValue, type: DuckDBType): Scalar {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return Boolean(value);
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return typeof value === 'number' ? value : Number(value);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return typeof value === 'bigint' ? bigToPlain(value) : typeof value === 'number' ? value : String(value);
    case DuckDBTypeId.DECIMAL:
      return value instanceof DuckDBDecimalValue ? value.toDouble() : Number(value);
    case DuckDBTypeId.TIMESTAMP:
      return value instanceof DuckDBTimestampValue ? isoFromMicros(value.micros, () => value.toString()) : String(value);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return value instanceof DuckDBTimestampTZValue ? isoFromMicros(value.micros, () => value.toString()) : String(value);
    case DuckDBTypeId.TIMESTAMP_S:
      return value instanceof DuckDBTimestampSecondsValue ? isoFromMicros(value.seconds * 1_000_000n, () => value.toString()) : String(value);
    case DuckDBTypeId.TIMESTAMP_MS:
      return value instanceof DuckDBTimestampMillisecondsValue ? isoFromMicros(value.millis * 1000n, () => value.toString()) : String(value);
    case DuckDBTypeId.TIMESTAMP_NS:
      return value instanceof DuckDBTimestampNanosecondsValue ? isoFromMicros(value.nanos / 1000n, () => value.toString()) : String(value);
    case DuckDBTypeId.DATE:
      return value instanceof DuckDBDateValue ? value.toString() : String(value);
    case DuckDBTypeId.BLOB:
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes).toString('base64') : String(value);
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
    case DuckDBTypeId.VARIANT:
      return JSON.stringify(toJson(value));
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A nested value as JSON-ready data, scalars converted as `fromDuck` does. */
function toJson(value: DuckDBValue): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return bigToPlain(value);
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(toJson);
  if (value instanceof DuckDBStructValue) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value.entries)) out[k] = toJson(v);
    return out;
  }
  if (value instanceof DuckDBMapValue) return value.entries.map((e) => ({ key: toJson(e.key), value: toJson(e.value) }));
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return isoFromMicros(value.micros, () => value.toString());
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  return String(value);
}

/** Rows of a result as plain objects (duplicate column names get a numeric suffix, as DuckDB does). */
export function rowsFrom(names: string[], types: DuckDBType[], columns: DuckDBValue[][]): Row[] {
  const count = columns[0]?.length ?? 0;
  const rows: Row[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = fromDuck(columns[c]![r]!, types[c]!);
    rows[r] = row;
  }
  return rows;
}
