// What the DuckDB state repositories run on: reads and writes of `Sql`, and `atomic` for the steps that
// must commit together — a transaction of their own, or the enclosing unit of work's.

import { ident, sql, type Sql } from '../../sql/index.js';
import type { Row } from '../../types.js';

export { at, atOrNull, chunks, json, num, numOrNull, str, strOrNull } from '../../state-values.js';

export interface StateDb {
  read(q: Sql): Promise<Row[]>;
  /** Returns the number of rows changed. */
  write(q: Sql): Promise<number>;
  atomic<T>(fn: (db: StateDb) => Promise<T>): Promise<T>;
}

/** A TIMESTAMP parameter from epoch ms. */

/** `epoch_ms(column) AS column`: times come back as epoch ms. */
export const msCol = (column: string): Sql => sql`epoch_ms(${ident(column)}) AS ${ident(column)}`;



