// Migrations for events, blob ledger, cursors, gaps, dead letters (versions 100-199).
//
// `events` has no PRIMARY KEY on purpose: DuckDB keeps an ART index in memory, and at a few million
// rows a (tenant_id, id) key needed more memory than the whole store may use (out of memory at ~2.5M
// rows under a 300 MB limit, ingest at 23k rows/s and falling; measured). De-duplication is an
// anti-join on (tenant_id, id) restricted to the batch's creation_time range, which the zone maps of
// the creation_time-sorted row groups make cheap (a re-delivered record keeps its CreationTime).
// All writes to events go through the store's ingest sessions (openIngest, commitBlobs, importRecords), which enforce the key.

import { AppError } from '../../core/index.js';
import type { Dialect } from '../sql/index.js';
import { EVENT_COLUMNS, type ColumnType } from '../events-columns.js';
import type { Migration } from './index.js';

const DUCK_TYPES: Record<ColumnType, string> = {
  text: 'VARCHAR',
  json: 'VARCHAR',
  int: 'BIGINT',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  timestamp: 'TIMESTAMP',
};

/** These migrations are the embedded DuckDB store's (ClickHouse and PostgreSQL keep their own schemas). */
export function duckdbOnly(dialect: Dialect, statements: string[]): string[] {
  if (dialect.name !== 'duckdb') {
    throw new AppError('store_engine', `The ${dialect.name} schema is not part of this release; use store.engine: duckdb.`);
  }
  return statements;
}

/** Compression forced per column; DuckDB picks for the others. */
type Compression = Partial<Record<string, 'zstd'>>;

const eventsTable = (name = 'events', compression: Compression = {}): string => {
  const cols = EVENT_COLUMNS.map((c) => {
    const using = compression[c.name] ? ` USING COMPRESSION ${compression[c.name]}` : '';
    return `  ${c.name} ${DUCK_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}${using}`;
  });
  return `CREATE TABLE IF NOT EXISTS ${name} (\n${cols.join(',\n')}\n)`;
};

/**
 * `raw` holds most of the store's bytes: ~1.2 KB of JSON a record, whose keys repeat from record to
 * record. DuckDB's own choice for it is FSST; ZSTD over whole segments keeps it 3.5x smaller and costs
 * the ingest half the CPU (measured on emulated records: 111 MB of text stored in 67 MB with FSST, 19 MB
 * with ZSTD, written in 0.87 s against 0.47 s, scanned in the same time). Needs the 1.2 file format
 * (see STORAGE_VERSION in duckdb/open.ts).
 */
const RAW_ZSTD: Compression = { raw: 'zstd' };

export const coreMigrations: Migration[] = [
  {
    version: 100,
    name: 'events',
    up: (d) => duckdbOnly(d, [eventsTable()]),
  },
  {
    version: 101,
    name: 'blob ledger',
    up: (d) =>
      duckdbOnly(d, [
        `CREATE TABLE IF NOT EXISTS blob_ledger (
  tenant_id VARCHAR NOT NULL,
  content_type VARCHAR NOT NULL,
  content_id VARCHAR NOT NULL,
  content_created TIMESTAMP NOT NULL,
  content_expiration TIMESTAMP NOT NULL,
  record_count INTEGER NOT NULL,
  inserted INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  dead_letters INTEGER NOT NULL,
  ingested_at TIMESTAMP NOT NULL,
  PRIMARY KEY (tenant_id, content_type, content_id)
)`,
      ]),
  },
  {
    version: 102,
    name: 'cursors',
    up: (d) =>
      duckdbOnly(d, [
        `CREATE TABLE IF NOT EXISTS cursors (
  tenant_id VARCHAR NOT NULL,
  content_type VARCHAR NOT NULL,
  position TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
)`,
      ]),
  },
  {
    version: 103,
    name: 'gaps',
    up: (d) =>
      duckdbOnly(d, [
        // gap_key: the content id when known, else the window; a gap is recorded once per key.
        `CREATE TABLE IF NOT EXISTS gaps (
  tenant_id VARCHAR NOT NULL,
  content_type VARCHAR NOT NULL,
  gap_key VARCHAR NOT NULL,
  content_id VARCHAR,
  window_start TIMESTAMP NOT NULL,
  window_end TIMESTAMP NOT NULL,
  code VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  detected_at TIMESTAMP NOT NULL,
  PRIMARY KEY (tenant_id, content_type, gap_key)
)`,
      ]),
  },
  {
    version: 104,
    name: 'dead letters',
    up: (d) =>
      duckdbOnly(d, [
        // id: md5 of tenant, source and raw text, so the same rejected input from the same source is kept once.
        `CREATE TABLE IF NOT EXISTS dead_letters (
  id VARCHAR NOT NULL PRIMARY KEY,
  tenant_id VARCHAR,
  content_type VARCHAR,
  source_id VARCHAR NOT NULL,
  reason VARCHAR NOT NULL,
  raw VARCHAR NOT NULL,
  received_at TIMESTAMP NOT NULL
)`,
      ]),
  },
  {
    version: 105,
    name: 'collector state',
    up: (d) =>
      duckdbOnly(d, [
        // How each worker's last pass ended (see collect/state.ts), for status without the daemon.
        `CREATE TABLE IF NOT EXISTS collector_state (
  tenant_id VARCHAR NOT NULL,
  content_type VARCHAR NOT NULL,
  subscription VARCHAR NOT NULL,
  last_error_code VARCHAR,
  last_error_message VARCHAR,
  last_error_at TIMESTAMP,
  last_success_at TIMESTAMP,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
)`,
      ]),
  },
  {
    version: 106,
    name: 'events: raw compressed with zstd',
    // DuckDB cannot change a column's compression in place: the table is rebuilt once (a new store's is
    // empty; measured ~1 s per 100k records). Rows keep their order (DuckDB preserves insertion
    // order), which ingest made creation_time-sorted per batch; an ORDER BY would sort the whole table.
    // Nothing else (view, index) refers to events.
    up: (d) =>
      duckdbOnly(d, [
        eventsTable('events_zstd', RAW_ZSTD),
        `INSERT INTO events_zstd (${EVENT_COLUMNS.map((c) => c.name).join(', ')}) SELECT ${EVENT_COLUMNS.map((c) => c.name).join(', ')} FROM events`,
        'DROP TABLE events',
        'ALTER TABLE events_zstd RENAME TO events',
      ]),
  },
];
