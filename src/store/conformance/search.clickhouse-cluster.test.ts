// The event-search conformance suite on a ClickHouse cluster of two shards with its PostgreSQL state.

import { clickhouseTarget } from '../clickhouse/target.testing.js';
import { runClickHouseSearchSuite } from './clickhouse.js';

runClickHouseSearchSuite(clickhouseTarget(2));
