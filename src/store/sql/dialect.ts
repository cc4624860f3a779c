// The SQL dialects, one table per engine: what differs between SQL engines (quoting, parameters
// server-side or inlined, booleans, time functions, regex, case folding, JSON extraction) and what an
// engine can do (capabilities). The rule compiler (detect/compile) and the report definitions consult
// this module only; nothing else branches on an engine's name. It renders text only; executing is a
// driver's job (store/duckdb, store/clickhouse).
//
// Detection and report constructs (pySigma's "tokens and templates"): the compiler is shared; only the
// DetectDialect table differs. DuckDB is the embedded default; ClickHouse the scale-out target.

import { byDialect, dialectFragment, ident, join, raw, sql, type RenderContext, type Sql, type SqlValue } from './template.js';

/** What an engine (at its version) can run; the compiler, reports and drivers pick forms by these. */
export interface Capabilities {
  /** `WITH name AS (subquery)`. */
  readonly ctes: boolean;
  /** Window functions (`… OVER (…)`), which correlations need. */
  readonly windowFunctions: boolean;
  /** Parameters travel beside the text; false: every value is inlined as an escaped literal and the driver sends none. */
  readonly serverParams: boolean;
  /** Nested JSON extraction (JSONExtract*); false: only the flat visitParamExtract* family. */
  readonly jsonExtract: boolean;
  /** Millisecond timestamps (DateTime64 and its functions). */
  readonly dateTime64: boolean;
  /** Bare TRUE / FALSE literals. */
  readonly booleanLiterals: boolean;
}

export interface Dialect {
  readonly name: 'duckdb' | 'clickhouse';
  /** The server release the dialect was chosen for (null: the current release). */
  readonly version: string | null;
  readonly capabilities: Capabilities;
  quoteIdent(name: string): string;
  /** The placeholder for the n-th (1-based) parameter; without server-side parameters, the value as a literal. */
  placeholder(index: number, value: SqlValue): string;
  /** A value as an escaped SQL literal (for engines or versions without server-side parameters). */
  literal(value: SqlValue): string;
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

const ALL: Capabilities = { ctes: true, windowFunctions: true, serverParams: true, jsonExtract: true, dateTime64: true, booleanLiterals: true };

/** Single-quoted text with backslashes and quotes escaped (ClickHouse reads backslash escapes; DuckDB doubles quotes). */
function quoteText(text: string, backslash: boolean): string {
  return backslash ? `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : `'${text.replace(/'/g, "''")}'`;
}

