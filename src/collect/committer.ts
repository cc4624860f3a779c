// The collector's one ingest transaction, shared by every worker: blobs are gathered a few thousand rows
// at a time (one duplicate probe each), handed to the store (Store.openIngest), and committed together,
// with each worker's cursor, when the transaction holds `maxRows` rows, is `maxAgeMs` old, or a worker
// asks (the end of its pass). Large transactions are what make DuckDB ingest cheap; handing rows over
// as they come keeps memory flat.
//
// Exactly once: a worker's blobs count as committed only when the transaction holding them commits,
// and each cursor saved with a commit is computed by its worker from the blobs that commit holds.
// ingested_at is stamped once per transaction and grows strictly from one commit to the next, which
// detection's incremental watermark relies on (a row stamped earlier but committed later would fall
// behind a watermark that had already passed it).

import type { Clock } from '../core/index.js';
import type { BlobCommit, CommitResult, IngestSession, Lease, Store } from '../store/index.js';

/** A worker taking part in the shared transaction. */
export interface CommitParticipant<T> {
  readonly tenantId: string;
  readonly contentType: string;
  /** The cursor to save with a commit holding `items` (its blobs since the last commit), or null. */
  cursorFor(items: readonly T[]): number | null;
  /** After a commit that held some of its blobs or saved its cursor. */
  committed(items: { item: T; result: CommitResult }[], cursor: number | null): void;
  /** The transaction holding these blobs was rolled back: they stay uncommitted. */
  failed(items: readonly T[], error: unknown): void;
}

export interface CommitterOptions {
  /** Commit once the transaction holds this many rows. */
  maxRows: number;
  /** Commit once the transaction is this old (ms of the injected clock), so rows become visible and a crash loses little. */
  maxAgeMs: number;
  /** The lease each tenant × content type's part of a commit is fenced with (collect/leases.ts), when leases are used. */
  fenceFor?: (key: { tenantId: string; contentType: string }) => Lease | null;
}

/** Rows gathered before they are handed to the store: one duplicate probe per hand-over, so not too few. */
const HANDOVER_ROWS = 4096;
/** How long a smaller gathering waits for more before it is handed over anyway (ms). */
const HANDOVER_DELAY_MS = 50;
/** Rows waiting for a hand-over beyond which `add` waits: bounds memory whatever the backlog. */
const MAX_QUEUED_ROWS = 2 * HANDOVER_ROWS;

interface Queued<T> {
  p: CommitParticipant<T>;
  item: T;
  commit: BlobCommit;
}

