// The collection status per tenant × content type: subscription, cursor, lag, last error, records and
// blobs today, gaps, dead letters, and warnings (silent types, expired content). Computed from the
// store (cursors, ledger, gaps, dead letters, events), merged with the live state of a running
// collector when the daemon computes it.

import { DAY, HOUR, MINUTE, formatDuration, safeLine } from '../core/index.js';
import type { TenantConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { CLOCK_WARNING_MS, clockSkewText, loadWorkerStates, skewCorrection, type WorkerStatus } from '../collect/index.js';
import { outboxHealth, type DestinationHealth } from '../alerts/index.js';
import { MEMBER_TENANT } from '../collect/index.js';
import { LEADER_KEY, sharedStore } from './cluster.js';
import { unfinishedCopy } from './store-copy.js';

export interface StatusEntry {
  tenant: string;
  tenantId: string;
  contentType: string;
  subscription: string;
  /** ISO times, or null. */
  cursor: string | null;
  newestContentCreated: string | null;
  lagSeconds: number | null;
  newestEvent: string | null;
  eventLagSeconds: number | null;
  lastError: { code: string; message: string; at: string } | null;
  /** End of the last pass that collected everything it listed (ISO), or null. */
  lastSuccess: string | null;
  recordsToday: number;
  blobsToday: number;
  records: number;
  gaps: number;
  expiredGaps: number;
  deadLetters: number;
  /** The tenant's adaptive request budget (requests a minute), its ceiling and AF429 answers; null without a running collector. */
  budget: { perMinute: number; ceilingPerMinute: number; throttled: number } | null;
  /** On a shared store: the process collecting it now (its live lease), or null when the lease is free. */
  lease: LeaseView | null;
  warnings: string[];
}

/** A live lease as status shows it. */
export interface LeaseView {
  /** The process (host/pid-nonce). */
  holder: string;
  /** Grows by one with every take-over. */
  token: number;
  acquiredAt: string;
  expiresAt: string;
}

/** The collect processes sharing the store (leases in PostgreSQL); only on a shared store. */
export interface ClusterStatus {
  /** The process running detection, alert delivery and reports now, or null (none: the lease is free). */
  leader: LeaseView | null;
  /** Every live collect process (its member lease) and how many tenant × content types it holds. */
  processes: (LeaseView & { leases: number })[];
}

export interface StatusReport {
  now: string;
  source: 'store' | 'daemon';
  /** The daemon's services' own status (by service name); only from the daemon. */
  services?: Record<string, unknown>;
  entries: StatusEntry[];
  /** Alert delivery per destination (the outbox). */
  destinations: DestinationHealth[];
  /** Which process holds what, when several may share the store (ClickHouse + PostgreSQL). */
  cluster?: ClusterStatus;
  warnings: string[];
}

const SILENT_FLOOR = 30 * MINUTE;
const SILENT_CAP = 6 * HOUR;
const EXPIRED_CODES = new Set(['AF20051', 'expired', 'expired-before-listed']);

type Key = string;
const key = (tenantId: string, contentType: string | null): Key => `${tenantId}\u0000${contentType ?? ''}`;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * `records: false` leaves out what only the events table knows (records, records today, the newest event
 * time and the event lag, which then read 0 and null): the overview asks that way, as counting the
 * records reads the whole table on every call.
 */
export interface StatusOptions {
  records?: boolean;
}

export async function computeStatus(
  store: Store,
  tenants: readonly TenantConfig[],
  now: number,
  live: readonly WorkerStatus[] = [],
  options: StatusOptions = {},
): Promise<StatusReport> {
  const midnight = Math.floor(now / DAY) * DAY;
  const stats = await store.collectionStats({ today: midnight, ledgerSince: now - 8 * DAY, events: options.records !== false });
  const saved = new Map((await loadWorkerStates(store)).map((x) => [key(x.tenantId, x.contentType), x]));
  const byKey = <T extends { tenantId: string | null; contentType: string | null }>(rows: T[]) => {
    const m = new Map<Key, T[]>();
    for (const r of rows) {
      const k = key(r.tenantId ?? '', r.contentType);
      m.set(k, [...(m.get(k) ?? []), r]);
    }
    return m;
  };
  const leases = sharedStore(store) ? (await store.leases.list()).filter((l) => l.expiresAt > now) : null;
  const view = (l: { holder: string; token: number; acquiredAt: number; expiresAt: number }): LeaseView => ({
    holder: safeLine(l.holder, 120), token: l.token, acquiredAt: iso(l.acquiredAt)!, expiresAt: iso(l.expiresAt)!,
  });
  const ev = byKey(stats.events);
  const led = byKey(stats.ledger);
  const gp = byKey(stats.gaps);
  const dl = byKey(stats.deadLetters);
  const entries: StatusEntry[] = [];
  for (const t of tenants) {
    for (const ct of t.contentTypes) {
      const k = key(t.tenantId, ct);
      const w = live.find((x) => x.tenantId === t.tenantId && x.contentType === ct);
      const p = saved.get(k);
      // The live state once this process has finished a pass for it; until then what the last pass saved.
      const liveRan = w !== undefined && (w.lastError !== null || w.lastSuccess !== null);
      const lastError = liveRan ? w.lastError : p?.lastError ?? null;
      const lastSuccess = maxOf(w?.lastSuccess ?? null, p?.lastSuccess ?? null);
      const liveSub = w && w.subscription !== 'unknown' ? w.subscription : undefined;
      const savedSub = p && p.subscription !== 'unknown' ? p.subscription : undefined;
      // contentCreated is the API's time: compare it with the API's clock when the daemon knows the skew.
      const apiNow = now + skewCorrection(w?.clockSkewMs ?? null);
      const cursor = (await store.getCursor(t.tenantId, ct))?.position ?? w?.cursor ?? null;
      const e = ev.get(k)?.[0];
      const l = led.get(k)?.[0];
      const newestCreated = maxOf(l?.newestCreated ?? null, w?.newestContentCreated ?? null);
      const newestEvent = maxOf(e?.newestEvent ?? null, w?.lastEventTime ?? null);
      const newestIngest = e?.newestIngest ?? null;
      const blobs = l?.blobs ?? 0;
      const warnings: string[] = [];
      let gapCount = 0;
      let expired = 0;
      for (const g of gp.get(k) ?? []) {
        gapCount += g.count;
        const span = `${iso(g.firstStart)?.slice(0, 16)} to ${iso(g.lastEnd)?.slice(0, 16)}`;
        if (EXPIRED_CODES.has(g.code)) {
          expired += g.count;
          warnings.push(
            g.code === 'expired-before-listed'
              ? `${g.count} span(s) became older than the API's 7 days before they were listed (${span}); import a Purview export for that period`
              : `${g.count} blob(s) expired before they were collected (${span}); import a Purview export for that period`,
          );
        } else {
          warnings.push(`${g.count} gap(s) [${safeLine(g.code, 40)}]: content the API could not give`);
        }
      }
      if (newestCreated !== null) {
        const oldest = l?.oldestCreated ?? newestCreated;
        const usualGap = blobs > 1 ? (newestCreated - oldest) / (blobs - 1) : SILENT_CAP;
        const threshold = Math.min(Math.max(3 * usualGap, SILENT_FLOOR), SILENT_CAP);
        if (apiNow - newestCreated > threshold) {
          warnings.push(`silent for ${formatDuration(apiNow - newestCreated)}: no new blob (usually one every ${formatDuration(usualGap)}); check the subscription and the tenant's audit logging`);
        }
      }
      if (w?.clockSkewMs != null && Math.abs(w.clockSkewMs) >= CLOCK_WARNING_MS) warnings.push(`${clockSkewText(w.clockSkewMs)}; windows follow the API's clock`);
      if (lastError) warnings.push(`last error (${iso(lastError.at)?.slice(0, 16).replace('T', ' ')}): ${safeLine(lastError.message, 300)}`);
      entries.push({
        tenant: t.name,
        tenantId: t.tenantId,
        contentType: ct,
        subscription: liveSub ?? savedSub ?? (cursor !== null || blobs > 0 ? 'enabled' : 'unknown'),
        cursor: iso(cursor),
        newestContentCreated: iso(newestCreated),
        lagSeconds: newestCreated === null ? null : Math.round((apiNow - newestCreated) / 1000),
        newestEvent: iso(newestEvent),
        eventLagSeconds:
          w?.eventLagMs != null ? Math.round(w.eventLagMs / 1000) : newestEvent !== null && newestIngest !== null ? Math.round((newestIngest - newestEvent) / 1000) : null,
        lastError: lastError ? { code: safeLine(lastError.code, 40), message: safeLine(lastError.message, 500), at: iso(lastError.at)! } : null,
        lastSuccess: iso(lastSuccess),
        recordsToday: Math.max(e?.recordsToday ?? 0, w?.recordsToday ?? 0),
        blobsToday: Math.max(l?.blobsToday ?? 0, w?.blobsToday ?? 0),
        records: e?.records ?? 0,
        gaps: gapCount,
        expiredGaps: expired,
        deadLetters: dl.get(k)?.[0]?.count ?? 0,
        budget: w && w.requestCeilingPerMinute > 0 ? { perMinute: w.requestsPerMinute, ceilingPerMinute: w.requestCeilingPerMinute, throttled: w.throttled } : null,
        lease: (() => {
          const l = leases?.find((x) => x.tenantId === t.tenantId && x.contentType === ct);
          return l ? view(l) : null;
        })(),
        warnings,
      });
    }
  }
  const orphanDead = [...dl.entries()].filter(([k]) => k.endsWith('\u0000')).reduce((s, [, r]) => s + (r[0]?.count ?? 0), 0);
  const top: string[] = [];
  if (orphanDead > 0) top.push(`${orphanDead} imported record(s) were rejected; see the dead_letters table`);
  const copying = await unfinishedCopy(store);
  if (copying) top.push(copying);
  const destinations = await outboxHealth(store, now);
  for (const d of destinations) {
    if (d.failingSince !== null) {
      top.push(`alert destination ${d.destination} has been failing since ${d.failingSince} (${d.pending} pending): ${d.lastError ?? 'no error recorded'}; check it with auditwatch notify test ${d.destination}`);
    } else if (d.failed > 0) {
      top.push(`alert destination ${d.destination} gave up on ${d.failed} alert(s): ${d.lastError ?? 'no error recorded'}; fix it and check with auditwatch notify test ${d.destination}`);
    }
  }
  const report: StatusReport = { now: iso(now)!, source: 'store', entries, destinations, warnings: top };
  if (leases) {
    const leader = leases.find((l) => l.tenantId === LEADER_KEY.tenantId && l.contentType === LEADER_KEY.contentType);
    report.cluster = {
      leader: leader ? view(leader) : null,
      processes: leases.filter((l) => l.tenantId === MEMBER_TENANT).map((m) => ({ ...view(m), leases: leases.filter((l) => !l.tenantId.startsWith('*') && l.holder === m.holder).length })),
    };
  }
  return report;
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** The report as a terminal table plus warning lines; every value from the store is escaped. */
export function renderStatus(r: StatusReport): string {
  const head = ['tenant', 'content type', 'sub', 'cursor', 'lag', 'event lag', 'today rec/blobs', 'records', 'gaps', 'dead', 'last error'];
  const rows = r.entries.map((e) => [
    safeLine(e.tenant, 24),
    e.contentType,
    safeLine(e.subscription, 10),
    e.cursor ? e.cursor.slice(0, 16).replace('T', ' ') : '-',
    e.lagSeconds === null ? '-' : formatDuration(e.lagSeconds * 1000),
    e.eventLagSeconds === null ? '-' : formatDuration(Math.max(0, e.eventLagSeconds) * 1000),
    `${e.recordsToday}/${e.blobsToday}`,
    String(e.records),
    String(e.gaps),
    String(e.deadLetters),
    e.lastError ? safeLine(`${e.lastError.code}: ${e.lastError.message}`, 50) : '-',
  ]);
  if (r.cluster) {
    head.push('held by');
    r.entries.forEach((e, i) => rows[i]!.push(e.lease ? `${safeLine(e.lease.holder, 40)} (to ${e.lease.expiresAt.slice(11, 19)})` : 'free'));
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [`status at ${r.now.slice(0, 19).replace('T', ' ')} UTC (from the ${r.source === 'daemon' ? 'running collect daemon' : 'store'})`, fmt(head), ...rows.map(fmt)];
  // One budget per tenant, shared by its content types: shown once, only while a collector runs.
  const budgets = new Map<string, { tenant: string; budget: NonNullable<StatusEntry['budget']> }>();
  for (const e of r.entries) if (e.budget && !budgets.has(e.tenantId)) budgets.set(e.tenantId, { tenant: e.tenant, budget: e.budget });
  if (budgets.size) {
    lines.push('', 'request budget (per tenant; halves on AF429, grows back while answers succeed):');
    for (const { tenant, budget: b } of budgets.values()) {
      lines.push(`  ${safeLine(tenant, 40)}: ${b.perMinute} requests/min now (ceiling ${b.ceilingPerMinute}), ${b.throttled} throttled (AF429)`);
    }
  }
  if (r.cluster) {
    const c = r.cluster;
    lines.push('', `collect processes sharing the store (${c.processes.length} alive):`);
    lines.push(`  leader (detection, alert delivery, reports): ${c.leader ? `${safeLine(c.leader.holder, 80)}, lease to ${c.leader.expiresAt.slice(0, 19).replace('T', ' ')}` : 'none now (the next process to renew takes it)'}`);
    for (const p of c.processes) lines.push(`  ${safeLine(p.holder, 80)}: ${p.leases} tenant × content type lease(s), alive to ${p.expiresAt.slice(0, 19).replace('T', ' ')}`);
  }
  if (r.destinations.length) {
    lines.push('', 'alert destinations:');
    for (const d of r.destinations) {
      lines.push(`  ${safeLine(d.destination, 40)}: ${d.delivered} delivered, ${d.pending} pending, ${d.failed} given up${d.failingSince ? `, failing since ${d.failingSince.slice(0, 19).replace('T', ' ')}` : ''}`);
    }
  }
  for (const e of r.entries) for (const w of e.warnings) lines.push(`warning: ${safeLine(e.tenant, 24)} ${e.contentType}: ${safeLine(w, 400)}`);
  for (const w of r.warnings) lines.push(`warning: ${safeLine(w, 400)}`);
  return `${lines.join('\n')}\n`;
}
