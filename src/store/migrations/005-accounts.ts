// Migrations for local accounts (versions 500-599). accounts: one row per sign-in name with its role
// (viewer, analyst, admin) and a self-describing password hash; never the password itself. sessions: one
// row per signed-in session, keyed by the SHA-256 of its id (never the id), with its CSRF token and times.
import { duckdbOnly } from './001-core.js';
import type { Migration } from './index.js';

export const accountMigrations: Migration[] = [
  {
    version: 500,
    name: 'local accounts',
    up: (d) =>
      duckdbOnly(d, [
        `CREATE TABLE IF NOT EXISTS accounts (
  name VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  password_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  PRIMARY KEY (name)
)`,
      ]),
  },
  {
    version: 513,
    name: 'signed-in sessions',
    up: (d) =>
      duckdbOnly(d, [
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
      ]),
  },
];
