// What the DuckDB state repositories run on: reads and writes of `Sql`, and `atomic` for the steps that
// must commit together — a transaction of their own, or the enclosing unit of work's.

import { ident, sql, type Sql } from '../../sql/index.js';
import type { Row } from '../../types.js';

export interface StateDb {
  read(q: Sql): Promise<Row[]>;
  /** Returns the number of rows changed. */
  write(q: Sql): Promise<number>;
  atomic<T>(fn: (db: StateDb) => Promise<T>): Promise<T>;
}

/** A TIMESTAMP parameter from epoch ms. */
export const at = (ms: number): Date => new Date(Math.round(ms));
export const atOrNull = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : at(ms));

/** `epoch_ms(column) AS column`: times come back as epoch ms. */
export const msCol = (column: string): Sql => sql`epoch_ms(${ident(column)}) AS ${ident(column)}`;

export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** JSON text read back, or the fallback when it is not valid JSON. */
export function json<T>(v: unknown, fallback: T): T {
  try {
    return typeof v === 'string' ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** `items` in chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