export class Committer<T> {
  private readonly session: IngestSession;
  private readonly participants = new Set<CommitParticipant<T>>();
  private queue: Queued<T>[] = [];
  private queuedRows = 0;
  private roomWaiters: (() => void)[] = [];
  /** Handed to the store, not committed yet. */
  private held: { p: CommitParticipant<T>; item: T }[] = [];
  private stamp: number | null = null;
  private lastStamp = 0;
  /** Waits on the injected clock: the transaction's age limit and the gathering delay. */
  private ageTimer: AbortController | null = null;
  private delayTimer: AbortController | null = null;
  private pumping: Promise<void> | null = null;
  /** Store operations one at a time (the session is one connection). */
  private ops: Promise<unknown> = Promise.resolve();

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly options: CommitterOptions,
  ) {
    this.session = store.openIngest();
  }

  register(p: CommitParticipant<T>): void {
    this.participants.add(p);
  }

  unregister(p: CommitParticipant<T>): void {
    this.participants.delete(p);
  }

  /**
   * Takes a blob for the transaction. Resolves at once unless too many rows wait for the store, then
   * once there is room. The participant hears of the commit through `committed`, or of a store failure
   * through `failed`.
   */
  add(p: CommitParticipant<T>, item: T, commit: BlobCommit): Promise<void> {
    this.queue.push({ p, item, commit });
    this.queuedRows += commit.rows.length + 1;
    if (this.queuedRows >= HANDOVER_ROWS) this.kick();
    else this.kickLater();
    if (this.queuedRows <= MAX_QUEUED_ROWS) return Promise.resolve();
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** Commits now: every blob taken so far and every participant's cursor. Throws the store's error. */
  async flush(): Promise<void> {
    while (this.pumping || this.queue.length > 0) {
      if (!this.pumping) this.kick();
      await this.pumping;
    }
    await this.serial(() => this.commitNow());
  }

  private takeQueue(): Queued<T>[] {
    const batch = this.queue;
    this.queue = [];
    this.queuedRows = 0;
    for (const wake of this.roomWaiters.splice(0)) wake();
    return batch;
  }

  private serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.ops.then(fn, fn);
    this.ops = run.catch(() => undefined);
    return run;
  }

  /**
   * Resolves once nothing is being handed over or committed (what a timer started has finished):
   * tests await it after moving the clock instead of polling.
   */
  async settled(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve)); // timers that fell due run first
      const ops = this.ops;
      if (this.pumping) await this.pumping;
      await ops;
      if (ops === this.ops && !this.pumping) return;
    }
  }

  /** Runs `fn` after `ms` of the injected clock, unless the returned controller aborts first. */
  private after(ms: number, fn: () => void): AbortController {
    const ac = new AbortController();
    this.clock.sleep(ms, ac.signal).then(
      () => {
        if (!ac.signal.aborted) fn();
      },
      () => undefined,
    );
    return ac;
  }

  private kick(): void {
    this.delayTimer?.abort();
    this.delayTimer = null;
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.queuedRows >= HANDOVER_ROWS) this.kick();
      else if (this.queue.length > 0) this.kickLater();
    });
  }

  private kickLater(): void {
    if (this.delayTimer || this.pumping) return;
    this.delayTimer = this.after(HANDOVER_DELAY_MS, () => {
      this.delayTimer = null;
      this.kick();
    });
  }

  /** Hands gathered blobs to the store; commits when the transaction is full. */
  private async pump(): Promise<void> {
    do {
      const batch = this.takeQueue();
      if (batch.length === 0) return;
      await this.serial(() => this.handOver(batch));
      if (this.session.pendingRows >= this.options.maxRows) await this.commitQuietly();
    } while (this.queuedRows >= HANDOVER_ROWS);
  }

  /** A commit nobody awaits: participants hear of a failure through `failed`. */
  private commitQuietly(): Promise<void> {
    return this.serial(() => this.commitNow()).catch(() => undefined);
  }

  private setStamp(): number {
    if (this.stamp === null) {
      // Strictly later than the last commit's stamp, whatever the clock does.
      this.stamp = Math.max(this.clock.now(), this.lastStamp + 1);
      this.ageTimer = this.after(this.options.maxAgeMs, () => {
        this.ageTimer = null;
        void this.commitQuietly();
      });
    }
    return this.stamp;
  }

  private clearStamp(): void {
    this.stamp = null;
    this.ageTimer?.abort();
    this.ageTimer = null;
  }

  private async handOver(batch: Queued<T>[]): Promise<void> {
    const stamp = this.setStamp();
    try {
      await this.session.add(batch.map((q) => ({ ...q.commit, ingestedAt: stamp })));
    } catch (err) {
      // The store rolled back the whole transaction: what it held before is lost too.
      const held = this.held;
      this.held = [];
      this.clearStamp();
      this.fail([...held, ...batch], err);
      return;
    }
    for (const q of batch) this.held.push({ p: q.p, item: q.item });
  }

  private async commitNow(): Promise<void> {
    const held = this.held;
    const byParticipant = groupByParticipant(held);
    const cursors = new Map<CommitParticipant<T>, number>();
    for (const p of new Set([...this.participants, ...byParticipant.keys()])) {
      const c = p.cursorFor(byParticipant.get(p) ?? []);
      if (c !== null) cursors.set(p, c);
    }
    if (held.length === 0 && cursors.size === 0) return;
    let results: CommitResult[];
    try {
      results = await this.session.commit([...cursors].map(([p, position]) => ({ tenantId: p.tenantId, contentType: p.contentType, position })), this.fences([...byParticipant.keys(), ...cursors.keys()]));
    } catch (err) {
      this.held = [];
      this.clearStamp();
      this.fail(held, err);
      throw err;
    }
    this.held = [];
    if (this.stamp !== null) this.lastStamp = this.stamp;
    this.clearStamp();
    const done = new Map<CommitParticipant<T>, { item: T; result: CommitResult }[]>();
    held.forEach((h, i) => {
      const list = done.get(h.p) ?? [];
      list.push({ item: h.item, result: results[i]! });
      done.set(h.p, list);
    });
    for (const p of new Set([...done.keys(), ...cursors.keys()])) p.committed(done.get(p) ?? [], cursors.get(p) ?? null);
  }

  private fences(ps: readonly CommitParticipant<T>[]): Lease[] {
    const fenceFor = this.options.fenceFor;
    if (!fenceFor) return [];
    const out = new Map<string, Lease>();
    for (const p of ps) {
      const l = fenceFor(p);
      if (l) out.set(`${l.tenantId}\u0001${l.contentType}`, l);
    }
    return [...out.values()];
  }

  private fail(held: { p: CommitParticipant<T>; item: T }[], err: unknown): void {
    for (const [p, items] of groupByParticipant(held)) p.failed(items, err);
  }
}

function groupByParticipant<T>(held: { p: CommitParticipant<T>; item: T }[]): Map<CommitParticipant<T>, T[]> {
  const out = new Map<CommitParticipant<T>, T[]>();
  for (const h of held) {
    const list = out.get(h.p);
    if (list) list.push(h.item);
    else out.set(h.p, [h.item]);
  }
  return out;
}
