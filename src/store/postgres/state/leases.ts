// Leases per tenant × content type in PostgreSQL (collector_leases, migration 5); see ports/leases.ts.
// A row per key once it was first taken; a free lease is one whose expires_at has passed.

import { sql } from '../../sql/index.js';
import type { Lease, LeaseKey, LeasesPort } from '../../types.js';
import { at, msCol, num, str, type PgDb, type PgRow } from './db.js';

const COLUMNS = sql`tenant_id, content_type, holder, token, ${msCol('acquired_at')}, ${msCol('expires_at')}`;

function toLease(r: PgRow): Lease {
  return { tenantId: str(r['tenant_id']), contentType: str(r['content_type']), holder: str(r['holder']), token: num(r['token']), acquiredAt: num(r['acquired_at']), expiresAt: num(r['expires_at']) };
}

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`A lease TTL must be a positive number of milliseconds (got ${ttlMs}).`);
}

/** Distinct keys in one order, so writers that take several lock them in the same order. */
function sortedKeys(keys: readonly LeaseKey[]): LeaseKey[] {
  const seen = new Map<string, LeaseKey>();
  for (const k of keys) seen.set(`${k.tenantId}\u0001${k.contentType}`, k);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
}

export function postgresLeases(db: PgDb): LeasesPort {
  return {
    async acquire(key, holder, ttlMs, now) {
      checkTtl(ttlMs);
      const rows = await db.read(sql`INSERT INTO collector_leases AS l (tenant_id, content_type, holder, token, acquired_at, expires_at)
        VALUES (${key.tenantId}, ${key.contentType}, ${holder}, 1, ${at(now)}, ${at(now + ttlMs)})
        ON CONFLICT (tenant_id, content_type) DO UPDATE SET holder = excluded.holder, token = l.token + 1, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        WHERE l.expires_at <= ${at(now)} OR l.holder = excluded.holder
        RETURNING ${COLUMNS}`);
      return rows[0] ? toLease(rows[0]) : null;
    },
    async acquireAny(keys, holder, ttlMs, now, limit) {
      checkTtl(ttlMs);
      const wanted = sortedKeys(keys);
      if (wanted.length === 0 || limit <= 0) return [];
      const [tenants, types] = [wanted.map((k) => k.tenantId), wanted.map((k) => k.contentType)];
      return db.atomic(async (tx) => {
        // Keys never taken get a free row first, so the pick below can lock and skip them like the others.
        await tx.write(sql`INSERT INTO collector_leases (tenant_id, content_type, holder, token, acquired_at, expires_at)
          SELECT t, c, '', 0, ${at(0)}, ${at(0)} FROM unnest(${tenants}::text[], ${types}::text[]) AS k(t, c) ON CONFLICT DO NOTHING`);
        const rows = await tx.read(sql`UPDATE collector_leases AS l SET holder = ${holder}, token = l.token + 1, acquired_at = ${at(now)}, expires_at = ${at(now + ttlMs)}
          FROM (SELECT tenant_id, content_type FROM collector_leases
                WHERE (tenant_id, content_type) IN (SELECT * FROM unnest(${tenants}::text[], ${types}::text[])) AND expires_at <= ${at(now)}
                ORDER BY expires_at, tenant_id, content_type LIMIT ${Math.floor(limit)} FOR UPDATE SKIP LOCKED) AS free
          WHERE l.tenant_id = free.tenant_id AND l.content_type = free.content_type
          RETURNING l.tenant_id, l.content_type, l.holder, l.token, round(extract(epoch from l.acquired_at) * 1000)::bigint AS acquired_at, round(extract(epoch from l.expires_at) * 1000)::bigint AS expires_at`);
        return rows.map(toLease).sort((a, b) => a.tenantId.localeCompare(b.tenantId) || a.contentType.localeCompare(b.contentType));
      });
    },
    async renew(lease, ttlMs, now) {
      checkTtl(ttlMs);
      const rows = await db.read(sql`UPDATE collector_leases SET expires_at = ${at(now + ttlMs)}
        WHERE tenant_id = ${lease.tenantId} AND content_type = ${lease.contentType} AND holder = ${lease.holder} AND token = ${lease.token} AND expires_at > ${at(now)}
        RETURNING ${COLUMNS}`);
      return rows[0] ? toLease(rows[0]) : null;
    },
    async release(lease, now) {
      const n = await db.write(sql`UPDATE collector_leases SET expires_at = ${at(now)}
        WHERE tenant_id = ${lease.tenantId} AND content_type = ${lease.contentType} AND holder = ${lease.holder} AND token = ${lease.token} AND expires_at > ${at(now)}`);
      return n > 0;
    },
    async list() {
      const rows = await db.read(sql`SELECT ${COLUMNS} FROM collector_leases WHERE token > 0 ORDER BY tenant_id, content_type`);
      return rows.map(toLease);
    },
  };
}
