// Versioned schema migrations, applied in order, each once, recorded in schema_migrations.
// Each part owns the file of the tables it defines. These are the embedded DuckDB store's (duckdbOnly);
// ClickHouse and PostgreSQL keep their own (clickhouse/schema.ts, postgres/migrations.ts). DDL takes no parameters.

import type { Dialect } from '../sql/index.js';
import { coreMigrations } from './001-core.js';
import { detectMigrations } from './002-detect.js';
import { alertMigrations } from './003-alerts.js';
import { reportMigrations } from './004-reports.js';
import { accountMigrations } from './005-accounts.js';
import { ruleMigrations } from './006-rules.js';
import { copyMigrations } from './007-copy.js';
import { baselineMigrations } from './008-baselines.js';

export interface Migration {
  version: number;
  name: string;
  /** The statements to run, for a dialect. */
  up(dialect: Dialect): string[];
}

export const MIGRATIONS: Migration[] = [...coreMigrations, ...detectMigrations, ...alertMigrations, ...reportMigrations, ...accountMigrations, ...ruleMigrations, ...copyMigrations, ...baselineMigrations].sort(
  (a, b) => a.version - b.version,
);
