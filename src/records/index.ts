// records: the audit-record model and the normaliser.
export * from './types.js';
