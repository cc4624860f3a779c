// Running `Sql` on a DuckDB connection: render with the duckdb dialect, bind typed parameters,
// read results back as plain rows.

import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { duckdbDialect, type Sql, type SqlValue } from '../sql/index.js';
import type { Row } from '../types.js';
import { rowsFrom, toDuckParam } from './convert.js';

export function bindParams(params: SqlValue[]): { values: DuckDBValue[]; types: DuckDBType[] } {
  const values: DuckDBValue[] = [];
  const types: DuckDBType[] = [];
  for (const p of params) {
    const b = toDuckParam(p);
    values.push(b.value);
    types.push(b.type);
  }
  return { values, types };
}

export async function runText(conn: DuckDBConnection, text: string, params: SqlValue[] = []): Promise<Row[]> {
  const { values, types } = bindParams(params);
  const reader = params.length > 0 ? await conn.runAndReadAll(text, values, types) : await conn.runAndReadAll(text);
  return rowsFrom(reader.deduplicatedColumnNames(), reader.columnTypes(), reader.getColumns());
}

export async function runSql(conn: DuckDBConnection, q: Sql): Promise<Row[]> {
  const { text, params } = q.render(duckdbDialect);
  return runText(conn, text, params);
}

/** Runs a write and returns the number of rows it changed. */
export async function execSql(conn: DuckDBConnection, q: Sql): Promise<number> {
  const { text, params } = q.render(duckdbDialect);
  const { values, types } = bindParams(params);
  const result = params.length > 0 ? await conn.run(text, values, types) : await conn.run(text);
  return result.rowsChanged;
}
