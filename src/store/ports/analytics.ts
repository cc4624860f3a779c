// The analytics port: read queries over the stored records that the rule compiler and the report
// definitions build with the `sql` template for the store's dialect, and the user's own read-only
// query. Nothing else writes SQL against the store; state goes through the state port.
// Engine guarantees: DuckDB answers from every committed write (a read runs beside an ingest commit,
// not after it). ClickHouse answers from every inserted part (its inserts are visible once acknowledged).

import type { Dialect, Sql } from '../sql/index.js';

export type Row = Record<string, string | number | boolean | null>;

export interface QueryReadOnlyOptions {
  /** Refuse (AppError query_too_large) rather than hold more rows than this in memory. Default 1,000,000. */
  maxRows?: number;
}

export interface AnalyticsPort {
  /** The SQL spelling of the engine: compiled rules and report sections render through it. */
  readonly dialect: Dialect;
  /**
   * A read query built by the rule compiler or a report definition (sees every committed write; runs
   * beside an ingest commit, not after it). Values come back as plain JS: string, number (BIGINT when
   * safe, else string), boolean, null; timestamps as ISO-8601 UTC strings.
   */
  query<T extends Row = Row>(q: Sql): Promise<T[]>;
  /**
   * Read-only query from a user (auditwatch query): refuses anything but a single SELECT/WITH/
   * DESCRIBE/SHOW/EXPLAIN/SUMMARIZE/FROM/PRAGMA table_info statement, with an AppError naming the fix
   * (code query_refused; query_invalid / query_failed for SQL errors). Runs in a transaction that
   * cannot write and is always rolled back.
   */
  queryReadOnly(text: string, options?: QueryReadOnlyOptions): Promise<Row[]>;
}
