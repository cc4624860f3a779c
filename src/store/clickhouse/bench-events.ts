// For `npm run bench -- detect --engine=clickhouse`: the bench's synthetic events (generated inside
// DuckDB, duckdb/bench-events.ts) copied into a ClickHouse store's events_rows, page by page, with the
// columns in their ClickHouse text form (the store's DuckDB file may not write files, so no COPY TO).

import { AppError } from '../../core/index.js';
import { DuckDbStore } from '../duckdb/store.js';
import { EVENT_COLUMNS } from '../events-columns.js';
import { raw, sql } from '../sql/index.js';
import type { Store } from '../types.js';
import { ClickHouseStore } from './store.js';

const PAGE = 100_000;

/** Copies the DuckDB store's events ingested after `ingestedAfter` (ms) into the ClickHouse store; returns how many. */
export async function copyBenchEvents(from: Store, to: Store, ingestedAfter = -1): Promise<number> {
  if (!(from instanceof DuckDbStore) || !(to instanceof ClickHouseStore)) throw new AppError('bench_store', 'copyBenchEvents copies from a DuckDB store into a ClickHouse store.');
  const format = to.features.dateTime64 ? '%Y-%m-%d %H:%M:%S.%g' : '%Y-%m-%d %H:%M:%S';
  const cols = EVENT_COLUMNS.map((c) => (c.type === 'timestamp' ? `strftime(${c.name}, '${format}') AS ${c.name}` : c.type === 'json' ? `CAST(${c.name} AS VARCHAR) AS ${c.name}` : c.name));
  const where = sql`ingested_at > make_timestamp(CAST(${Math.trunc(ingestedAfter)} AS BIGINT) * 1000)`;
  const [range] = await from.query(sql`SELECT min(rowid) AS lo, max(rowid) AS hi, count(*) AS n FROM events WHERE ${where}`);
  const n = Number(range?.['n'] ?? 0);
  if (n === 0) return 0;
  for (let lo = Number(range!['lo']); lo <= Number(range!['hi']); lo += PAGE) {
    const rows = await from.query(sql`SELECT ${raw(cols.join(', '))}, epoch_ms(ingested_at) AS ingested_ms FROM events WHERE ${where} AND rowid >= ${lo} AND rowid < ${lo + PAGE}`);
    if (rows.length) await to.insertRows('events_rows', rows);
  }
  return n;
}
