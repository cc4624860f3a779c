// store: the Store interface and its implementations. Callers depend on this file only.
export * from './types.js';
export * from './sql/index.js';
export { openDuckDbStore, isLockError, type DuckDbStoreOptions } from './duckdb/index.js';
export { openClickHouseStore, measureFinalCost, copyBenchEvents, type FinalCost, CLICKHOUSE_OLDEST_SUPPORTED, type ClickHouseConnection, type ClickHouseStoreOptions } from './clickhouse/index.js';
export { openPostgresState, type PostgresStateStore, type PostgresConnection } from './postgres/index.js';
export { generateBenchEvents, generateBenchAlerts, trimBenchEvents, clearBenchEvents, benchFileBytes, type BenchEvents, type BenchAlerts } from './duckdb/bench-events.js';
export { EVENT_COLUMNS, type EventColumn, type ColumnType } from './events-columns.js';
export { checkReadOnlyText } from './readonly-guard.js';
export { openStore, STORE_ENGINES, type StoreEngineConfig, type StoreContext } from './open-store.js';
export { searchEvents, getEvent, userAggregates, ipAggregates, encodeCursor, decodeCursor, SEARCH_MAX_ROWS, type EventFilter, type EventListRow, type EventDetailRow, type EventPage, type UserAggregates, type IpAggregates } from './search.js';
