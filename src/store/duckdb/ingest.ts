// Bulk ingest into `events`: rows de-duplicated in memory by (tenant, id), then against the store with
// one query over the batch's creation_time range (zone maps prune the rest), then the new rows,
// sorted by creation_time so row groups stay narrow in time, go in through DuckDB's Appender inside
// the caller's transaction. Measured faster than an Appender into a staging table followed by
// INSERT … SELECT … WHERE NOT EXISTS (the copy cost more than the probe), and far leaner than a
// PRIMARY KEY (see migrations/001-core.ts).

import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { EventRow } from '../../records/index.js';
import { EVENT_COLUMNS, type EventSourceFields } from '../events-columns.js';
import { timestampFromMs, toDuckParam } from './convert.js';
import { CATALOG } from './open.js';

/** A row to store with where it came from. */
export interface StagedRow {
  row: EventRow;
  source: EventSourceFields;
}

/** Keeps the first occurrence of each (tenant, id); returns the kept rows and how many were dropped. */
export function dedupeBatch(rows: StagedRow[]): { kept: StagedRow[]; dropped: number } {
  const seen = new Set<string>();
  const kept: StagedRow[] = [];
  for (const r of rows) {
    const key = `${r.row.tenantId}\u0000${r.row.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(r);
  }
  return { kept, dropped: rows.length - kept.length };
}

function appendRows(appender: DuckDBAppender, rows: StagedRow[]): void {
  const cols = EVENT_COLUMNS;
  for (const { row, source } of rows) {
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i]!;
      const v = c.get(row, source);
      if (v === null || v === undefined) {
        appender.appendNull();
        continue;
      }
      switch (c.type) {
        case 'text':
        case 'json':
          appender.appendVarchar(typeof v === 'string' ? v : String(v));
          break;
        case 'int':
        case 'bigint':
          // Hostile data must not fail a batch: a value that is not a safe integer is stored as NULL (raw keeps it).
          if (typeof v === 'number' && Number.isSafeInteger(v)) appender.appendBigInt(BigInt(v));
          else appender.appendNull();
          break;
        case 'double':
          appender.appendDouble(typeof v === 'number' ? v : Number(v));
          break;
        case 'timestamp':
          appender.appendTimestamp(timestampFromMs(typeof v === 'number' ? v : Number(v)));
          break;
      }
    }
    appender.endRow();
  }
}

/**
 * Inserts the rows not stored yet, sorted by creation_time. Must run inside a transaction on `conn`
 * (the appender writes into it, so a rollback leaves nothing). Returns, per tenant and source id,
 * how many rows were inserted.
 */
export async function insertNewRows(conn: DuckDBConnection, rows: StagedRow[]): Promise<Map<string, number>> {
  const perSource = new Map<string, number>();
  if (rows.length === 0) return perSource;
  const stored = await storedKeys(conn, rows);
  const fresh = stored.size === 0 ? rows.slice() : rows.filter((r) => !stored.has(`${r.row.tenantId}\u0000${r.row.id}`));
  if (fresh.length === 0) return perSource;
  fresh.sort((a, b) => a.row.creationTime - b.row.creationTime);
  const appender = await conn.createAppender('events', 'main', CATALOG);
  try {
    appendRows(appender, fresh);
    appender.flushSync();
  } catch (err) {
    // Drop the half-appended rows; the caller's ROLLBACK removes what was flushed.
    try {
      appender.clear();
      appender.closeSync();
    } catch {
      // the original error is the one to report
    }
    throw err;
  }
  appender.closeSync();
  for (const r of fresh) {
    const key = `${r.row.tenantId}\u0000${r.source.sourceId}`;
    perSource.set(key, (perSource.get(key) ?? 0) + 1);
  }
  return perSource;
}

/**
 * The (tenant, id) keys of `rows` already stored. The scan is limited to the batch's creation_time
 * range: a re-delivered record keeps its CreationTime, and the range lets DuckDB skip every row group
 * whose zone map lies outside it.
 */
async function storedKeys(conn: DuckDBConnection, rows: StagedRow[]): Promise<Set<string>> {
  let min = Infinity;
  let max = -Infinity;
  const ids: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const t = rows[i]!.row.creationTime;
    if (t < min) min = t;
    if (t > max) max = t;
    ids[i] = rows[i]!.row.id;
  }
  const lo = toDuckParam(new Date(Math.floor(min)));
  const hi = toDuckParam(new Date(Math.ceil(max)));
  const list = toDuckParam(ids);
  const reader = await conn.runAndReadAll(
    `SELECT tenant_id, id FROM events
WHERE creation_time BETWEEN $1 AND $2 AND id IN (SELECT unnest($3))`,
    [lo.value, hi.value, list.value],
    [lo.type, hi.type, list.type],
  );
  const out = new Set<string>();
  const [tenants, found] = reader.getColumns();
  for (let i = 0; i < (found?.length ?? 0); i++) out.add(`${String(tenants![i])}\u0000${String(found![i])}`);
  return out;
}
