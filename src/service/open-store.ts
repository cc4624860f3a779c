// Opening the store named in a config: creating its folder and applying migrations. A file another
// process holds (DuckDB's single-writer lock) is AppError `store_locked`, so callers can ask the
// daemon that holds it instead.

import { dirname } from 'node:path';
import { AppError, ensurePrivateDir, errorMessage, type Logger } from '../core/index.js';
import { openStore, type Store } from '../store/index.js';
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
    return await openStore(
      {
        engine: config.store.engine,
        path: config.store.path,
        ...(config.store.memoryLimit !== undefined ? { memoryLimit: config.store.memoryLimit } : {}),
        ...(config.store.threads !== undefined ? { threads: config.store.threads } : {}),
        ...(config.store.state === 'postgres' && config.store.postgres ? { stateStore: { engine: 'postgres' as const, connection: config.store.postgres } } : {}),
      },
      { ...(options.logger ? { logger: options.logger } : {}), readOnly: options.readOnly ?? false },
    );
  } catch (err) {
    if (isStoreLocked(err) && !(err instanceof AppError)) {
      throw new AppError('store_locked', `The store ${config.store.path} is in use by another auditwatch process; stop it, or ask it (status and query do this by themselves).`, { cause: err });
    }
    throw err;
  }
}
