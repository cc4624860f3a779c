// openStore: the store named by the config, from one table of engines (each one entry here plus its
// folder). `stateStore` moves a DuckDB store's state port to PostgreSQL (compose.ts); a ClickHouse
// store always keeps its ledger, cursors and state in PostgreSQL (clickhouse/store.ts).

import { AppError, type Clock, type Logger } from '../core/index.js';
import { withStateStore } from './compose.js';
import { openClickHouseStore, type ClickHouseConnection } from './clickhouse/index.js';
import { openDuckDbStore } from './duckdb/index.js';
import { openPostgresState, type PostgresConnection } from './postgres/index.js';
import type { Store } from './types.js';

export interface StoreContext {
  logger?: Logger;
  clock?: Clock;
  /** Open without write access (another process may not hold the file either way: DuckDB locks it). */
  readOnly?: boolean;
  /** Apply pending migrations after opening (default true). */
  migrate?: boolean;
}

export type StoreEngineConfig =
  | {
      engine: 'duckdb';
      path: string;
      memoryLimit?: string;
      threads?: number;
      /** Keep the state in PostgreSQL instead of beside the events. */
      stateStore?: { engine: 'postgres'; connection: PostgresConnection };
    }
  | {
      engine: 'clickhouse';
      clickhouse: ClickHouseConnection;
      /** Required: the ledger, cursors, gaps, dead letters and the state live in PostgreSQL. */
      stateStore: { engine: 'postgres'; connection: PostgresConnection };
    };

type EngineOpener<C extends StoreEngineConfig> = (config: C, ctx: StoreContext) => Promise<Store>;

export const STORE_ENGINES: { [E in StoreEngineConfig['engine']]: EngineOpener<Extract<StoreEngineConfig, { engine: E }>> } = {
  duckdb: (config, ctx) =>
    openDuckDbStore({
      path: config.path,
      readOnly: ctx.readOnly ?? false,
      ...(config.memoryLimit !== undefined ? { memoryLimit: config.memoryLimit } : {}),
      ...(config.threads !== undefined ? { threads: config.threads } : {}),
      ...(ctx.logger ? { logger: ctx.logger } : {}),
      ...(ctx.clock ? { clock: ctx.clock } : {}),
    }),
  clickhouse: (config, ctx) =>
    openClickHouseStore({
      clickhouse: config.clickhouse,
      state: config.stateStore.connection,
      readOnly: ctx.readOnly ?? false,
      ...(ctx.logger ? { logger: ctx.logger } : {}),
      ...(ctx.clock ? { clock: ctx.clock } : {}),
    }),
};

/** Opens the configured store and (unless ctx.migrate is false) applies pending migrations. */
export async function openStore(config: StoreEngineConfig, ctx: StoreContext = {}): Promise<Store> {
  const open = STORE_ENGINES[config.engine] as EngineOpener<StoreEngineConfig> | undefined;
  if (!open) throw new AppError('store_engine', `Unknown store engine "${String(config.engine)}"; use one of: ${Object.keys(STORE_ENGINES).join(', ')}.`);
  const events = await open(config, ctx);
  let store = events;
  if (config.engine === 'duckdb' && config.stateStore) {
    try {
      store = withStateStore(events, await openPostgresState(config.stateStore.connection, { ...(ctx.logger ? { logger: ctx.logger } : {}), migrate: false }));
    } catch (err) {
      await events.close().catch(() => undefined);
      throw err;
    }
  }
  if (ctx.migrate === false) return store;
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
