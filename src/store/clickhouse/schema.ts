// The ClickHouse schema, per server version, and its migrations (recorded in ClickHouse's own
// schema_migrations; the ledger tables are PostgreSQL migration 20, see postgres/migrations.ts).
//
// `events_rows` holds the records: ReplacingMergeTree, PARTITION BY month of creation_time (retention
// drops whole months), ORDER BY (tenant_id, creation_time, id): rules and reports filter by time and
// tenant, the duplicate probe by tenant, time range and Id, and it is the de-duplication key — a
// re-delivered record keeps its CreationTime, so two rows of one (tenant, Id) have the same key and the
// same partition and collapse when parts merge. `events` is a view over `events_rows FINAL`: every read
// of `events` sees each (tenant, Id) once even before the merge (ingest stores each once anyway, see
// ingest.ts; FINAL covers a crash between a blob's insert and its ledger commit, and writers racing).
// `auditwatch query` reads that view; the rules and reports read events_rows filtered first and then
// de-duplicated by LIMIT 1 BY (fromEvents in sql/dialect.ts), because 18.16 merges the whole table for
// every read through FINAL.
//
// Versions: servers without DateTime64 (before 20.1, e.g. Debian's 18.16) store whole seconds in
// creation_time and ingested_at; ingested_ms (epoch ms) is kept on every version for the commit
// watermark. Column codecs (raw as ZSTD) and table TTL need 20.1 or later; before, raw is compressed by
// the server's <compression> setting (LZ4 unless configured, see the README) and retention drops
// whole month partitions only.
//
// On a cluster (store.clickhouse.cluster) the MergeTree table on each node is events_rows_local and
// events_rows is a Distributed table over them sharded by tenant; `events` is the same view. See
// cluster.ts for the layout, the order of writes and why each node gets its DDL directly.

import { AppError } from '../../core/index.js';
import { clickhouseCapabilities } from '../sql/index.js';
import { EVENT_COLUMNS, type ColumnType } from '../events-columns.js';

export interface ServerFeatures {
  version: string;
  /** DateTime64(3): millisecond timestamps. */
  dateTime64: boolean;
  /** Per-column CODEC(...). */
  codecs: boolean;
  /** Table TTL. */
  ttl: boolean;
}

const atLeast = (version: string, major: number, minor: number): boolean => {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
};

/** The oldest release the store runs on. */
export const OLDEST_SUPPORTED = '18.16';

export function serverFeatures(version: string): ServerFeatures {
  if (!atLeast(version, 18, 16)) {
    throw new AppError('clickhouse_version', `ClickHouse ${version.slice(0, 20)} is older than ${OLDEST_SUPPORTED}, the oldest release auditwatch runs on; upgrade the server.`);
  }
  return { version, dateTime64: clickhouseCapabilities(version).dateTime64, codecs: atLeast(version, 20, 1), ttl: atLeast(version, 20, 1) };
}

function typeOf(t: ColumnType, f: ServerFeatures): string {
  switch (t) {
    case 'text':
    case 'json':
      return 'String';
    case 'int':
    case 'bigint':
      return 'Int64';
    case 'double':
      return 'Float64';
    case 'timestamp':
      return f.dateTime64 ? "DateTime64(3, 'UTC')" : "DateTime('UTC')";
  }
}

/** The columns the store adds to EVENT_COLUMNS (see the header). */
export const EXTRA_COLUMNS = ['ingested_ms'] as const;

/** The MergeTree table on each node of a cluster. */
export const LOCAL_ROWS = 'events_rows_local';

/** Where the schema goes: one node, or each node of `cluster` (whose tables live in `database`). */
export interface Placement {
  cluster: string | null;
  database: string;
}

export function eventsRowsTable(f: ServerFeatures, name = 'events_rows'): string {
  const cols = EVENT_COLUMNS.map((c) => {
    const type = typeOf(c.type, f);
    const codec = c.name === 'raw' && f.codecs ? ' CODEC(ZSTD(3))' : '';
    return `  ${c.name} ${c.nullable ? `Nullable(${type})` : type}${codec}`;
  });
  cols.push('  ingested_ms Int64');
  return `CREATE TABLE IF NOT EXISTS ${name} (\n${cols.join(',\n')}\n) ENGINE = ReplacingMergeTree\nPARTITION BY toYYYYMM(creation_time)\nORDER BY (tenant_id, creation_time, id)`;
}

/** The Distributed table over every node's LOCAL_ROWS, a tenant's rows all on one shard. */
export function distributedRowsTable(p: Placement & { cluster: string }): string {
  return `CREATE TABLE IF NOT EXISTS events_rows AS ${LOCAL_ROWS} ENGINE = Distributed(${p.cluster}, ${p.database}, ${LOCAL_ROWS}, sipHash64(tenant_id))`;
}

export interface ClickHouseMigration {
  version: number;
  name: string;
  /** The statements, run on each node of the placement (idempotent). */
  statements(f: ServerFeatures, p: Placement): string[];
}

const EVENTS_VIEW = 'CREATE VIEW IF NOT EXISTS events AS SELECT * FROM events_rows FINAL';

export const CLICKHOUSE_MIGRATIONS: readonly ClickHouseMigration[] = [
  {
    version: 100,
    name: 'events',
    statements: (f, p) => (p.cluster === null ? [eventsRowsTable(f), EVENTS_VIEW] : [eventsRowsTable(f, LOCAL_ROWS), distributedRowsTable({ ...p, cluster: p.cluster }), EVENTS_VIEW]),
  },
  {
    // The copy of PostgreSQL's identities that compiled "same person" rules join beside the events
    // (identities.ts keeps it up to date): one row per (tenant, identifier), the newest revision wins.
    version: 101,
    name: 'identities copy',
    statements: () => [
      'CREATE TABLE IF NOT EXISTS identities_rows (tenant_id String, value String, person_id String, rev Int64) ENGINE = ReplacingMergeTree(rev) ORDER BY (tenant_id, value)',
      'CREATE VIEW IF NOT EXISTS identities AS SELECT tenant_id, value, person_id FROM identities_rows FINAL',
    ],
  },
];

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at DateTime('UTC')) ENGINE = ReplacingMergeTree ORDER BY version`;

/** The TTL clause that keeps `days` of events (servers with TTL), applied by retention when it changes. */
export function retentionTtl(days: number, table = 'events_rows'): string {
  return `ALTER TABLE ${table} MODIFY TTL creation_time + toIntervalDay(${Math.max(1, Math.ceil(days))})`;
}
