// The ClickHouse events store with its PostgreSQL state: openClickHouseStore() is the one way in.

import { AppError, silentLogger, type Clock, type Logger } from '../../core/index.js';
import { openPostgresState, type PostgresConnection } from '../postgres/index.js';
import type { Store } from '../types.js';
import { createClickHouseClient, serverVersion, type ClickHouseConnection } from './connect.js';
import { serverFeatures } from './schema.js';
import { ClickHouseStore } from './store.js';

export type { ClickHouseConnection } from './connect.js';
export { OLDEST_SUPPORTED as CLICKHOUSE_OLDEST_SUPPORTED } from './schema.js';

export interface ClickHouseStoreOptions {
  clickhouse: ClickHouseConnection;
  /** The PostgreSQL database of the ledger, cursors, gaps, dead letters and the state port. */
  state: PostgresConnection;
  readOnly?: boolean;
  logger?: Logger;
  clock?: Clock;
}

/**
 * Connects to ClickHouse (checking the URL, login and database and reading the server's version) and
 * then to PostgreSQL. Either failing stops here in one line, before anything is written. Does not
 * migrate: call `store.migrate()` (openStore does).
 */
export async function openClickHouseStore(options: ClickHouseStoreOptions): Promise<Store> {
  if (options.clickhouse.cluster !== undefined) {
    throw new AppError('config_unsupported', 'store.clickhouse.cluster is not supported yet (one ClickHouse node only); remove it.');
  }
  const client = createClickHouseClient(options.clickhouse);
  let features;
  try {
    features = serverFeatures(await serverVersion(client, options.clickhouse));
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  let pg;
  try {
    pg = await openPostgresState(options.state, { ...(options.logger ? { logger: options.logger } : {}), migrate: false });
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  const clock = options.clock;
  return new ClickHouseStore(client, pg, features, {
    connection: options.clickhouse,
    readOnly: options.readOnly ?? false,
    logger: options.logger ?? silentLogger,
    now: clock ? () => clock.now() : Date.now,
  });
}

export { ClickHouseStore } from './store.js';
export { measureFinalCost, type FinalCost } from './bench-reads.js';
export { copyBenchEvents } from './bench-events.js';
