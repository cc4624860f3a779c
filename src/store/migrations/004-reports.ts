// Migrations for report runs (versions 400-499). report_runs: one row per schedule and due time, so a
// scheduled report fires once per due time across restarts; the files written and the delivery state
// per destination (JSON) are kept with it. A 'baseline' row marks when a schedule was first seen.
import type { Migration } from './index.js';

export const reportMigrations: Migration[] = [
  {
    version: 400,
    name: 'report runs',
    up: (d) =>
      d.name === 'duckdb'
        ? [
            `CREATE TABLE IF NOT EXISTS report_runs (
  schedule VARCHAR NOT NULL,
  due_at TIMESTAMP NOT NULL,
  report VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  period_from TIMESTAMP,
  period_to TIMESTAMP,
  files VARCHAR NOT NULL,
  deliveries VARCHAR NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_at TIMESTAMP,
  error VARCHAR,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  PRIMARY KEY (schedule, due_at)
)`,
          ]
        : [
            `CREATE TABLE IF NOT EXISTS report_runs (
  schedule String, due_at DateTime64(3, 'UTC'), report String, status String,
  period_from Nullable(DateTime64(3, 'UTC')), period_to Nullable(DateTime64(3, 'UTC')),
  files String, deliveries String, attempts Int64, next_attempt_at Nullable(DateTime64(3, 'UTC')),
  error Nullable(String), started_at DateTime64(3, 'UTC'), finished_at Nullable(DateTime64(3, 'UTC'))
) ENGINE = ReplacingMergeTree(started_at) ORDER BY (schedule, due_at)`,
          ],
  },
];
