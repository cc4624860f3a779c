// Stopping on SIGINT or SIGTERM: the long-running commands (serve, collect, backfill, demo, emulator)
// and the benches that start child processes. `stopOnSignals` hands out an AbortSignal that aborts on
// the first signal; the handlers come off again with dispose(), so a command run in a test process
// leaves none behind. After the first signal Node's own handling is back, so a second Ctrl-C exits at
// once. A command that wants to see each signal (collect: the second one exits now) passes `onSignal`.

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface SignalStop {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function stopOnSignals(onSignal?: (name: StopSignal, stop: AbortController) => void): SignalStop {
  const stop = new AbortController();
  const names: StopSignal[] = ['SIGINT', 'SIGTERM'];
  const handlers = new Map<StopSignal, () => void>();
  const dispose = () => {
    for (const [name, h] of handlers) process.off(name, h);
    handlers.clear();
  };
  for (const name of names) {
    const h = onSignal
      ? () => onSignal(name, stop)
      : () => {
          dispose();
          stop.abort();
        };
    handlers.set(name, h);
    process.on(name, h);
  }
  return { signal: stop.signal, dispose };
}
