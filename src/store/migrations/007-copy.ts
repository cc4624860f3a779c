// Migrations for the record of a store copy into this store (versions 700-799). copy_progress: one row
// per step of `auditwatch store copy` (the events, each table) with where it stands, so a copy that was
// stopped continues there; the '_source' row names the store this one is a copy of (ports/copy.ts).
import type { Migration } from './index.js';

export const copyMigrations: Migration[] = [
  {
    version: 700,
    name: 'store copy progress',
    up: () => [
      `CREATE TABLE IF NOT EXISTS copy_progress (
  step VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  position VARCHAR,
  copied BIGINT NOT NULL,
  done BOOLEAN NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  PRIMARY KEY (step)
)`,
    ],
  },
];
