// For the benches (not shipped): a ClickHouse + PostgreSQL store on real servers started for the run on
// loopback, as the tests start them (store/clickhouse/server.testing.ts, store/postgres/server.testing.ts).

import { Secret } from '../core/index.js';
import { openStore, type Store } from '../store/index.js';
import { startTestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres } from '../store/postgres/server.testing.js';

export interface BenchClickHouse {
  store: Store;
  /** The ClickHouse server's version and process (its CPU time is read from /proc). */
  version: string;
  pid: number | undefined;
  /** Closes the store and stops both servers. */
  stop(): Promise<void>;
}

export async function openBenchClickHouse(): Promise<BenchClickHouse> {
  const [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  const [database, stateDb] = await Promise.all([ch.createDatabase(), pg.createDatabase()]);
  const store = await openStore({
    engine: 'clickhouse',
    clickhouse: { url: ch.url, database, user: ch.user, password: new Secret(ch.password) },
    stateStore: { engine: 'postgres', connection: { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: stateDb } },
  });
  return {
    store,
    version: ch.version,
    pid: ch.pid,
    async stop() {
      await store.close();
      await Promise.all([ch.stop(), pg.stop()]);
    },
  };
}
