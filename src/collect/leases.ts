// Leases for collectors sharing one store (ClickHouse + PostgreSQL): each tenant × content type is
// collected by one process at a time. Every process keeps a member lease ("*process"/HOLDER) while it
// runs, so all of them know how many share the work; at the start of each pass a process keeps or takes
// its fair share — ceil(keys / live processes) — releasing what is over it and taking free or expired
// leases up to it (acquireAny: racing processes take disjoint sets). Held leases are renewed every third
// of the TTL; one that cannot be renewed is lost: its worker is stopped, and the commit fenced by its
// token is refused by the store, so a process that stalled past its TTL never writes over the process
// that took its work. A process that dies stops renewing; its leases expire and the others take them
// at their next pass. Released at stop.

import { errorMessage, type Clock, type Logger } from '../core/index.js';
import type { Lease, LeaseKey, LeasesPort } from '../store/index.js';

/** The tenant id of the member leases (never a tenant's GUID). */
export const MEMBER_TENANT = '*process';

export interface CollectorLeases {
  port: LeasesPort;
  /** This process, as shown in status: host/pid plus a start nonce. */
  holder: string;
  ttlMs: number;
}

const idOf = (k: LeaseKey) => `${k.tenantId}\u0001${k.contentType}`;

export class LeaseKeeper {
  private readonly held = new Map<string, Lease>();
  /** The last lease of each key this process held (also once lost): what its commits are fenced with. */
  private readonly last = new Map<string, Lease>();
  private readonly lossSignals = new Map<string, AbortController>();
  private member: Lease | null = null;
  private renewing: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: CollectorLeases,
    private readonly keys: readonly LeaseKey[],
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** One lease operation at a time (the renewal loop and a pass's rebalance). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  holds(key: LeaseKey): boolean {
    return this.held.has(idOf(key));
  }

  /** The lease a commit of this key is fenced with (null when this process never held it). */
  fenceFor(key: LeaseKey): Lease | null {
    return this.last.get(idOf(key)) ?? null;
  }

  /** Aborts (with AppError lease_lost as the reason) when the lease of `key` is lost. */
  signalFor(key: LeaseKey): AbortSignal {
    let ac = this.lossSignals.get(idOf(key));
    if (!ac) this.lossSignals.set(idOf(key), (ac = new AbortController()));
    return ac.signal;
  }

  heldKeys(): LeaseKey[] {
    return [...this.held.values()].map((l) => ({ tenantId: l.tenantId, contentType: l.contentType }));
  }

  private keep(l: Lease): void {
    this.held.set(idOf(l), l);
    this.last.set(idOf(l), l);
    const ac = this.lossSignals.get(idOf(l));
    if (ac?.signal.aborted) this.lossSignals.delete(idOf(l)); // a new lease of the key: a fresh signal
  }

  private lose(l: Lease, why: string): void {
    this.held.delete(idOf(l));
    this.logger.warn('A collector lease was lost; its worker stops and another process collects it.', { tenant: l.tenantId, contentType: l.contentType, why });
    this.lossSignals.get(idOf(l))?.abort(new LeaseLost(l));
  }

  private async renewAll(now: number): Promise<void> {
    this.member = await this.o.port.acquire({ tenantId: MEMBER_TENANT, contentType: this.o.holder }, this.o.holder, this.o.ttlMs, now);
    for (const l of [...this.held.values()]) {
      const r = await this.o.port.renew(l, this.o.ttlMs, now);
      if (r) this.keep(r);
      else this.lose(l, 'it could not be renewed (it expired and was taken over, or released)');
    }
  }

  /** At the start of a pass: renews what is held, then keeps or takes this process's fair share. */
  rebalance(): Promise<void> {
    return this.serial(async () => {
      const now = this.clock.now();
      await this.renewAll(now);
      const all = await this.o.port.list();
      const members = new Set(all.filter((l) => l.tenantId === MEMBER_TENANT && l.expiresAt > now).map((l) => l.holder));
      members.add(this.o.holder);
      const share = Math.ceil(this.keys.length / members.size);
      const mine = [...this.held.values()].sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1));
      for (const extra of mine.slice(share)) {
        // Over the share (another process joined): given back for it to take.
        await this.o.port.release(extra, now);
        this.held.delete(idOf(extra));
      }
      const want = share - this.held.size;
      if (want > 0) {
        const free = this.keys.filter((k) => !this.held.has(idOf(k)));
        for (const l of await this.o.port.acquireAny(free, this.o.holder, this.o.ttlMs, now, want)) this.keep(l);
      }
      this.startRenewing();
    });
  }

  private startRenewing(): void {
    if (this.renewing) return;
    const ac = (this.renewing = new AbortController());
    const every = Math.max(100, Math.floor(this.o.ttlMs / 3));
    this.loop = (async () => {
      while (!ac.signal.aborted) {
        try {
          await this.clock.sleep(every, ac.signal);
        } catch {
          return;
        }
        await this.serial(() => this.renewAll(this.clock.now())).catch((err: unknown) =>
          this.logger.warn('Renewing the collector leases failed; they are tried again (they stay valid until they expire).', { error: errorMessage(err) }),
        );
      }
    })();
  }

  /** Stops renewing and gives every lease back (the others take them at their next pass). */
  async close(): Promise<void> {
    this.renewing?.abort();
    await this.loop;
    await this.serial(async () => {
      const now = this.clock.now();
      for (const l of [...this.held.values(), ...(this.member ? [this.member] : [])]) {
        await this.o.port.release(l, now).catch(() => false);
      }
      this.held.clear();
      this.member = null;
    });
  }
}

/** The abort reason of a worker whose lease was lost. */
export class LeaseLost extends Error {
  readonly code = 'lease_lost';
  constructor(readonly lease: Lease) {
    super(`The lease of ${lease.tenantId} ${lease.contentType} was lost; another collector process collects it now.`);
  }
}
