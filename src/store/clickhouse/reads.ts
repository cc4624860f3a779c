// The events port's reads beyond ingest on ClickHouse (and the one enrichment update, a mutation): the
// commit watermark, records by ingest time, keys, unenriched IPs, the events part of the collection
// statistics, and retention by dropping whole month partitions. Reads go to events_rows (or the `events`
// view) on either layout; what changes storage runs on each node's local table (cluster.ts).
//
// Each record once: a filtered read keeps one row per (tenant_id, id) of the rows that pass
// (clickhouseDetect.fromEvents, as the rules and reports read); reads a second copy cannot change
// (DISTINCT, max) read the rows as stored; reads of the whole table or of whole months (statistics,
// retention's count) merge through FINAL, which costs less than de-duplicating every row by hash.

import { AppError } from '../../core/index.js';
import type { Enrichment } from '../../records/index.js';
import { clickhouseDetect, join, raw, sql, type Dialect, type Sql } from '../sql/index.js';
import type { EventStats, Row, StoredRecord } from '../types.js';
import type { ServerFeatures } from './schema.js';

export interface ChDb {
  readonly dialect: Dialect;
  readonly features: ServerFeatures;
  read(q: Sql): Promise<Row[]>;
  command(q: Sql | string): Promise<void>;
  /** The MergeTree table on each node: events_rows, or events_rows_local on a cluster. */
  readonly local: string;
  /** Each node's own reads and commands (on one node, the node the store is connected to). */
  readonly nodes: readonly NodeDb[];
}

export interface NodeDb {
  read(q: Sql): Promise<Row[]>;
  command(q: Sql | string): Promise<void>;
}

const CHUNK = 500;
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export async function commitWatermark(db: ChDb): Promise<number | null> {
  // The rows themselves, not the FINAL view: a watermark needs no de-duplication.
  const rows = await db.read(sql`SELECT count() AS n, max(ingested_ms) AS w FROM events_rows`);
  return Number(rows[0]?.['n'] ?? 0) === 0 ? null : numOrNull(rows[0]?.['w']);
}

export async function ingestedRecords(db: ChDb, range: { after: number; upTo: number }, page: { limit: number; offset: number }): Promise<StoredRecord[]> {
  const rows = await db.read(
    // The newest copy of a record stored twice in the range (sorted before LIMIT BY), so that pages agree on it.
    sql`SELECT tenant_id, content_type, source_id, raw FROM (SELECT * FROM events_rows WHERE ingested_ms > ${Math.trunc(range.after)} AND ingested_ms <= ${Math.trunc(range.upTo)}
ORDER BY ingested_ms DESC LIMIT 1 BY tenant_id, id)
ORDER BY ingested_ms, tenant_id, id LIMIT ${Math.max(0, Math.trunc(page.offset))}, ${Math.max(0, Math.trunc(page.limit))}`,
  );
  return rows.map((r) => ({ tenantId: String(r['tenant_id']), contentType: strOrNull(r['content_type']), sourceId: String(r['source_id']), raw: String(r['raw']) }));
}

export async function eventKeys(db: ChDb, ids?: readonly string[]): Promise<{ tenantId: string; id: string }[]> {
  const out: { tenantId: string; id: string }[] = [];
  const add = (rows: Row[]) => rows.forEach((r) => out.push({ tenantId: String(r['tenant_id']), id: String(r['id']) }));
  if (ids === undefined) {
    add(await db.read(sql`SELECT DISTINCT tenant_id, id FROM events_rows`));
    return out;
  }
  for (let i = 0; i < ids.length; i += CHUNK) {
    add(await db.read(sql`SELECT DISTINCT tenant_id, id FROM events_rows WHERE id IN (${join(ids.slice(i, i + CHUNK).map((id) => sql`${id}`))})`));
  }
  return out;
}

export async function unenrichedClientIps(db: ChDb): Promise<string[]> {
  const rows = await db.read(sql`SELECT DISTINCT client_ip AS ip ${clickhouseDetect.fromStoredRows(sql`client_ip IS NOT NULL AND client_ip != '' AND country IS NULL AND asn IS NULL`)}`);
  return rows.map((r) => String(r['ip']));
}

