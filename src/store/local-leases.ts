// Leases kept in the process's memory, for the embedded DuckDB store: its file lock lets one process
// open it, so every collector worker and the daemon's leader duties are in that process and in-process
// leases are all the exclusion needed. They honour the leases port in full (conformance/leases.ts runs
// on them), so the collector and the daemon run the same code on every engine. Nothing survives the
// process, which is right: the next process to open the file starts with every lease free.

import { AppError } from '../core/index.js';
import type { Lease, LeaseKey, LeasesPort } from './types.js';

const id = (k: LeaseKey) => `${k.tenantId}\u0001${k.contentType}`;

function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`A lease TTL must be a positive number of milliseconds (got ${ttlMs}).`);
}

/** An ingest commit fenced by leases this process no longer holds: nothing of it is committed. */
export function leaseLostError(lost: readonly LeaseKey[]): AppError {
  const names = lost.slice(0, 3).map((k) => `${k.tenantId} ${k.contentType}`).join(', ');
  return new AppError('lease_lost', `This process lost the lease of ${names}${lost.length > 3 ? ` and ${lost.length - 3} more` : ''} (it expired and another collector took it over), so its commit was refused; that collector collects them now (raise collect.leases.ttl if this repeats).`);
}

export interface LocalLeases extends LeasesPort {
  /** True while `lease` (holder and token) is the current lease of its key, expired or not: no one took it since. */
  holds(lease: Lease): boolean;
}

/** In-memory leases; `shared` lets tests give two handles on one table. */
export function localLeases(shared: Map<string, Lease> = new Map()): LocalLeases {
  const rows = shared;
  const take = (key: LeaseKey, holder: string, ttlMs: number, now: number): Lease => {
    const prior = rows.get(id(key));
    const lease: Lease = { tenantId: key.tenantId, contentType: key.contentType, holder, token: (prior?.token ?? 0) + 1, acquiredAt: now, expiresAt: now + ttlMs };
    rows.set(id(key), lease);
    return { ...lease };
  };
  const heldBy = (l: Lease) => {
    const row = rows.get(id(l));
    return row && row.holder === l.holder && row.token === l.token ? row : null;
  };
  return {
    holds: (lease) => heldBy(lease) !== null,
    async acquire(key, holder, ttlMs, now) {
      checkTtl(ttlMs);
      const row = rows.get(id(key));
      if (row && row.expiresAt > now && row.holder !== holder) return null;
      return take(key, holder, ttlMs, now);
    },
    async acquireAny(keys, holder, ttlMs, now, limit) {
      checkTtl(ttlMs);
      const distinct = [...new Map(keys.map((k) => [id(k), k])).values()];
      const free = distinct
        .filter((k) => (rows.get(id(k))?.expiresAt ?? 0) <= now)
        .sort((a, b) => (rows.get(id(a))?.expiresAt ?? 0) - (rows.get(id(b))?.expiresAt ?? 0) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0))
        .slice(0, Math.max(0, Math.floor(limit)));
      return free.map((k) => take(k, holder, ttlMs, now)).sort((a, b) => a.tenantId.localeCompare(b.tenantId) || a.contentType.localeCompare(b.contentType));
    },
    async renew(lease, ttlMs, now) {
      checkTtl(ttlMs);
      const row = heldBy(lease);
      if (!row || row.expiresAt <= now) return null;
      row.expiresAt = now + ttlMs;
      return { ...row };
    },
    async release(lease, now) {
      const row = heldBy(lease);
      if (!row || row.expiresAt <= now) return false;
      row.expiresAt = now;
      return true;
    },
    async list() {
      return [...rows.values()].map((l) => ({ ...l })).sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
    },
  };
}
