// The Store and events-port conformance suites on ClickHouse + PostgreSQL, one node (see clickhouse.ts
// for the servers and the list of skips with their reasons).

import { clickhouseTarget } from '../clickhouse/target.testing.js';
import { runClickHouseStoreSuites } from './clickhouse.js';

runClickHouseStoreSuites(clickhouseTarget(1));
