// Event search for the investigation pages (dashboard search, user and IP pages, an alert's evidence):
// filtered listings newest first with keyset paging, one event with its raw record, and the entity
// aggregates. Built with the `sql` template and the store's dialect table, so the same code runs on
// DuckDB and ClickHouse (18.16 included: values inline as literals, times in whole seconds there).
//
// Speed: every query filters on creation_time first (DuckDB's zone maps over creation_time-sorted row
// groups, ClickHouse's primary key). A page is read in time windows from the newest end: one hour, then
// 8×, 64×, … wider, until the page is full or the period is done, so the first page of a busy week reads
// the last hour only and a selective filter reads the period once.

import { AppError } from '../core/index.js';
import { dialectFragment, ident, join, raw, sql, DETECT_DIALECTS, type DetectDialect, type Sql } from './sql/index.js';
import type { Row, Store } from './types.js';

type Reader = Pick<Store, 'query' | 'dialect'>;

export interface EventFilter {
  /** Event time, epoch ms: from inclusive, to exclusive. */
  from: number;
  to: number;
  /** user_id, case-insensitive exact. */
  user?: string;
  /** client_ip exact. */
  ip?: string;
  /** operation, case-insensitive exact. */
  operation?: string;
  /** workload, case-insensitive exact. */
  workload?: string;
  /** result_status, case-insensitive exact. */
  result?: string;
  tenantId?: string;
  /** Case-insensitive substring of the raw record. */
  text?: string;
}

export interface EventListRow {
  id: string;
  tenant: string;
  time: string;
  user: string | null;
  ip: string | null;
  country: string | null;
  asn: string | number | null;
  operation: string | null;
  workload: string | null;
  result: string | null;
  recordType: string | number | null;
}

export interface EventDetailRow extends EventListRow {
  /** The record as received (parsed JSON; the text when it does not parse). */
  raw: unknown;
}

export interface EventPage {
  events: EventListRow[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

/** The largest page (the CSV download asks for this many at once). */
export const SEARCH_MAX_ROWS = 100_000;

const HOUR = 3_600_000;
const GROWTH = 8;
const EVENTS = ident('events');

const LIST_COLUMNS = sql`id, tenant_id AS ${ident('tenant')}, creation_time AS ${ident('time')}, user_id AS ${ident('user')}, client_ip AS ${ident('ip')},
  country, asn, operation, workload, result_status AS ${ident('result')}, record_type AS ${ident('recordType')}`;

const detect = (store: Reader): DetectDialect => DETECT_DIALECTS[store.dialect.name];
/** Epoch ms of a timestamp column, spelled for the engine's release (whole seconds before DateTime64). */
const msOf = (column: string): Sql => dialectFragment((d) => d.msFromTimestamp(d.quoteIdent(column)));
const lowerEq = (d: DetectDialect, column: string, value: string): Sql => sql`${d.lower(ident(column))} = ${value.toLowerCase()}`;

/** The filter's conditions other than time. */
function conditions(d: DetectDialect, f: EventFilter): Sql[] {
  const out: Sql[] = [];
  const given = (v: string | undefined): v is string => v !== undefined && v !== '';
  if (given(f.tenantId)) out.push(sql`tenant_id = ${f.tenantId}`);
  if (given(f.user)) out.push(lowerEq(d, 'user_id', f.user));
  if (given(f.ip)) out.push(sql`client_ip = ${f.ip}`);
  if (given(f.operation)) out.push(lowerEq(d, 'operation', f.operation));
  if (given(f.workload)) out.push(lowerEq(d, 'workload', f.workload));
  if (given(f.result)) out.push(lowerEq(d, 'result_status', f.result));
  if (given(f.text)) out.push(d.contains(d.lower(ident('raw')), sql`${f.text.toLowerCase()}`));
  return out;
}

const inWindow = (d: DetectDialect, from: number, to: number): Sql => sql`creation_time >= ${d.timestamp(from)} AND creation_time < ${d.timestamp(to)}`;

// ---- cursors -------------------------------------------------------------------------------------

interface Cursor {
  /** Epoch ms of the last row shown. */
  ms: number;
  tenant: string;
  id: string;
}

const CURSOR_REFUSED = 'The cursor is not one this search gave (changed or cut); start the search again without it.';

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.ms, c.tenant, c.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(text)) throw new AppError('bad_cursor', CURSOR_REFUSED);
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('bad_cursor', CURSOR_REFUSED);
  }
  if (!Array.isArray(v) || v.length !== 3) throw new AppError('bad_cursor', CURSOR_REFUSED);
  const [ms, tenant, id] = v as unknown[];
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || typeof tenant !== 'string' || typeof id !== 'string' || tenant.length > 500 || id.length > 500) {
    throw new AppError('bad_cursor', CURSOR_REFUSED);
  }
  return { ms, tenant, id };
}

