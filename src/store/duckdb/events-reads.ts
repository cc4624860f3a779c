// The events port's reads beyond ingest (and the one enrichment update): the commit watermark,
// records by ingest time, keys, collection statistics for status and reports.

import type { Enrichment } from '../../records/index.js';
import { join, sql, type Sql } from '../sql/index.js';
import type { CollectionStats, CollectionStatsOptions, Row, StoredRecord } from '../types.js';

interface Db {
  read(q: Sql): Promise<Row[]>;
  write(q: Sql): Promise<number>;
}

const CHUNK = 500;
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export async function commitWatermark(db: Db): Promise<number | null> {
  const rows = await db.read(sql`SELECT epoch_ms(max(ingested_at)) AS w FROM events`);
  return numOrNull(rows[0]?.['w']);
}

export async function ingestedRecords(db: Db, range: { after: number; upTo: number }, page: { limit: number; offset: number }): Promise<StoredRecord[]> {
  const rows = await db.read(
    sql`SELECT tenant_id, content_type, source_id, raw FROM events WHERE ingested_at > make_timestamp(CAST(${range.after} AS BIGINT) * 1000) AND ingested_at <= make_timestamp(CAST(${range.upTo} AS BIGINT) * 1000) ORDER BY ingested_at, tenant_id, id LIMIT ${page.limit} OFFSET ${page.offset}`,
  );
  return rows.map((r) => ({ tenantId: String(r['tenant_id']), contentType: strOrNull(r['content_type']), sourceId: String(r['source_id']), raw: String(r['raw']) }));
}

export async function eventKeys(db: Db, ids?: readonly string[]): Promise<{ tenantId: string; id: string }[]> {
  const out: { tenantId: string; id: string }[] = [];
  const add = (rows: Row[]) => rows.forEach((r) => out.push({ tenantId: String(r['tenant_id']), id: String(r['id']) }));
  if (ids === undefined) {
    add(await db.read(sql`SELECT tenant_id, id FROM events`));
    return out;
  }
  for (let i = 0; i < ids.length; i += CHUNK) {
    add(await db.read(sql`SELECT tenant_id, id FROM events WHERE id IN (${join(ids.slice(i, i + CHUNK).map((id) => sql`${id}`))})`));
  }
  return out;
}

export async function unenrichedClientIps(db: Db): Promise<string[]> {
  const rows = await db.read(sql`SELECT DISTINCT client_ip AS ip FROM events WHERE client_ip IS NOT NULL AND client_ip <> '' AND country IS NULL AND asn IS NULL`);
  return rows.map((r) => String(r['ip']));
}

export function enrichClientIp(db: Db, ip: string, e: Enrichment): Promise<number> {
  return db.write(
    sql`UPDATE events SET country = ${e.country}, city = ${e.city}, latitude = ${e.latitude}, longitude = ${e.longitude}, asn = ${e.asn}, as_org = ${e.asOrg} WHERE client_ip = ${ip} AND country IS NULL AND asn IS NULL`,
  );
}

export async function collectionStats(db: Db, o: CollectionStatsOptions): Promise<CollectionStats> {
  const today = new Date(o.today);
  // One after the other: the store serialises its connections, and a daemon's pass may be committing.
  const events = o.events === false ? [] : await db.read(sql`SELECT tenant_id, content_type, count(*) AS records,
        sum(CASE WHEN ingested_at >= ${today} THEN 1 ELSE 0 END) AS records_today,
        epoch_ms(max(creation_time)) AS newest_event, epoch_ms(max(ingested_at)) AS newest_ingest
      FROM events GROUP BY tenant_id, content_type`);
  const ledger = await db.read(sql`SELECT tenant_id, content_type, count(*) AS blobs,
        sum(CASE WHEN ingested_at >= ${today} THEN 1 ELSE 0 END) AS blobs_today,
        epoch_ms(min(content_created)) AS oldest_created, epoch_ms(max(content_created)) AS newest_created
      FROM blob_ledger WHERE content_created >= ${new Date(o.ledgerSince)} GROUP BY tenant_id, content_type`);
  const gaps = await db.read(sql`SELECT tenant_id, content_type, code, count(*) AS n, epoch_ms(min(window_start)) AS first_start, epoch_ms(max(window_end)) AS last_end
      FROM gaps GROUP BY tenant_id, content_type, code`);
  const dead = await db.read(sql`SELECT tenant_id, content_type, count(*) AS n FROM dead_letters GROUP BY tenant_id, content_type`);
  return {
    events: events.map((r) => ({
      tenantId: String(r['tenant_id'] ?? ''),
      contentType: strOrNull(r['content_type']),
      records: Number(r['records'] ?? 0),
      recordsToday: Number(r['records_today'] ?? 0),
      newestEvent: numOrNull(r['newest_event']),
      newestIngest: numOrNull(r['newest_ingest']),
    })),
    ledger: ledger.map((r) => ({
      tenantId: String(r['tenant_id']),
      contentType: String(r['content_type']),
      blobs: Number(r['blobs'] ?? 0),
      blobsToday: Number(r['blobs_today'] ?? 0),
      oldestCreated: numOrNull(r['oldest_created']),
      newestCreated: numOrNull(r['newest_created']),
    })),
    gaps: gaps.map((r) => ({
      tenantId: String(r['tenant_id']),
      contentType: String(r['content_type']),
      code: String(r['code']),
      count: Number(r['n'] ?? 0),
      firstStart: numOrNull(r['first_start']),
      lastEnd: numOrNull(r['last_end']),
    })),
    deadLetters: dead.map((r) => ({ tenantId: strOrNull(r['tenant_id']), contentType: strOrNull(r['content_type']), count: Number(r['n'] ?? 0) })),
  };
}
