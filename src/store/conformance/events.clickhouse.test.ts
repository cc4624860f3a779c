// The Store, events-port and analytics-port conformance suites on ClickHouse + PostgreSQL (one node);
// the analytics suite runs the rule and report constructs of the dialect table on the server's release
// and lists what the release lacks. It uses one real clickhouse-server and one PostgreSQL server for the file, started as nobody in
// temporary folders (clickhouse/server.testing.ts, postgres/server.testing.ts), a new ClickHouse
// database and a new PostgreSQL database per check. Skipped as a whole only when clickhouse-server is
// not installed; every single skip is listed below with its reason.

import { after, before, test } from 'node:test';
import { Secret } from '../../core/index.js';
import { openStore, type Store } from '../index.js';
import { ClickHouseStore } from '../clickhouse/index.js';
import { clickhouseSkipReason, startTestClickHouse, type TestClickHouse } from '../clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../postgres/server.testing.js';
import { runAnalyticsConformance } from './analytics.js';
import { runEventsConformance } from './events.js';
import { runStoreConformance } from './suite.js';

const absent = clickhouseSkipReason();
let ch: TestClickHouse;
let pg: TestPostgres;
if (!absent) {
  before(async () => {
    [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  });
  after(async () => {
    await Promise.all([ch?.stop(), pg?.stop()]);
  });
}

async function openFresh(): Promise<Store> {
  const [database, stateDb] = await Promise.all([ch.createDatabase(), pg.createDatabase()]);
  return openStore({
    engine: 'clickhouse',
    clickhouse: { url: ch.url, database, user: ch.user, password: new Secret(ch.password) },
    stateStore: { engine: 'postgres', connection: { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: stateDb } },
  }, { migrate: false });
}

const engine = {
  async open() {
    const store = await openFresh();
    await store.migrate();
    return { events: store, analytics: store, close: () => store.close() };
  },
};

const OLD = 'on ClickHouse before 20.1 (Debian\'s 18.16, the server here)';

if (absent) {
  test('clickhouse + postgres: the Store and events conformance suites', { skip: absent }, () => undefined);
} else {
  runStoreConformance('clickhouse + postgres', openFresh, {
    stateQuery: (store, q) => (store as ClickHouseStore).ledgerQuery(q),
    skips: {
      'migrate applies every version once':
        'ClickHouse\'s own schema is version 100 (events); blob_ledger, cursors, gaps and dead_letters are PostgreSQL migration 20, so versions 101-104 do not exist here (clickhouse.test.ts checks both migrations)',
      'every events column reads back as plain values':
        `${OLD} creation_time and ingested_at are whole seconds (no DateTime64) and the ms live in ingested_ms; clickhouse.test.ts checks every column as this server stores it`,
      'query and execute bind typed parameters':
        `ClickHouse has no DELETE statement (its ALTER TABLE … DELETE is an asynchronous mutation), and ${OLD} booleans come back as 1/0`,
      'transaction commits together or not at all':
        'ClickHouse has no transactions; the TRANSITIONAL store.transaction refuses with an AppError, and units of work run in PostgreSQL through the state port (its own suite)',
      'queryReadOnly runs reads and refuses everything else in one line':
        `${OLD} there is no WITH name AS (subquery); clickhouse.test.ts checks queryReadOnly's refusals and limits on ClickHouse`,
    },
  });
  runEventsConformance('clickhouse + postgres', engine);
  runAnalyticsConformance('clickhouse + postgres', engine);
}
