// Exactly once on ClickHouse + PostgreSQL, one node (the test is exactly-once.clickhouse.testing.ts).
// Skipped only without clickhouse-server.

import { clickhouseTarget } from '../store/clickhouse/target.testing.js';
import { exactlyOnceOnClickHouse } from './exactly-once.clickhouse.testing.js';

exactlyOnceOnClickHouse(clickhouseTarget(1));
