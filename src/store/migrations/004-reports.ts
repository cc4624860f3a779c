// Migrations for report runs (versions 400-499). report_runs: one row per schedule and due time, so a
// scheduled report fires once per due time across restarts; the files written and the delivery state
// per destination (JSON) are kept with it. A 'baseline' row marks when a schedule was first seen.
import { duckdbOnly } from './001-core.js';
import type { Migration } from './index.js';

export const reportMigrations: Migration[] = [
  {
    version: 400,
    name: 'report runs',
    up: (d) =>
      duckdbOnly(d, [
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
      ]),
  },
];
