// Time comes from an injected Clock so that tests can run a simulated week in seconds.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time, or rejects with an AbortError when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that moves only when told to (`advance`, `set`), or, with `autoAdvance`, jumps straight to the
 * earliest pending sleep so that code waiting on it runs without real delays.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; resolve: () => void; reject: (e: Error) => void; signal?: AbortSignal }[] = [];
  private readonly autoAdvance: boolean;

  constructor(start: number | Date = Date.UTC(2026, 0, 1), options: { autoAdvance?: boolean } = {}) {
    this.current = typeof start === 'number' ? start : start.getTime();
    this.autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const entry: ManualClock['sleepers'][number] = { until: this.current + Math.max(0, ms), resolve, reject };
      if (signal) {
        entry.signal = signal;
        signal.addEventListener(
          'abort',
          () => {
            this.sleepers = this.sleepers.filter((s) => s !== entry);
            reject(abortError(signal));
          },
          { once: true },
        );
      }
      this.sleepers.push(entry);
      if (this.autoAdvance) setImmediate(() => this.runDue(true));
      else this.runDue(false);
    });
  }

  /** Moves time forward and wakes every sleeper that is due. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(time: number): void {
    if (time > this.current) this.current = time;
    this.runDue(false);
  }

  private runDue(jump: boolean): void {
    if (jump && this.sleepers.length > 0) {
      const earliest = Math.min(...this.sleepers.map((s) => s.until));
      if (earliest > this.current) this.current = earliest;
    }
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const s of due) s.resolve();
  }
}
