// core: domain-free building blocks shared by every part. No I/O here.
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
