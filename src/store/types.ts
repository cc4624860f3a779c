// The Store: everything the other parts may ask of the store, as typed ports (ports/): events (ingest,
// ledger, cursors, gaps, dead letters, import, retention, statistics, the commit watermark), analytics
// (compiled rule queries, report sections, the user's read-only query) and state (alerts, outbox,
// suppressions, detection, identities, report runs, collector state) with its unit of work. No engine
// type crosses it, and no SQL but what the compiler and report definitions render through `dialect`.
// The events and analytics ports sit on the Store itself; the state port is `store.state`, so a setup
// whose state lives in another engine (PostgreSQL beside ClickHouse) composes one Store from both.

import type { AnalyticsPort } from './ports/analytics.js';
import type { EventsPort } from './ports/events.js';
import type { StatePort } from './ports/state.js';
import type { CopyPort } from './ports/copy.js';
import type { LeasesPort } from './ports/leases.js';

export type * from './ports/events.js';
export type * from './ports/analytics.js';
export type * from './ports/state.js';
export { ALERT_SORTS } from './ports/state.js';
export type * from './ports/leases.js';
export type * from './ports/copy.js';
export { COPY_TABLES } from './ports/copy.js';

export interface Store extends EventsPort, AnalyticsPort {
  readonly kind: 'duckdb' | 'clickhouse';

  /** Applies pending schema migrations, in order, each once. Returns the versions applied now. */
  migrate(): Promise<number[]>;

  /** Alerts, outbox, suppressions, detection state, identities, report runs, collector state. */
  readonly state: StatePort;

  /** Every table and the events as rows, for `auditwatch store copy` (ports/copy.ts). */
  readonly copy: CopyPort;
  /**
   * Leases for the processes sharing this store (collector workers, the daemon's leader): PostgreSQL's
   * beside ClickHouse; in-process ones for DuckDB, whose file lock admits one process.
   */
  readonly leases: LeasesPort;

  /** TRANSITIONAL (removed once every caller uses the ports): a write statement. */
  execute(q: import('./sql/index.js').Sql): Promise<void>;
  /** TRANSITIONAL: runs `fn` in one transaction. */
  transaction<T>(fn: (tx: Pick<Store, 'query' | 'execute'>) => Promise<T>): Promise<T>;

  close(): Promise<void>;
}