/** Rows after the cursor in (creation_time DESC, tenant_id, id) order. */
function after(c: Cursor): Sql {
  const ms = msOf('creation_time');
  return sql`(${ms} < ${c.ms} OR (${ms} = ${c.ms} AND (tenant_id > ${c.tenant} OR (tenant_id = ${c.tenant} AND id > ${c.id}))))`;
}

// ---- reads ---------------------------------------------------------------------------------------

function listRow(r: Row): EventListRow {
  const s = (v: Row[string] | undefined): string | null => (v === null || v === undefined ? null : String(v));
  const n = (v: Row[string] | undefined): string | number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : String(v));
  return {
    id: String(r['id']),
    tenant: String(r['tenant']),
    time: new Date(timeMs(r['time'])).toISOString(),
    user: s(r['user']),
    ip: s(r['ip']),
    country: s(r['country']),
    asn: n(r['asn']),
    operation: s(r['operation']),
    workload: s(r['workload']),
    result: s(r['result']),
    recordType: n(r['recordType']),
  };
}

function timeMs(v: Row[string] | undefined): number {
  if (typeof v === 'number') return v;
  const text = String(v);
  // ClickHouse may answer "2026-03-01 10:00:00.123" without a zone: it is UTC.
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  if (!Number.isFinite(ms)) throw new AppError('store_value', `The store gave an event time that is not one (${text.slice(0, 40)}); check the events table.`);
  return ms;
}

/**
 * One page of events matching `f`, newest first (creation_time DESC, tenant_id, id), after `cursor`.
 * The order compares times in whole milliseconds, as the cursor holds them, so no row is skipped or
 * shown twice across pages. A cursor from another search is not refused: it pages from where it points.
 */
export async function searchEvents(store: Reader, f: EventFilter, page: { limit: number; cursor?: string }): Promise<EventPage> {
  const limit = Math.max(1, Math.min(SEARCH_MAX_ROWS, Math.floor(page.limit)));
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const d = detect(store);
  const where = conditions(d, f);
  if (cursor) where.push(after(cursor));
  const lo = f.from;
  // A cursor's row is in the last second before its time at the latest (whole seconds on old servers).
  let hi = cursor ? Math.min(f.to, cursor.ms + 1000) : f.to;
  const rows: EventListRow[] = [];
  let width = HOUR;
  while (hi > lo && rows.length <= limit) {
    const start = Math.max(lo, hi - width);
    const found = await store.query(sql`SELECT ${LIST_COLUMNS} FROM ${EVENTS}
WHERE ${join([inWindow(d, start, hi), ...where], raw(' AND '))}
ORDER BY ${msOf('creation_time')} DESC, tenant_id, id LIMIT ${raw(String(limit + 1 - rows.length))}`);
    rows.push(...found.map(listRow));
    hi = start;
    width *= GROWTH;
  }
  const events = rows.slice(0, limit);
  const last = events[events.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor({ ms: Date.parse(last.time), tenant: last.tenant, id: last.id }) : null;
  return { events, nextCursor };
}

/** One event by tenant and Id, with its raw record parsed; null when the store has none. */
export async function getEvent(store: Reader, tenantId: string, id: string): Promise<EventDetailRow | null> {
  const [r] = await store.query(sql`SELECT ${LIST_COLUMNS}, raw FROM ${EVENTS} WHERE tenant_id = ${tenantId} AND id = ${id} LIMIT 1`);
  if (!r) return null;
  const text = String(r['raw'] ?? '');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // shown as the text it is
  }
  return { ...listRow(r), raw: parsed };
}

