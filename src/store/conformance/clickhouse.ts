// The conformance suites on ClickHouse + PostgreSQL, one function a layout runs them with: the Store
// and events-port suites (with the skips below, each with its reason) and the event-search suite, on
// one node (events.clickhouse.test.ts, search.clickhouse.test.ts) and on a cluster of two shards
// (events.clickhouse-cluster.test.ts, search.clickhouse-cluster.test.ts). Real servers started as
// nobody in temporary folders (clickhouse/target.testing.ts), a new ClickHouse database (on every
// node) and a new PostgreSQL database per check. Skipped as a whole only when clickhouse-server is not
// installed. The analytics suite (the constructs compiled rules and reports are built from) runs too;
// it skips only what the server's release lacks (capabilities), with the reason.

import { after, before, test } from 'node:test';
import { openStore, type Store } from '../index.js';
import type { ClickHouseStore } from '../clickhouse/index.js';
import { clickhouseSkipReason } from '../clickhouse/server.testing.js';
import type { ClickHouseTarget } from '../clickhouse/target.testing.js';
import { runAnalyticsConformance } from './analytics.js';
import { runEventsConformance } from './events.js';
import { runSearchConformance } from './search.js';
import { runStoreConformance } from './suite.js';

const OLD = 'on ClickHouse before 20.1 (Debian\'s 18.16, the server here)';

/** The Store-suite checks ClickHouse skips, each with its reason (the same on one node and a cluster). */
export const CLICKHOUSE_SKIPS: Readonly<Record<string, string>> = {
  'migrate applies every version once':
    'ClickHouse\'s own schema is versions 100 (events) and 101 (the identities copy); blob_ledger, cursors, gaps and dead_letters are PostgreSQL migration 20, so versions 102-104 do not exist here (clickhouse.test.ts checks both migrations)',
  'every events column reads back as plain values':
    `${OLD} creation_time and ingested_at are whole seconds (no DateTime64) and the ms live in ingested_ms; clickhouse.test.ts checks every column as this server stores it`,
  'query and execute bind typed parameters':
    `ClickHouse has no DELETE statement (its ALTER TABLE … DELETE is an asynchronous mutation), and ${OLD} booleans come back as 1/0`,
  'transaction commits together or not at all':
    'ClickHouse has no transactions; the TRANSITIONAL store.transaction refuses with an AppError, and units of work run in PostgreSQL through the state port (its own suite)',
  'queryReadOnly runs reads and refuses everything else in one line':
    `${OLD} there is no WITH name AS (subquery); clickhouse.test.ts checks queryReadOnly's refusals and limits on ClickHouse`,
};

/** Starts the target's servers for the file (unless clickhouse-server is missing) and returns the skip reason. */
function withServers(target: ClickHouseTarget, what: string): string | undefined {
  const absent = clickhouseSkipReason();
  if (absent) {
    test(`${target.label}: ${what}`, { skip: absent }, () => undefined);
    return absent;
  }
  before(() => target.start());
  after(() => target.stop());
  return undefined;
}

async function openFresh(target: ClickHouseTarget): Promise<Store> {
  return openStore(await target.config(), { migrate: false });
}

export function runClickHouseStoreSuites(target: ClickHouseTarget): void {
  if (withServers(target, 'the Store and events conformance suites')) return;
  runStoreConformance(target.label, () => openFresh(target), {
    stateQuery: (store, q) => (store as ClickHouseStore).ledgerQuery(q),
    skips: CLICKHOUSE_SKIPS,
  });
  const engine = {
    async open() {
      const store = await openFresh(target);
      await store.migrate();
      return { events: store, analytics: store, close: () => store.close() };
    },
  };
  runEventsConformance(target.label, engine);
  runAnalyticsConformance(target.label, engine);
}

export function runClickHouseSearchSuite(target: ClickHouseTarget): void {
  if (withServers(target, 'the event-search conformance suite')) return;
  runSearchConformance(target.label, async () => {
    const store = await openFresh(target);
    await store.migrate();
    return store;
  });
}
