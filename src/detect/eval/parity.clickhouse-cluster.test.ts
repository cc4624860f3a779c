// Detection parity on a cluster of two ClickHouse shards (store.clickhouse.cluster, two clickhouse-server
// on loopback) + PostgreSQL against DuckDB: the rules and reports read the Distributed table (the test
// is parity.clickhouse.testing.ts). Four tenants, so that both shards hold some. Skipped only without
// clickhouse-server.

import { clickhouseTarget } from '../../store/clickhouse/target.testing.js';
import { parityOnClickHouse } from './parity.clickhouse.testing.js';

parityOnClickHouse(clickhouseTarget(2), { tenants: 4 });
