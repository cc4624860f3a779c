// The detection backends: what a Sigma construct looks like in each SQL engine, as a table of small
// templates (pySigma's "tokens and templates"). The compiler is shared; only this table differs.
// DuckDB is the embedded default; ClickHouse (window functions need ClickHouse 21.3 or newer) the
// scale-out target.

import { clickhouseDialect, dialectFragment, duckdbDialect, ident, raw, sql, type Dialect, type Sql } from '../../store/index.js';

export interface DetectDialect {
  readonly base: Dialect;
  /** Lower-case a text expression. */
  lower(e: Sql): Sql;
  /** Any value as text (numbers, timestamps). */
  text(e: Sql): Sql;
  /** A number from text, NULL when it is not one. */
  number(e: Sql): Sql;
  /** LIKE with backslash as the escape character. */
  like(e: Sql, pattern: Sql): Sql;
  contains(e: Sql, needle: Sql): Sql;
  startsWith(e: Sql, prefix: Sql): Sql;
  endsWith(e: Sql, suffix: Sql): Sql;
  /** RE2 match (both engines use RE2; flags go inline as (?ims)). */
  regex(e: Sql, pattern: Sql): Sql;
  /** An IPv4 address in text form as an integer; NULL when it is not IPv4. */
  ipv4Number(e: Sql): Sql;
  /**
   * An IPv6 address in text form (any spelling: compressed, upper case, leading zeros) as its 32
   * lower-case hex digits; NULL when it is not IPv6. Embedded dotted IPv4 (::ffff:1.2.3.4) is not
   * IPv6 here: the normaliser already turns mapped addresses into IPv4.
   */
  ipv6Hex(e: Sql): Sql;
  /** A string value at a key path of a JSON text column; NULL (never an error) when the text is not valid JSON. */
  json(column: string, path: readonly string[]): Sql;
  /** Epoch milliseconds of a timestamp expression. */
  ms(e: Sql): Sql;
  /** A timestamp from epoch milliseconds (a parameter). */
  timestamp(ms: number): Sql;
  /** COUNT(DISTINCT e) as a window aggregate. */
  countDistinctWindow(e: Sql, over: Sql): Sql;
  /** The first non-null value. */
  coalesce(a: Sql, b: Sql): Sql;
  /** The previous row's value of e in the window (NULL or 0 on the first row; callers compare with a span). */
  lag(e: Sql, over: Sql): Sql;
  /** COUNT(DISTINCT e) as a plain aggregate. */
  countDistinct(e: Sql): Sql;
  /** The whole-span bucket of an epoch-ms expression: floor(e / span). */
  bucket(e: Sql, spanMs: number): Sql;
  /** `name AS (…)` for a CTE read twice: DuckDB computes it once when told to. */
  readonly materialized: string;
  /** Whether every e-mail domain in `list` (text with one or more addresses) equals the domain of the address `of`. */
  sameEmailDomain(list: Sql, of: Sql): Sql;
}

/** The domain part of an e-mail address (RE2; both engines). */
const EMAIL_DOMAIN = '@([a-z0-9][a-z0-9.-]*[a-z0-9])';

const IPV4_PATTERN = '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}';
/** An IPv6 address in hex-and-colons form, at most one "::" (checked separately: RE2 has no lookahead). */
const IPV6_PATTERN = '[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}';

function json(column: string, path: readonly string[]): Sql {
  return dialectFragment((d, ctx) =>
    path.length === 1 ? d.jsonString(d.quoteIdent(column), path[0]!, ctx) : d.jsonPath(d.quoteIdent(column), path, ctx),
  );
}

