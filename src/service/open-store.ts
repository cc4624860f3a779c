// Opening the store named in a config: creating its folder and applying migrations. A file another
// process holds (DuckDB's single-writer lock) is AppError `store_locked`, so callers can ask the
// daemon that holds it instead.

import { dirname } from 'node:path';
import { AppError, ensurePrivateDir, errorMessage, type Logger } from '../core/index.js';
import { openStore, type Store, type StoreEngineConfig } from '../store/index.js';
import type { Config } from './config.js';

/** True when an error says another process holds the DuckDB file. */
export function isStoreLocked(err: unknown): boolean {
  if (err instanceof AppError && err.code === 'store_locked') return true;
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /could not set lock|conflicting lock|lock on file/i.test(text);
}

/** Opens the configured store and applies pending migrations. A locked file is AppError `store_locked`. */
export async function openConfiguredStore(config: Pick<Config, 'store'>, options: { logger?: Logger; readOnly?: boolean } = {}): Promise<Store> {
  try {
    ensurePrivateDir(dirname(config.store.path));
  } catch (err) {
    throw new AppError('store_path', `Cannot create the folder of the store ${config.store.path} (${errorMessage(err)}); fix store.path or the folder's permissions.`);
  }
  try {
    return await openStore(engineConfig(config), { ...(options.logger ? { logger: options.logger } : {}), readOnly: options.readOnly ?? false });
  } catch (err) {
    if (isStoreLocked(err) && !(err instanceof AppError)) {
      throw new AppError('store_locked', `The store ${config.store.path} is in use by another auditwatch process; stop it, or ask it (status and query do this by themselves).`, { cause: err });
    }
    throw err;
  }
}

/** The store's engine settings from the config (the schema has checked that clickhouse comes with state: postgres). */
function engineConfig(config: Pick<Config, 'store'>): StoreEngineConfig {
  const s = config.store;
  const stateStore = s.state === 'postgres' && s.postgres ? { engine: 'postgres' as const, connection: s.postgres } : undefined;
  if (s.engine === 'clickhouse') {
    const ch = s.clickhouse;
    if (!ch || !stateStore) throw new AppError('config_invalid', 'store.engine: clickhouse needs store.clickhouse and state: postgres with store.postgres; add them.');
    return {
      engine: 'clickhouse',
      clickhouse: { url: ch.url, database: ch.database, ...(ch.user !== undefined ? { user: ch.user } : {}), ...(ch.password !== undefined ? { password: ch.password } : {}), ...(ch.cluster !== undefined ? { cluster: ch.cluster } : {}) },
      stateStore,
    };
  }
  return {
    engine: 'duckdb',
    path: s.path,
    ...(s.memoryLimit !== undefined ? { memoryLimit: s.memoryLimit } : {}),
    ...(s.threads !== undefined ? { threads: s.threads } : {}),
    ...(stateStore ? { stateStore } : {}),
  };
}
