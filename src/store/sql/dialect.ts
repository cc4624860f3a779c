// A Dialect is what differs between SQL engines: quoting, placeholders and the spelling of functions.
// It renders text only; executing is a driver's job (store/duckdb, store/clickhouse).

import type { RenderContext, SqlValue } from './template.js';

export interface Dialect {
  readonly name: 'duckdb' | 'clickhouse';
  quoteIdent(name: string): string;
  /** The placeholder for the n-th (1-based) parameter. */
  placeholder(index: number, value: SqlValue): string;
  /** The string value at a top-level key of a JSON object column (NULL when absent). */
  jsonString(columnSql: string, key: string, ctx: RenderContext): string;
  /** The string value at a JSON path (array of keys) inside a JSON text column. */
  jsonPath(columnSql: string, path: readonly string[], ctx: RenderContext): string;
  /** Case-sensitive regular-expression match of a string expression against a pattern. */
  regexMatch(exprSql: string, patternSql: string): string;
  /** Lower-casing for case-insensitive comparisons. */
  lower(exprSql: string): string;
  /** A timestamp value from epoch milliseconds. */
  timestampFromMs(msSql: string): string;
  /** Epoch milliseconds from a timestamp column. */
  msFromTimestamp(exprSql: string): string;
}

function quoteDouble(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  quoteIdent: quoteDouble,
  placeholder: (index) => `$${index}`,
  jsonString: (col, key, ctx) => `json_extract_string(${col}, ${ctx.param(`$.${jsonKey(key)}`)})`,
  jsonPath: (col, path, ctx) => `json_extract_string(${col}, ${ctx.param(`$${path.map((k) => `.${jsonKey(k)}`).join('')}`)})`,
  regexMatch: (expr, pattern) => `regexp_matches(${expr}, ${pattern})`,
  lower: (expr) => `lower(${expr})`,
  timestampFromMs: (ms) => `make_timestamp(CAST(${ms} AS BIGINT) * 1000)`,
  msFromTimestamp: (expr) => `epoch_ms(${expr})`,
};

/** JSONPath member names are quoted so keys with dots, spaces or quotes address the right member. */
function jsonKey(key: string): string {
  return `"${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function clickhouseType(value: SqlValue): string {
  if (value === null) return 'Nullable(String)';
  if (typeof value === 'boolean') return 'UInt8';
  if (typeof value === 'bigint') return 'Int64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int64' : 'Float64';
  if (value instanceof Date) return 'DateTime64(3)';
  if (Array.isArray(value)) return value.every((v) => typeof v === 'number') && value.length > 0 ? 'Array(Int64)' : 'Array(String)';
  return 'String';
}

export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  quoteIdent: (name) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  placeholder: (index, value) => `{p${index}:${clickhouseType(value)}}`,
  // visitParamExtractString exists on every ClickHouse release (18.16 has no JSONExtract*).
  jsonString: (col, key, ctx) => `visitParamExtractString(${col}, ${ctx.param(key)})`,
  jsonPath: (col, path, ctx) => {
    let expr = col;
    for (const key of path.slice(0, -1)) expr = `visitParamExtractRaw(${expr}, ${ctx.param(key)})`;
    return `visitParamExtractString(${expr}, ${ctx.param(path[path.length - 1] ?? '')})`;
  },
  regexMatch: (expr, pattern) => `match(${expr}, ${pattern})`,
  lower: (expr) => `lowerUTF8(${expr})`,
  timestampFromMs: (ms) => `toDateTime64(${ms} / 1000, 3, 'UTC')`,
  msFromTimestamp: (expr) => `toUnixTimestamp64Milli(${expr})`,
};
