// Migrations for local accounts (versions 500-599). accounts: one row per sign-in name with its role
// (viewer, analyst, admin) and a self-describing password hash; never the password itself. sessions: one
// row per signed-in session, keyed by the SHA-256 of its id (never the id), with its CSRF token and times.
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
  {
    version: 513,
    name: 'signed-in sessions',
    up: (d) =>
      d.name === 'duckdb'
        ? [
            `CREATE TABLE IF NOT EXISTS sessions (
  id_hash VARCHAR NOT NULL,
  user_name VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  method VARCHAR NOT NULL,
  csrf_token VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  last_seen_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  PRIMARY KEY (id_hash)
)`,
          ]
        : [
            `CREATE TABLE IF NOT EXISTS sessions (
  id_hash String, user_name String, role String, method String, csrf_token String,
  created_at DateTime64(3, 'UTC'), last_seen_at DateTime64(3, 'UTC'), expires_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(last_seen_at) ORDER BY (id_hash)`,
          ],
  },
];
