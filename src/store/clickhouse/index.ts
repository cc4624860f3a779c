// The ClickHouse events store with its PostgreSQL state: openClickHouseStore() is the one way in.

import type { ClickHouseClient } from '@clickhouse/client';
import { AppError, silentLogger, type Clock, type Logger } from '../../core/index.js';
import { openPostgresState, type PostgresConnection } from '../postgres/index.js';
import type { Store } from '../types.js';
import { clusterLayout, oldestVersion, singleNode, type Layout } from './cluster.js';
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

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Connects to ClickHouse (checking the URL, login and database and reading the server's version; on a
 * cluster, every node's, see cluster.ts) and then to PostgreSQL. Either failing stops here in one line,
 * before anything is written. Does not migrate: call `store.migrate()` (openStore does).
 */
export async function openClickHouseStore(options: ClickHouseStoreOptions): Promise<Store> {
  const { cluster, database } = options.clickhouse;
  if (cluster !== undefined && !IDENT.test(cluster)) {
    throw new AppError('config_invalid', 'store.clickhouse.cluster must be the name of a cluster in the server\'s <remote_servers>: letters, digits and _; fix it.');
  }
  if (cluster !== undefined && database !== undefined && !IDENT.test(database)) {
    throw new AppError('config_invalid', 'store.clickhouse.database must be letters, digits and _ on a cluster (it is named in the Distributed table); fix it.');
  }
  const client = createClickHouseClient(options.clickhouse);
  let features;
  let layout: Layout | undefined;
  try {
    const version = await serverVersion(client, options.clickhouse);
    layout = cluster === undefined ? singleNode(client, options.clickhouse, version) : await clusterLayout(client, options.clickhouse, cluster);
    features = serverFeatures(oldestVersion(layout));
  } catch (err) {
    await closeAll(client, layout);
    throw err;
  }
  let pg;
  try {
    pg = await openPostgresState(options.state, { ...(options.logger ? { logger: options.logger } : {}), migrate: false });
  } catch (err) {
    await closeAll(client, layout);
    throw err;
  }
  const clock = options.clock;
  return new ClickHouseStore(client, pg, features, layout, {
    connection: options.clickhouse,
    readOnly: options.readOnly ?? false,
    logger: options.logger ?? silentLogger,
    now: clock ? () => clock.now() : Date.now,
  });
}

async function closeAll(client: ClickHouseClient, layout: Layout | undefined): Promise<void> {
  await Promise.all([client, ...(layout?.nodes ?? []).map((n) => n.client).filter((c) => c !== client)].map((c) => c.close().catch(() => undefined)));
}

export { ClickHouseStore } from './store.js';
export { measureFinalCost, type FinalCost } from './bench-reads.js';
export { copyBenchEvents } from './bench-events.js';
