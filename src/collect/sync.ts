// Small concurrency tools for the collector: a semaphore (blobs in flight per tenant, one writer for the
// store) and a bounded queue between the lister and the fetchers, so memory stays bounded whatever the
// backlog.

export class Semaphore {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(size: number) {
    this.free = Math.max(1, size);
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
  async use<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/** A FIFO with a capacity: push waits while full; pop waits while empty; pop gives undefined once closed and drained. */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private readonly pushWaiters: (() => void)[] = [];
  private readonly popWaiters: ((v: T | undefined) => void)[] = [];
  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.pushWaiters.push(resolve));
    }
    if (this.closed) throw new Error('queue closed');
    const waiter = this.popWaiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  async pop(): Promise<T | undefined> {
    if (this.items.length > 0) {
      const item = this.items.shift()!;
      this.pushWaiters.shift()?.();
      return item;
    }
    if (this.closed) return undefined;
    return new Promise<T | undefined>((resolve) => this.popWaiters.push(resolve));
  }

  /** No more pushes; poppers drain what is left, then get undefined. */
  close(): void {
    this.closed = true;
    for (const w of this.popWaiters.splice(0)) w(undefined);
    for (const w of this.pushWaiters.splice(0)) w();
  }

  get size(): number {
    return this.items.length;
  }
}
