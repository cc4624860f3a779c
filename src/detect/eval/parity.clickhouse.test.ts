// Detection parity on one ClickHouse node + PostgreSQL against DuckDB (the test is parity.clickhouse.testing.ts).
// Skipped only without clickhouse-server.

import { clickhouseTarget } from '../../store/clickhouse/target.testing.js';
import { parityOnClickHouse } from './parity.clickhouse.testing.js';

parityOnClickHouse(clickhouseTarget(1), { tenants: 2 });
