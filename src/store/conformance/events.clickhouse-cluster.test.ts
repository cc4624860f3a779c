// The Store and events-port conformance suites on a ClickHouse cluster of two shards (two
// clickhouse-server processes on loopback, one <remote_servers> entry, store.clickhouse.cluster) with
// the state in PostgreSQL: the same checks and skips as on one node (see clickhouse.ts).

import { clickhouseTarget } from '../clickhouse/target.testing.js';
import { runClickHouseStoreSuites } from './clickhouse.js';

runClickHouseStoreSuites(clickhouseTarget(2));
