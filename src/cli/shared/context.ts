// What every command shares: the --config option, loading the config, a logger at the configured level,
// and opening the store named in the config (creating its folder, applying migrations).

import { dirname } from 'node:path';
import { AppError, collectSecrets, createLogger, ensurePrivateDir, errorMessage, type Logger } from '../../core/index.js';
import { DEFAULT_CONFIG_FILE, loadConfig, type Config, type LoadOptions } from '../../config/index.js';
import { openStore, type Store } from '../../store/index.js';

export const CONFIG_OPTION = {
  config: { type: 'string', short: 'c', default: DEFAULT_CONFIG_FILE },
} as const;

export function configPath(values: { config?: string | boolean | undefined }): string {
  return typeof values.config === 'string' && values.config !== '' ? values.config : DEFAULT_CONFIG_FILE;
}

export function loadCliConfig(values: { config?: string | boolean | undefined }, options: LoadOptions = {}): Config {
  const config = loadConfig(configPath(values), options);
  for (const w of config.warnings) process.stderr.write(`${w}\n`);
  return config;
}

export function cliLogger(config: Config, base: Record<string, unknown> = {}): Logger {
  return createLogger({ level: config.log.level, base, secrets: collectSecrets(config) });
}

/** True when an error says another process holds the DuckDB file. */
export function isStoreLocked(err: unknown): boolean {
  if (err instanceof AppError && err.code === 'store_locked') return true;
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /could not set lock|conflicting lock|lock on file/i.test(text);
}

/** The store the collect daemon of this process holds, lent to the commands it runs for other processes. */
const held = new Map<string, Store>();

/** Lends `store` (the daemon's) to commands run in this process; the returned function ends the loan. */
export function holdStore(path: string, store: Store): () => void {
  held.set(path, store);
  return () => {
    if (held.get(path) === store) held.delete(path);
  };
}

/** Opens the configured store and applies pending migrations. A locked file is AppError `store_locked`. */
export async function openConfiguredStore(config: Config, options: { logger?: Logger; readOnly?: boolean } = {}): Promise<Store> {
  const lent = held.get(config.store.path);
  if (lent) {
    // The daemon closes its store itself: the command's close() is a no-op.
    return new Proxy(lent, {
      get: (target, prop) => {
        if (prop === 'close') return async () => undefined;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
  try {
    ensurePrivateDir(dirname(config.store.path));
  } catch (err) {
    throw new AppError('store_path', `Cannot create the folder of the store ${config.store.path} (${errorMessage(err)}); fix store.path or the folder's permissions.`);
  }
  let store: Store;
  try {
    store = await openStore(
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
  return store;
}