export const duckdbDetect: DetectDialect = {
  base: duckdbDialect,
  lower: (e) => sql`lower(${e})`,
  text: (e) => sql`CAST(${e} AS VARCHAR)`,
  number: (e) => sql`TRY_CAST(${e} AS DOUBLE)`,
  like: (e, p) => sql`${e} LIKE ${p} ESCAPE '\\'`,
  contains: (e, n) => sql`contains(${e}, ${n})`,
  startsWith: (e, p) => sql`starts_with(${e}, ${p})`,
  endsWith: (e, s) => sql`ends_with(${e}, ${s})`,
  regex: (e, p) => sql`regexp_matches(${e}, ${p})`,
  ipv4Number: (e) =>
    sql`CASE WHEN regexp_full_match(${e}, ${IPV4_PATTERN}) THEN CAST(split_part(${e}, '.', 1) AS BIGINT) * 16777216 + CAST(split_part(${e}, '.', 2) AS BIGINT) * 65536 + CAST(split_part(${e}, '.', 3) AS BIGINT) * 256 + CAST(split_part(${e}, '.', 4) AS BIGINT) END`,
  ipv6Hex: (e) => {
    // The groups before and after "::", the zero groups it stands for, each group padded to 4 digits.
    const groups = (part: Sql) => sql`list_filter(string_split(${part}, ':'), g -> g <> '')`;
    const a = sql`lower(${e})`;
    const expanded = sql`CASE WHEN contains(${a}, '::') THEN list_concat(${groups(sql`split_part(${a}, '::', 1)`)}, list_transform(range(8 - len(${groups(a)})), x -> '0'), ${groups(sql`split_part(${a}, '::', 2)`)}) ELSE string_split(${a}, ':') END`;
    const hex = sql`array_to_string(list_transform(${expanded}, g -> lpad(g, 4, '0')), '')`;
    // Valid: hex groups, one "::" at most (standing for at least one group), no stray leading or trailing ":".
    const valid = sql`regexp_full_match(${a}, ${IPV6_PATTERN}) AND NOT contains(${a}, ':::') AND length(${a}) - length(replace(${a}, '::', '')) <= 2
      AND (starts_with(${a}, '::') OR NOT starts_with(${a}, ':')) AND (ends_with(${a}, '::') OR NOT ends_with(${a}, ':'))
      AND CASE WHEN contains(${a}, '::') THEN len(${groups(a)}) <= 7 ELSE len(string_split(${a}, ':')) = 8 END`;
    return sql`CASE WHEN ${valid} THEN ${hex} END`;
  },
  // TRY: a record whose JSON DuckDB cannot read (a lone surrogate stored before the normaliser made
  // strings well-formed, a truncated value) gives NULL for that record instead of failing the whole query.
  json: (column, path) => sql`TRY(${json(column, path)})`,
  ms: (e) => sql`epoch_ms(${e})`,
  timestamp: (ms) => sql`make_timestamp(CAST(${ms} AS BIGINT) * 1000)`,
  countDistinctWindow: (e, over) => sql`count(DISTINCT ${e}) OVER (${over})`,
  coalesce: (a, b) => sql`coalesce(${a}, ${b})`,
  lag: (e, over) => sql`lag(${e}) OVER (${over})`,
  countDistinct: (e) => sql`count(DISTINCT ${e})`,
  bucket: (e, span) => sql`CAST(floor(${e} / ${raw(String(Math.trunc(span)))}) AS BIGINT)`,
  materialized: 'AS MATERIALIZED',
  sameEmailDomain: (list, of) =>
    sql`len(list_filter(regexp_extract_all(lower(${list}), ${EMAIL_DOMAIN}, 1), x -> x <> coalesce(regexp_extract(lower(${of}), ${EMAIL_DOMAIN}, 1), ''))) = 0`,
};

export const clickhouseDetect: DetectDialect = {
  base: clickhouseDialect,
  lower: (e) => sql`lowerUTF8(${e})`,
  text: (e) => sql`toString(${e})`,
  number: (e) => sql`toFloat64OrNull(toString(${e}))`,
  // ClickHouse's LIKE always treats backslash as the escape character.
  like: (e, p) => sql`like(${e}, ${p})`,
  contains: (e, n) => sql`position(${e}, ${n}) > 0`,
  startsWith: (e, p) => sql`startsWith(${e}, ${p})`,
  endsWith: (e, s) => sql`endsWith(${e}, ${s})`,
  regex: (e, p) => sql`match(${e}, ${p})`,
  ipv4Number: (e) => sql`if(match(${e}, ${`^${IPV4_PATTERN}$`}), toInt64(IPv4StringToNum(${e})), NULL)`,
  // IPv6StringToNum gives 16 zero bytes for text that is not an address: only "::" itself means that.
  ipv6Hex: (e) => sql`if(match(lowerUTF8(${e}), ${`^${IPV6_PATTERN}$`}) AND (IPv6StringToNum(${e}) != IPv6StringToNum('::') OR match(${e}, '^[0:]+$')), lower(hex(IPv6StringToNum(${e}))), NULL)`,
  // ClickHouse's JSON functions give an empty value for text that is not valid JSON; they never throw.
  json,
  ms: (e) => sql`toUnixTimestamp64Milli(${e})`,
  timestamp: (ms) => sql`toDateTime64(${ms} / 1000, 3, 'UTC')`,
  countDistinctWindow: (e, over) => sql`uniqExact(${e}) OVER (${over})`,
  coalesce: (a, b) => sql`ifNull(${a}, ${b})`,
  lag: (e, over) => sql`lagInFrame(${e}) OVER (${over} ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)`,
  countDistinct: (e) => sql`uniqExact(${e})`,
  bucket: (e, span) => sql`intDiv(${e}, ${raw(String(Math.trunc(span)))})`,
  materialized: 'AS',
  sameEmailDomain: (list, of) =>
    sql`arrayAll(x -> x = ifNull(extract(lowerUTF8(${of}), ${EMAIL_DOMAIN}), ''), extractAll(lowerUTF8(${list}), ${EMAIL_DOMAIN}))`,
};

export const DETECT_DIALECTS: Record<Dialect['name'], DetectDialect> = {
  duckdb: duckdbDetect,
  clickhouse: clickhouseDetect,
};

/** A column of the current row. */
export function col(name: string): Sql {
  return ident(name);
}

export { raw };
