// core: domain-free building blocks shared by every part. No I/O here, except files.ts: the one way to
// create files (private modes, exclusive creation), needed below every part that writes one; and
// signals.ts, how long-running commands and benches stop on SIGINT/SIGTERM.
export * from './errors.js';
export * from './result.js';
export * from './clock.js';
export * from './secret.js';
export * from './log.js';
export * from './duration.js';
export * from './time.js';
export * from './text.js';
export * from './random.js';
export * from './content-types.js';
export * from './files.js';
export * from './signals.js';
