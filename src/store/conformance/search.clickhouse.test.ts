// The event-search conformance suite on ClickHouse (the installed server; Debian's is 18.16, where
// values are inlined as literals and times are whole seconds) with its PostgreSQL state, one node.

import { clickhouseTarget } from '../clickhouse/target.testing.js';
import { runClickHouseSearchSuite } from './clickhouse.js';

runClickHouseSearchSuite(clickhouseTarget(1));