/** Counts the records to change, then runs the mutation on each node and waits for it (18.16 has no mutations_sync). */
export async function enrichClientIp(db: ChDb, ip: string, e: Enrichment, waitMs = 120_000): Promise<number> {
  const where = sql`client_ip = ${ip} AND country IS NULL AND asn IS NULL`;
  const [c] = await db.read(sql`SELECT count() AS n ${clickhouseDetect.fromEvents(where)}`);
  const n = Number(c?.['n'] ?? 0);
  if (n === 0) return 0;
  for (const node of db.nodes) {
    await node.command(
      sql`ALTER TABLE ${raw(db.local)} UPDATE country = ${e.country}, city = ${e.city}, latitude = ${e.latitude}, longitude = ${e.longitude}, asn = ${e.asn}, as_org = ${e.asOrg} WHERE ${where}`,
    );
  }
  await waitForMutations(db, waitMs);
  return n;
}

export async function waitForMutations(db: ChDb, waitMs: number): Promise<void> {
  const started = Date.now();
  for (const node of db.nodes) {
    for (;;) {
      const [r] = await node.read(sql`SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND table = ${db.local} AND is_done = 0`);
      if (Number(r?.['n'] ?? 0) === 0) break;
      if (Date.now() - started > waitMs) {
        throw new AppError('clickhouse_mutation', `ClickHouse has not finished updating ${db.local} after ${Math.round(waitMs / 1000)} s; see system.mutations on the server${db.nodes.length > 1 ? 's' : ''}, the update goes on there.`, { retryable: true });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function eventStats(db: ChDb, today: number): Promise<EventStats[]> {
  const newest = db.dialect.msFromTimestamp('max(creation_time)');
  const rows = await db.read(sql`SELECT tenant_id, content_type, count() AS records, countIf(ingested_ms >= ${Math.trunc(today)}) AS records_today,
    ${raw(newest)} AS newest_event, max(ingested_ms) AS newest_ingest
  FROM events GROUP BY tenant_id, content_type`);
  return rows.map((r) => ({
    tenantId: String(r['tenant_id'] ?? ''),
    contentType: strOrNull(r['content_type']),
    records: Number(r['records'] ?? 0),
    recordsToday: Number(r['records_today'] ?? 0),
    newestEvent: numOrNull(r['newest_event']),
    newestIngest: numOrNull(r['newest_ingest']),
  }));
}

const MONTH = /^(\d{4})(\d{2})$/;

/**
 * Drops the month partitions that end at or before `olderThan` and returns how many records they held.
 * A partition that straddles the limit stays whole until its month has passed (no row-by-row delete:
 * on ClickHouse that rewrites the month's parts every day).
 */
export async function dropOldPartitions(db: ChDb, olderThan: number): Promise<number> {
  const perNode = await Promise.all(db.nodes.map(async (node) => {
    const parts = await node.read(sql`SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = ${db.local} AND active`);
    const old: string[] = [];
    for (const p of parts) {
      const m = MONTH.exec(String(p['partition']).replace(/'/g, ''));
      if (!m) continue;
      const nextMonth = Date.UTC(Number(m[1]), Number(m[2]), 1);
      if (nextMonth <= olderThan) old.push(`${m[1]}${m[2]}`);
    }
    return old;
  }));
  const all = [...new Set(perNode.flat())];
  if (all.length === 0) return 0;
  const [c] = await db.read(sql`SELECT count() AS n FROM events_rows FINAL WHERE toYYYYMM(creation_time) IN (${join(all.map((p) => sql`${Number(p)}`))})`);
  for (const [i, node] of db.nodes.entries()) {
    for (const p of perNode[i] ?? []) await node.command(`ALTER TABLE ${db.local} DROP PARTITION ${p}`);
  }
  return Number(c?.['n'] ?? 0);
}
