// The leases port: which process works on which tenant × content type, so several collector processes
// on one shared state store never poll the same feed at once. A lease is held until it expires; the
// holder renews it while it works and releases it when done; a process that dies simply stops renewing,
// and another takes the lease over once it has expired. Every acquisition bumps the lease's token, a
// fencing number: a write stamped with an older token comes from a holder that lost the lease.
//
// Times are epoch ms from the caller's (injected) clock, so the hosts' clocks must agree to well within
// a TTL (NTP does); a TTL of a few collection intervals leaves room for that and for slow passes.
//
// What each engine guarantees:
// - PostgreSQL (store/postgres): `acquire` is one INSERT … ON CONFLICT DO UPDATE … WHERE (free, expired
//   or already ours) … RETURNING: of racing processes exactly one gets the lease. `acquireAny` picks
//   free or expired leases with SELECT … FOR UPDATE SKIP LOCKED, so racing processes take disjoint sets
//   without waiting for one another. `renew` and `release` are conditional on holder and token.
// - DuckDB holds one process per file (its lock), so its leases are in-process (store/local-leases.ts):
//   the same port and guarantees, kept in memory, gone with the process.
//
// Keys: a tenant × content type for a collector worker; the daemon also keeps its own keys under tenant
// ids starting with "*" (never a tenant's GUID): "*cluster"/"leader" for the leader and
// "*process"/HOLDER for each live process (service/cluster.ts).

export interface LeaseKey {
  tenantId: string;
  contentType: string;
}

export interface Lease extends LeaseKey {
  holder: string;
  /** The fencing number: grows by one with every acquisition of this key. */
  token: number;
  acquiredAt: number;
  expiresAt: number;
}

export interface LeasesPort {
  /** Takes the lease when it is free, expired or already `holder`'s (then renewed, with a new token); null when another holds it. */
  acquire(key: LeaseKey, holder: string, ttlMs: number, now: number): Promise<Lease | null>;
  /** Takes up to `limit` of `keys` that are free or expired (never waiting on a racing process), oldest-expired first. */
  acquireAny(keys: readonly LeaseKey[], holder: string, ttlMs: number, now: number, limit: number): Promise<Lease[]>;
  /** Extends a lease still held with this token and returns it; null when it was lost (expired and taken, or released). */
  renew(lease: Lease, ttlMs: number, now: number): Promise<Lease | null>;
  /** Gives a lease back at once; false when it was no longer held with this token. */
  release(lease: Lease, now: number): Promise<boolean>;
  /** Every lease ever taken, held or not (expiresAt in the past: free), by tenant and content type. */
  list(): Promise<Lease[]>;
}
