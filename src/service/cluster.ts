// Several collect daemons on one shared store (ClickHouse + PostgreSQL): which process is this (its
// holder id), the leader lease that makes detection, alert delivery and scheduled reports run in one
// process at a time cluster-wide, and the settle lag detection needs while other processes commit.
// The collectors' own leases (tenant × content type) are collect/leases.ts's.
//
// The leader: every process tries to take "*cluster"/"leader" every third of the lease TTL and renews it
// while it has it; the services of DAEMON_PLUGINS run only while it is held (leaderOnly). A leader
// that dies stops renewing, and another process takes over once the lease expired, resuming from the
// state in PostgreSQL (detection watermarks and evidence, the outbox, report runs). A leader checks its
// lease by the clock before each delivery, so one that stalled past its TTL sends nothing more.
//
// The settle lag: each process stamps its records' ingested_at when its transaction starts, and they
// become visible when it commits, so across processes stamps do not reach ClickHouse in order; with
// other processes alive, incremental detection reads only what was committed collect.leases.settle ago.
//
// With DuckDB (one process per file) there is nothing to share: this process leads, no lag.

import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AppError, errorMessage, safeLine, type Clock, type Logger } from '../core/index.js';
import { MEMBER_TENANT, type CollectorLeases } from '../collect/index.js';
import type { Lease, Store } from '../store/index.js';
import type { Config } from './config.js';
import type { DaemonService } from './plugins.js';

/** This process in lease holders and status: host/pid, and a nonce so that a reused pid is another holder. */
export const PROCESS_HOLDER = `${hostname().slice(0, 100)}/${process.pid}-${randomBytes(2).toString('hex')}`;

export const LEADER_KEY = { tenantId: '*cluster', contentType: 'leader' } as const;

/** True when several processes may share the store (so leases are used). */
export function sharedStore(store: Pick<Store, 'kind'>): boolean {
  return store.kind === 'clickhouse';
}

/** The collector's leases for a config and store, or undefined when the store is not shared. */
export function collectorLeasesFor(config: Pick<Config, 'collect'>, store: Store): CollectorLeases | undefined {
  return sharedStore(store) ? { port: store.leases, holder: PROCESS_HOLDER, ttlMs: config.collect.leases.ttl } : undefined;
}

export interface Leadership {
  /** Holding the leader lease now (by this process's clock). */
  isLeader(): boolean;
  /** Takes (or renews) the lease once; true when this process leads. */
  tryLead(): Promise<boolean>;
  /** Keeps trying to take, and renewing, the lease every third of its TTL until close(). */
  start(): void;
  /** Runs `fn` whenever this process leads, with a signal that aborts when it stops leading; resolves after `signal`. */
  whileLeader(signal: AbortSignal, fn: (signal: AbortSignal) => Promise<void>): Promise<void>;
  /** The current lease (null when not leading). */
  lease(): Lease | null;
  /**
   * Runs a detection job (a pass, or a `detect` asked of the daemon) with no other job of this process
   * beside it, and on a shared store only while this process leads (else refused, naming the leader).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Stops trying, gives the lease back. */
  close(): Promise<void>;
}

