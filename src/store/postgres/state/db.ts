// What the PostgreSQL state repositories run on: `Sql` rendered with $n parameters on the pool, or on
// the one client of a transaction (`atomic` opens one; inside a transaction it runs in it).
//
// Text: PostgreSQL cannot store U+0000 in text, and audit data may hold it. Every string parameter is
// encoded reversibly (U+0000 → U+FFFF '0', U+FFFF → U+FFFF '1') and every string read back decoded, so
// any text round-trips and equality still holds; other text is stored as it is.

import type pg from 'pg';
import { ident, sql, type Sql, type SqlValue } from '../../sql/index.js';
import { renderPostgres } from '../render.js';

export { at, atOrNull, chunks, json, num, numOrNull, str, strOrNull } from '../../state-values.js';

export type PgRow = Record<string, unknown>;

export interface PgDb {
  read(q: Sql): Promise<PgRow[]>;
  /** Returns the number of rows changed. */
  write(q: Sql): Promise<number>;
  atomic<T>(fn: (db: PgDb) => Promise<T>): Promise<T>;
}

const encode = (s: string): string => (/[\u0000\uffff]/.test(s) ? s.replace(/[\u0000\uffff]/g, (c) => (c === '\u0000' ? '\uffff0' : '\uffff1')) : s);
const decode = (s: string): string => (s.includes('\uffff') ? s.replace(/\uffff([01])/g, (_, d: string) => (d === '0' ? '\u0000' : '\uffff')) : s);

function param(v: SqlValue): unknown {
  if (typeof v === 'string') return encode(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? encode(x) : x));
  return v;
}

function decodeRow(row: PgRow): PgRow {
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (typeof v === 'string') row[k] = decode(v);
  }
  return row;
}

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export async function runQuery(on: Queryable, q: Sql): Promise<pg.QueryResult<PgRow>> {
  const { text, params } = renderPostgres(q);
  const result = await on.query<PgRow>(text, params.map(param));
  result.rows.forEach(decodeRow);
  return result;
}

/** The repositories' db inside a transaction on `client`. */
export function clientDb(client: pg.PoolClient): PgDb {
  const db: PgDb = {
    read: async (q) => (await runQuery(client, q)).rows,
    write: async (q) => (await runQuery(client, q)).rowCount ?? 0,
    atomic: (fn) => fn(db),
  };
  return db;
}

/** A TIMESTAMPTZ parameter from epoch ms. */

/** `column` read back as epoch ms (bigint). */
export const msCol = (column: string): Sql => sql`round(extract(epoch from ${ident(column)}) * 1000)::bigint AS ${ident(column)}`;




/** Distinct values in a fixed (code unit) order: concurrent writers then lock rows in the same order and never deadlock. */
export const sortedUnique = (values: readonly string[]): string[] => [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Epoch ms (bigint) of a timestamp expression, e.g. an aggregate. */
export const msOf = (expr: Sql): Sql => sql`round(extract(epoch from ${expr}) * 1000)::bigint`;
