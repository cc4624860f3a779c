// A promise-chain mutex: one DuckDB connection runs one statement sequence at a time, so a transaction
// never picks up another caller's statements.

export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  use<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for the mutex and holds it until the returned function is called (for a hold across calls). */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const before = this.tail;
    this.tail = before.then(() => held);
    return before.then(() => release);
  }
}
