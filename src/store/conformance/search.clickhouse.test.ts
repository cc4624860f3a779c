// The event-search conformance suite on ClickHouse (the installed server; Debian's is 18.16, where
// values are inlined as literals and times are whole seconds) with its PostgreSQL state, a new database
// of each per check. Skipped only when clickhouse-server is not installed.

import { after, before, test } from 'node:test';
import { Secret } from '../../core/index.js';
import { openStore } from '../index.js';
import { clickhouseSkipReason, startTestClickHouse, type TestClickHouse } from '../clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../postgres/server.testing.js';
import { runSearchConformance } from './search.js';

const absent = clickhouseSkipReason();
let ch: TestClickHouse;
let pg: TestPostgres;

if (absent) {
  test('clickhouse: the event-search conformance suite', { skip: absent }, () => undefined);
} else {
  before(async () => {
    [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  });
  after(async () => {
    await Promise.all([ch?.stop(), pg?.stop()]);
  });
  runSearchConformance('clickhouse', async () => {
    const [database, stateDb] = await Promise.all([ch.createDatabase(), pg.createDatabase()]);
    const store = await openStore({
      engine: 'clickhouse',
      clickhouse: { url: ch.url, database, user: ch.user, password: new Secret(ch.password) },
      stateStore: { engine: 'postgres', connection: { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: stateDb } },
    }, { migrate: false });
    await store.migrate();
    return store;
  });
}