/** One job at a time: each call runs after the ones before it have ended. */
function oneAtATime(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

async function leaderBusy(store: Store, now: number): Promise<AppError> {
  const held = (await store.leases.list()).find((l) => l.tenantId === LEADER_KEY.tenantId && l.contentType === LEADER_KEY.contentType && l.expiresAt > now);
  const who = held ? ` (${safeLine(held.holder, 120)})` : '';
  return new AppError('leader_busy', `Another collect process leads detection on this shared store${who}, so detection runs there: run \`auditwatch detect\` on that process's host (it is forwarded to its daemon), or stop the daemons first; \`auditwatch hunt\` looks without alerting.`);
}

export function createLeadership(o: { store: Store; clock: Clock; logger: Logger; ttlMs: number; holder?: string }): Leadership {
  const { store, clock, logger } = o;
  const turn = oneAtATime();
  if (!sharedStore(store)) {
    return { isLeader: () => true, tryLead: async () => true, start: () => {}, whileLeader: (signal, fn) => fn(signal), lease: () => null, exclusive: turn, close: async () => {} };
  }
  const holder = o.holder ?? PROCESS_HOLDER;
  const every = Math.max(100, Math.floor(o.ttlMs / 3));
  let current: Lease | null = null;
  let changed: (() => void)[] = [];
  let stopping = false;
  let loop: Promise<void> | null = null;
  const stop = new AbortController();
  const notify = () => {
    for (const w of changed.splice(0)) w();
  };
  const isLeader = () => current !== null && current.expiresAt > clock.now();

  const tryLead = async (): Promise<boolean> => {
    const was = isLeader();
    try {
      // acquire renews when the lease is ours already; taken by another, it is null.
      current = await store.leases.acquire(LEADER_KEY, holder, o.ttlMs, clock.now());
    } catch (err) {
      logger.warn('The leader lease could not be taken or renewed; trying again.', { error: errorMessage(err) });
      if (current && current.expiresAt <= clock.now()) current = null;
    }
    const now = isLeader();
    if (now !== was) {
      logger.info(now ? 'This process leads: detection, alert delivery and reports run here.' : 'This process no longer leads; another one runs detection, delivery and reports.', { holder });
      notify();
    }
    return now;
  };

  const start = () => {
    if (loop || stopping) return;
    loop = (async () => {
      while (!stop.signal.aborted) {
        await tryLead();
        try {
          await clock.sleep(every, stop.signal);
        } catch {
          return;
        }
      }
    })();
  };

  const waitChange = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      changed.push(done);
      signal.addEventListener('abort', done, { once: true });
    });

  return {
    isLeader,
    tryLead,
    start,
    lease: () => (isLeader() ? current : null),
    exclusive: (fn) =>
      turn(async () => {
        if (!isLeader() && !(await tryLead())) throw await leaderBusy(store, clock.now());
        return fn();
      }),
    async whileLeader(signal, fn) {
      start();
      while (!signal.aborted) {
        if (!isLeader()) {
          await waitChange(signal);
          continue;
        }
        const lost = new AbortController();
        const onAbort = () => lost.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        // Leadership ends at the lease's expiry unless renewed: watch both.
        const watch = (async () => {
          while (!lost.signal.aborted) {
            if (!isLeader()) return lost.abort();
            await clock.sleep(Math.max(50, Math.min(every, (current?.expiresAt ?? 0) - clock.now())), lost.signal).catch(() => undefined);
          }
        })();
        try {
          await fn(AbortSignal.any([signal, lost.signal]));
        } catch (err) {
          if (!lost.signal.aborted && !signal.aborted) logger.error('A leader service stopped with an error; it starts again while this process leads.', { error: errorMessage(err) });
        } finally {
          lost.abort();
          signal.removeEventListener('abort', onAbort);
          await watch;
        }
        if (!signal.aborted) await clock.sleep(every, signal).catch(() => undefined);
      }
    },
    async close() {
      stopping = true;
      stop.abort();
      await loop;
      notify();
      changed = [];
      const l = current;
      current = null;
      if (l) await store.leases.release(l, clock.now()).catch(() => false);
    },
  };
}

/**
 * Runs a hand-run `auditwatch detect` job as the cluster's leader: on a shared store it takes the leader
 * lease for the job, renewing it meanwhile, and gives it back after, so no daemon's pass runs beside it
 * (the two would both find the same evidence new). When a daemon leads, the job is refused with that
 * daemon's name. A DuckDB store has one process: the job just runs.
 */
export async function asLeader<T>(o: { store: Store; clock: Clock; logger: Logger; ttlMs: number }, fn: () => Promise<T>): Promise<T> {
  const leadership = createLeadership(o);
  try {
    return await leadership.exclusive(async () => {
      leadership.start();
      return fn();
    });
  } finally {
    await leadership.close();
  }
}

/** A service of DAEMON_PLUGINS run only while this process leads. */
export function leaderOnly(s: DaemonService, leader: Leadership): DaemonService {
  const out: DaemonService = { ...s };
  if (s.afterCommit) out.afterCommit = (b) => (leader.isLeader() ? s.afterCommit!(b) : undefined);
  if (s.afterPass) out.afterPass = (p) => (leader.isLeader() ? s.afterPass!(p) : undefined);
  if (s.run) out.run = (signal) => leader.whileLeader(signal, (sig) => s.run!(sig));
  if (s.once) {
    out.once = async () => {
      if (await leader.tryLead()) return s.once!();
      return [];
    };
  }
  return out;
}

/** Whether a collect process other than this one is alive (holds its member lease). */
export async function othersAlive(store: Store, clock: Clock, holder = PROCESS_HOLDER): Promise<boolean> {
  const now = clock.now();
  return (await store.leases.list()).some((l) => l.tenantId === MEMBER_TENANT && l.holder !== holder && l.expiresAt > now);
}

/**
 * The store as detection should see it: on a shared store, while other processes are alive, the commit
 * watermark is held `settleMs` behind the clock, so records another process stamped earlier but has not
 * committed yet are read in a later pass rather than passed over.
 */
export function settledStore(store: Store, clock: Clock, settleMs: number): Store {
  if (!sharedStore(store)) return store;
  const commitWatermark = async (): Promise<number | null> => {
    const w = await store.commitWatermark();
    if (w === null || !(await othersAlive(store, clock))) return w;
    return Math.min(w, clock.now() - settleMs);
  };
  return new Proxy(store, {
    get: (target, prop) => {
      if (prop === 'commitWatermark') return commitWatermark;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
