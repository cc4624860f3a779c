// Migrations for local accounts (versions 500-599). accounts: one row per sign-in name with its role
// (viewer, analyst, admin) and a self-describing password hash; never the password itself.
import type { Migration } from './index.js';

export const accountMigrations: Migration[] = [
  {
    version: 500,
    name: 'local accounts',
    up: (d) =>
      d.name === 'duckdb'
        ? [
            `CREATE TABLE IF NOT EXISTS accounts (
  name VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  password_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  PRIMARY KEY (name)
)`,
          ]
        : [
            `CREATE TABLE IF NOT EXISTS accounts (
  name String, role String, password_hash String, created_at DateTime64(3, 'UTC'), changed_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(changed_at) ORDER BY (name)`,
          ],
  },
];