// ---- entities ------------------------------------------------------------------------------------

export interface UserAggregates {
  signInsByCountry: { country: string | null; ok: number; failed: number }[];
  ips: { ip: string; country: string | null; asn: string | number | null; count: number }[];
  recentEvents: EventListRow[];
}

export interface IpAggregates {
  country: string | null;
  asn: string | number | null;
  users: { user: string; count: number }[];
  operations: { operation: string; count: number }[];
}

/** Entra ID sign-ins (RecordType 15, workload AzureActiveDirectory): succeeded and failed operations. */
const SIGNIN_OK = ['userloggedin'];
const SIGNIN_FAILED = ['userloginfailed'];
const ENTITY_ROWS = 1000;

const num = (v: Row[string] | undefined): number => Number(v ?? 0);
const textOrNull = (v: Row[string] | undefined): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const asnOf = (v: Row[string] | undefined): string | number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : String(v));
const list = (values: string[]): Sql => join(values.map((v) => sql`${v}`));

export async function userAggregates(store: Reader, user: string, from: number, to: number): Promise<UserAggregates> {
  const d = detect(store);
  const where = sql`${inWindow(d, from, to)} AND ${lowerEq(d, 'user_id', user)}`;
  const op = d.lower(ident('operation'));
  const signins = await store.query(sql`SELECT country,
  sum(CASE WHEN ${op} IN (${list(SIGNIN_OK)}) THEN 1 ELSE 0 END) AS ok,
  sum(CASE WHEN ${op} IN (${list(SIGNIN_FAILED)}) THEN 1 ELSE 0 END) AS failed
FROM ${EVENTS} WHERE ${where} AND ${op} IN (${list([...SIGNIN_OK, ...SIGNIN_FAILED])})
GROUP BY country ORDER BY count(*) DESC, country LIMIT ${raw(String(ENTITY_ROWS))}`);
  const ips = await store.query(sql`SELECT client_ip AS ip, max(country) AS country, max(asn) AS asn, count(*) AS n
FROM ${EVENTS} WHERE ${where} AND client_ip IS NOT NULL AND client_ip <> ''
GROUP BY client_ip ORDER BY n DESC, client_ip LIMIT ${raw(String(ENTITY_ROWS))}`);
  const recent = await searchEvents(store, { from, to, user }, { limit: 50 });
  return {
    signInsByCountry: signins.map((r) => ({ country: textOrNull(r['country']), ok: num(r['ok']), failed: num(r['failed']) })),
    ips: ips.map((r) => ({ ip: String(r['ip']), country: textOrNull(r['country']), asn: asnOf(r['asn']), count: num(r['n']) })),
    recentEvents: recent.events,
  };
}

export async function ipAggregates(store: Reader, ip: string, from: number, to: number): Promise<IpAggregates> {
  const d = detect(store);
  const where = sql`${inWindow(d, from, to)} AND client_ip = ${ip}`;
  const [geo] = await store.query(sql`SELECT max(country) AS country, max(asn) AS asn FROM ${EVENTS} WHERE ${where}`);
  const users = await store.query(sql`SELECT user_id AS ${ident('user')}, count(*) AS n FROM ${EVENTS} WHERE ${where} AND user_id <> ''
GROUP BY user_id ORDER BY n DESC, user_id LIMIT ${raw(String(ENTITY_ROWS))}`);
  const operations = await store.query(sql`SELECT operation, count(*) AS n FROM ${EVENTS} WHERE ${where}
GROUP BY operation ORDER BY n DESC, operation LIMIT ${raw(String(ENTITY_ROWS))}`);
  return {
    country: textOrNull(geo?.['country']),
    asn: asnOf(geo?.['asn']),
    users: users.map((r) => ({ user: String(r['user']), count: num(r['n']) })),
    operations: operations.map((r) => ({ operation: String(r['operation']), count: num(r['n']) })),
  };
}
