// Exactly once on a ClickHouse cluster of two shards (store.clickhouse.cluster; two clickhouse-server
// processes on loopback, one <remote_servers> entry) with PostgreSQL (exactly-once.clickhouse.testing.ts).
// Skipped only without clickhouse-server.

import { clickhouseTarget } from '../store/clickhouse/target.testing.js';
import { exactlyOnceOnClickHouse } from './exactly-once.clickhouse.testing.js';

exactlyOnceOnClickHouse(clickhouseTarget(2));
