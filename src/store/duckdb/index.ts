// The embedded DuckDB store: openDuckDbStore() is the one way in.

import { silentLogger, type Clock, type Logger } from '../../core/index.js';
import type { Store } from '../types.js';
import { openDatabase, type DuckDbOpenOptions } from './open.js';
import { DuckDbStore } from './store.js';

export { isLockError } from './open.js';

export interface DuckDbStoreOptions extends DuckDbOpenOptions {
  logger?: Logger;
  /** For applied_at and updated_at stamps; defaults to the system clock. */
  clock?: Clock;
}

/**
 * Opens (creating when missing, with its folder) the DuckDB file at `path`. Does not migrate: call
 * `store.migrate()`. A file held by another process fails with AppError `store_locked`.
 */
export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  const { instance, connect } = await openDatabase(options);
  try {
    const writer = await connect();
    const reader = await connect();
    const ingest = { conn: await connect(), probe: await connect() };
    const clock = options.clock;
    return new DuckDbStore(instance, writer, reader, ingest, {
      path: options.path,
      readOnly: options.readOnly ?? false,
      logger: options.logger ?? silentLogger,
      now: clock ? () => clock.now() : Date.now,
    });
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}
