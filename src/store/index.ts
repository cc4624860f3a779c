// store: the Store interface and its implementations. Callers depend on this file only.
export * from './types.js';
export * from './sql/index.js';
