// The PostgreSQL state store (the scale-out setup's shared state): openPostgresState() is the one way in.

export { openPostgresState, type PostgresStateStore } from './store.js';
export type { PostgresConnection } from './connect.js';
export type { IngestLedger, LedgerItem } from './state/ledger.js';