function literalOf(value: SqlValue, backslash: boolean, bools: boolean): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return bools ? (value ? 'TRUE' : 'FALSE') : value ? '1' : '0';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${value} has no SQL literal`);
    return String(value);
  }
  if (value instanceof Date) return quoteText(value.toISOString(), backslash);
  if (Array.isArray(value)) return `[${(value as (string | number)[]).map((v) => literalOf(v, backslash, bools)).join(', ')}]`;
  return quoteText(value, backslash);
}

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  version: null,
  capabilities: ALL,
  quoteIdent: quoteDouble,
  placeholder: (index) => `$${index}`,
  literal: (value) => literalOf(value, false, true),
  jsonString: (col, key, ctx) => `json_extract_string(${col}, ${ctx.param(`$.${jsonKey(key)}`)})`,
  jsonPath: (col, path, ctx) => `json_extract_string(${col}, ${ctx.param(`$${path.map((k) => `.${jsonKey(k)}`).join('')}`)})`,
  regexMatch: (expr, pattern) => `regexp_matches(${expr}, ${pattern})`,
  lower: (expr) => `lower(${expr})`,
  timestampFromMs: (ms) => `make_timestamp(CAST(${ms} AS BIGINT) * 1000)`,
  msFromTimestamp: (expr) => `epoch_ms(${expr})`,
};

/** TRUE and FALSE as the engine spells them (1 and 0 where the server has no boolean literals). */
export const sqlTrue: Sql = dialectFragment((d) => d.literal(true));
export const sqlFalse: Sql = dialectFragment((d) => d.literal(false));

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

/**
 * ClickHouse capabilities by server release, each at the first release we rely on for it (later than
 * its first appearance where it was experimental). 18.16 (Debian's) has none of them.
 */
const CLICKHOUSE_SINCE: Record<keyof Capabilities, [number, number]> = {
  serverParams: [19, 11],
  jsonExtract: [19, 14],
  dateTime64: [20, 1],
  ctes: [20, 10],
  windowFunctions: [21, 12],
  booleanLiterals: [21, 12],
};

/** What a ClickHouse server of `version` ("18.16.1", "23.8.2.7") can run. */
export function clickhouseCapabilities(version: string): Capabilities {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new RangeError(`"${version}" is not a ClickHouse version (major.minor…)`);
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const at = ([a, b]: [number, number]) => major > a || (major === a && minor >= b);
  return Object.fromEntries(Object.entries(CLICKHOUSE_SINCE).map(([k, since]) => [k, at(since)])) as unknown as Capabilities;
}

export const clickhouseDialect: Dialect = {
  name: 'clickhouse',
  version: null,
  capabilities: ALL,
  quoteIdent: (name) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  placeholder: (index, value) => `{p${index}:${clickhouseType(value)}}`,
  literal: (value) => literalOf(value, true, true),
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

/**
 * The ClickHouse dialect for a server release: without server-side parameters values are inlined as
 * literals (booleans as 1/0 without TRUE/FALSE), without DateTime64 times are whole seconds.
 */
export function clickhouseDialectFor(version: string): Dialect {
  const capabilities = clickhouseCapabilities(version);
  const literal = (value: SqlValue) => literalOf(value, true, capabilities.booleanLiterals);
  return {
    ...clickhouseDialect,
    version,
    capabilities,
    literal,
    placeholder: capabilities.serverParams ? clickhouseDialect.placeholder : (_index, value) => literal(value),
    timestampFromMs: capabilities.dateTime64 ? clickhouseDialect.timestampFromMs : (ms) => `toDateTime(intDiv(${ms}, 1000), 'UTC')`,
    msFromTimestamp: capabilities.dateTime64 ? clickhouseDialect.msFromTimestamp : (expr) => `(toUInt64(toUnixTimestamp(${expr})) * 1000)`,
  };
}

export interface DetectDialect {
  readonly base: Dialect;
  /** Lower-case a text expression. */
  lower(e: Sql): Sql;
  /** Leading and trailing spaces removed. */
  trim(e: Sql): Sql;
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
  /** The member names of a JSON object column, as a list; NULL or empty when the text is not a JSON object. */
  jsonNames(column: string): Sql;
  /** The members' values of a JSON object column as text, or each member's `sub` key (ModifiedProperties' newValue). */
  jsonValues(column: string, sub: string | null): Sql;
  /** The strings of a JSON array at a key path of a JSON text column, as a list; NULL when it is not one. */
  jsonStrings(column: string, path: readonly string[]): Sql;
  /** The first of several values that is present (ClickHouse's JSON reads give '' for an absent key, not NULL). */
  firstOf(items: readonly Sql[]): Sql;
  /** Whether some element of a list passes `test` (given the element); FALSE or NULL for an empty or NULL list. */
  anyOf(list: Sql, test: (element: Sql) => Sql): Sql;
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
  /** The set union without duplicates (ClickHouse refuses a bare UNION unless union_default_mode is set). */
  readonly unionDistinct: string;
  /** Whether every e-mail domain in `list` (text with one or more addresses) equals the domain of the address `of`. */
  sameEmailDomain(list: Sql, of: Sql): Sql;
  /** The start of the day or hour of a timestamp expression. */
  truncate(unit: 'day' | 'hour', e: Sql): Sql;
  /** Distinct values of an expression, sorted, the first `max`, joined with "; ". */
  listOf(e: Sql, max: number): Sql;
  /** The values that are not NULL, joined with `separator` ('' when all are NULL). */
  concatNonNull(separator: string, items: readonly Sql[]): Sql;
  /**
   * An aggregate: the JSON text of the group's [a, b] pairs, both as text, in no given order (one value
   * for many rows: a busy correlation island's evidence comes back as one text instead of a row per record).
   */
  pairsJson(a: Sql, b: Sql): Sql;
  /**
   * `FROM` the events that pass `filter`, each (tenant_id, id) once, for the rules and the reports: the
   * query goes on with GROUP BY, ORDER BY or LIMIT (never a WHERE of its own). See clickhouseDetect for
   * how ClickHouse shows each record once without merging the whole table.
   */
  fromEvents(filter?: Sql): Sql;
  /** `FROM` the stored rows that pass `filter`, a record's copies included: for reads a second copy cannot change (DISTINCT, min, max). */
  fromStoredRows(filter?: Sql): Sql;
}

const whereOf = (filter: Sql | undefined): Sql => (filter ? sql` WHERE (${filter})` : raw(''));

/** The domain part of an e-mail address (RE2; both engines). */
const EMAIL_DOMAIN = '@([a-z0-9][a-z0-9.-]*[a-z0-9])';

const IPV4_PATTERN = '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}';
/** An IPv6 address in hex-and-colons form, at most one "::" (checked separately: RE2 has no lookahead). */
const IPV6_PATTERN = '[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}';

/** A JSON string token and the colon after it when it is a member name (RE2). */
const JSON_STRING_TOKEN = '"(?:[^"\\\\]|\\\\.)*":?';

/** The element variable of list lambdas (no column of `events` has this name). */
const LAMBDA = 'aw_m';

/** A construct of the JSONExtract family: an error naming the release it needs on servers without it. */
function needsJsonExtract(e: Sql): Sql {
  const check = dialectFragment((d) => {
    if (!d.capabilities.jsonExtract) throw new RangeError(`ClickHouse ${d.version ?? ''} has no JSONExtract functions, which matching any Name/Value member needs; use ClickHouse 19.14 or later`);
    return '';
  });
  return sql`${check}${e}`;
}

function json(column: string, path: readonly string[]): Sql {
  return dialectFragment((d, ctx) =>
    path.length === 1 ? d.jsonString(d.quoteIdent(column), path[0]!, ctx) : d.jsonPath(d.quoteIdent(column), path, ctx),
  );
}

export const duckdbDetect: DetectDialect = {
  base: duckdbDialect,
  lower: (e) => sql`lower(${e})`,
  trim: (e) => sql`trim(${e})`,
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
  jsonNames: (column) => sql`TRY(json_keys(${ident(column)}))`,
  jsonValues: (column, sub) => sql`TRY(json_extract_string(${ident(column)}, ${sub === null ? '$.*' : `$.*.${jsonKey(sub)}`}))`,
  jsonStrings: (column, path) => sql`TRY(json_extract_string(${ident(column)}, ${`$${path.map((k) => `.${jsonKey(k)}`).join('')}[*]`}))`,
  firstOf: (items) => sql`coalesce(${join(items)})`,
  anyOf: (list, test) => sql`len(list_filter(${list}, ${raw(LAMBDA)} -> ${test(raw(LAMBDA))})) > 0`,
  ms: (e) => sql`epoch_ms(${e})`,
  timestamp: (ms) => sql`make_timestamp(CAST(${ms} AS BIGINT) * 1000)`,
  countDistinctWindow: (e, over) => sql`count(DISTINCT ${e}) OVER (${over})`,
  coalesce: (a, b) => sql`coalesce(${a}, ${b})`,
  lag: (e, over) => sql`lag(${e}) OVER (${over})`,
  countDistinct: (e) => sql`count(DISTINCT ${e})`,
  bucket: (e, span) => sql`CAST(floor(${e} / ${raw(String(Math.trunc(span)))}) AS BIGINT)`,
  materialized: 'AS MATERIALIZED',
  unionDistinct: 'UNION',
  sameEmailDomain: (list, of) =>
    sql`len(list_filter(regexp_extract_all(lower(${list}), ${EMAIL_DOMAIN}, 1), x -> x <> coalesce(regexp_extract(lower(${of}), ${EMAIL_DOMAIN}, 1), ''))) = 0`,
  truncate: (unit, e) => (unit === 'day' ? sql`date_trunc('day', ${e})` : sql`date_trunc('hour', ${e})`),
  listOf: (e, max) => sql`array_to_string(list_slice(list_sort(list_distinct(list(${e}))), 1, ${max}), '; ')`,
  concatNonNull: (separator, items) => sql`concat_ws(${separator}, ${join(items)})`,
  pairsJson: (a, b) => sql`CAST(to_json(list([CAST(${a} AS VARCHAR), CAST(${b} AS VARCHAR)])) AS VARCHAR)`,
  // DuckDB's events table holds each record once (ingest checks every batch against it in its transaction).
  fromEvents: (filter) => sql`FROM ${ident('events')}${whereOf(filter)}`,
  fromStoredRows: (filter) => sql`FROM ${ident('events')}${whereOf(filter)}`,
};

/**
 * A JSON value as DuckDB's json_extract_string gives it: a string unquoted, any other value (number,
 * object, array) as its JSON text, NULL when absent or null. visitParamExtractString alone gives '' for a
 * number or an object (SigmaHQ's eventData is the Parameters array's text); the raw value tells them apart.
 */
function clickhouseJson(column: string, path: readonly string[]): Sql {
  return dialectFragment((d, ctx) => {
    let parent = d.quoteIdent(column);
    for (const key of path.slice(0, -1)) parent = `visitParamExtractRaw(${parent}, ${ctx.param(key)})`;
    const last = ctx.param(path[path.length - 1] ?? '');
    const rawValue = `visitParamExtractRaw(${parent}, ${last})`;
    return `multiIf(${rawValue} IN ('', 'null'), NULL, startsWith(${rawValue}, '"'), visitParamExtractString(${parent}, ${last}), ${rawValue})`;
  });
}

export const clickhouseDetect: DetectDialect = {
  base: clickhouseDialect,
  lower: (e) => sql`lowerUTF8(${e})`,
  // trim() is missing before 20.x; DuckDB's trim removes spaces only.
  trim: (e) => sql`replaceRegexpAll(${e}, '^ +| +$', '')`,
  text: (e) => sql`toString(${e})`,
  number: (e) => sql`toFloat64OrNull(toString(${e}))`,
  // ClickHouse's LIKE always treats backslash as the escape character.
  like: (e, p) => sql`like(${e}, ${p})`,
  contains: (e, n) => sql`position(${e}, ${n}) > 0`,
  startsWith: (e, p) => sql`startsWith(${e}, ${p})`,
  endsWith: (e, s) => sql`endsWith(${e}, ${s})`,
  // The pattern inside a group: before 23.x ClickHouse's pre-filter ignores inline flags and looks for a
  // literal outside parentheses case-sensitively, so match('ABC', '(?i)abc') is 0 on 18.16. In a group
  // (same meaning for RE2) there is no literal outside parentheses to look for.
  regex: (e, p) => sql`match(${e}, concat('(?:', ${p}, ')'))`,
  ipv4Number: (e) => sql`if(match(${e}, ${`^${IPV4_PATTERN}$`}), toInt64(IPv4StringToNum(${e})), NULL)`,
  // IPv6StringToNum gives 16 zero bytes for text that is not an address: only "::" itself means that.
  ipv6Hex: (e) => sql`if(match(lowerUTF8(${e}), ${`^${IPV6_PATTERN}$`}) AND (IPv6StringToNum(${e}) != IPv6StringToNum('::') OR match(${e}, '^[0:]+$')), lower(hex(IPv6StringToNum(${e}))), NULL)`,
  // ClickHouse's JSON functions give an empty value for text that is not valid JSON; they never throw.
  json: clickhouseJson,
  // JSONExtractKeys and friends need the JSONExtract family (19.14+); 18.16 refuses the rule's query.
  // Before 19.14 (no JSONExtractKeys): the member names are the JSON strings followed by a colon, each
  // decoded by visitParamExtractString; meant for flat objects such as `parameters` (a nested object's
  // names would be listed too).
  jsonNames: (column) =>
    byDialect((d) =>
      d.capabilities.jsonExtract
        ? sql`JSONExtractKeys(${ident(column)})`
        : sql`arrayMap(aw_k -> visitParamExtractString(concat('{"k":', substring(aw_k, 1, length(aw_k) - 1), '}'), 'k'), arrayFilter(aw_k -> endsWith(aw_k, ':'), extractAll(ifNull(${ident(column)}, ''), ${JSON_STRING_TOKEN})))`,
    ),
  jsonValues: (column, sub) =>
    needsJsonExtract(sql`arrayMap(aw_k -> JSONExtractString(${ident(column)}, aw_k${sub === null ? raw('') : sql`, ${sub}`}), JSONExtractKeys(${ident(column)}))`),
  jsonStrings: (column, path) => needsJsonExtract(sql`JSONExtract(${ident(column)}, ${join(path.map((k) => sql`${k}`))}, 'Array(String)')`),
  firstOf: (items) => sql`coalesce(${join(items.map((e) => sql`nullIf(${e}, '')`))})`,
  anyOf: (list, test) => sql`arrayExists(${raw(LAMBDA)} -> ${test(raw(LAMBDA))}, ${list})`,
  // Without DateTime64 (before 20.1) times are whole seconds; signed, so that ms - span never wraps.
  ms: (e) => byDialect((d) => (d.capabilities.dateTime64 ? sql`toUnixTimestamp64Milli(${e})` : sql`(toInt64(toUnixTimestamp(${e})) * 1000)`)),
  // Through the base dialect, so a server without DateTime64 (clickhouseDialectFor) gets its form.
  // DateTime holds 1970 to 2106 (seconds as UInt32): a bound outside is clamped, else it would wrap (no
  // record is stored outside, so the comparison means the same).
  timestamp: (ms) => dialectFragment((d, ctx) => d.timestampFromMs(ctx.param(Math.min(Math.max(0, ms), 4_294_967_295_000)))),
  countDistinctWindow: (e, over) => sql`uniqExact(${e}) OVER (${over})`,
  coalesce: (a, b) => sql`ifNull(${a}, ${b})`,
  lag: (e, over) => sql`lagInFrame(${e}) OVER (${over} ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)`,
  countDistinct: (e) => sql`uniqExact(${e})`,
  bucket: (e, span) => sql`intDiv(${e}, ${raw(String(Math.trunc(span)))})`,
  materialized: 'AS',
  unionDistinct: 'UNION DISTINCT',
  // extractAll of a Nullable value would be an array inside Nullable, which ClickHouse refuses: NULL stays NULL.
  sameEmailDomain: (list, of) =>
    sql`if(isNull(${list}), NULL, arrayAll(x -> x = ifNull(extract(lowerUTF8(${of}), ${EMAIL_DOMAIN}), ''), extractAll(lowerUTF8(ifNull(${list}, '')), ${EMAIL_DOMAIN})))`,
  truncate: (unit, e) => (unit === 'day' ? sql`toStartOfDay(${e})` : sql`toStartOfHour(${e})`),
  listOf: (e, max) => sql`arrayStringConcat(arraySlice(arraySort(groupUniqArray(${e})), 1, ${max}), '; ')`,
  // concat_ws is missing before 23.x.
  concatNonNull: (separator, items) =>
    sql`arrayStringConcat(arrayMap(x -> assumeNotNull(x), arrayFilter(x -> isNotNull(x), [${join(items.map((i) => sql`toNullable(toString(${i}))`))}])), ${separator})`,
  pairsJson: (a, b) => sql`toJSONString(groupArray([toString(${a}), toString(${b})]))`,
  // Filter first, then keep one row of each (tenant_id, id) among the rows that passed (LIMIT 1 BY): the
  // cost follows the rows that pass, not the table, as FINAL's merge (the `events` view) does on 18.16,
  // which merges every row of the table before any filter. A record stored twice (two writers racing)
  // is seen once if any of its copies passes, as the first copy the server reads (copies are the same
  // record: they differ in source_id and ingested_at, and in the enrichment columns until the
  // enrichment's mutation reaches the newer one). The subquery's unused columns are not read (18.16
  // prunes them through SELECT *). The same form on every release (LIMIT BY is in all of them); on a
  // cluster the shards run it on their rows and the initiator again on theirs, and a record's copies are
  // on one shard (sharded by tenant). The README (Performance) measures it against FINAL.
  fromEvents: (filter) => sql`FROM (SELECT * FROM ${ident('events_rows')}${whereOf(filter)} LIMIT 1 BY ${ident('tenant_id')}, ${ident('id')})`,
  fromStoredRows: (filter) => sql`FROM ${ident('events_rows')}${whereOf(filter)}`,
};

export const DETECT_DIALECTS: Record<Dialect['name'], DetectDialect> = {
  duckdb: duckdbDetect,
  clickhouse: clickhouseDetect,
};
