// Migrations for rule settings (versions 600-699). rule_settings: one row per rule an admin enabled or
// disabled (the store's setting wins over config detect.disabled); rule_setting_changes: every change,
// numbered per rule, with who made it, when and why.
import type { Migration } from './index.js';

export const ruleMigrations: Migration[] = [
  {
    version: 600,
    name: 'rule settings and their history',
    up: () => [
      `CREATE TABLE IF NOT EXISTS rule_settings (
  rule_id VARCHAR NOT NULL,
  enabled BOOLEAN NOT NULL,
  changed_by VARCHAR NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  reason VARCHAR,
  PRIMARY KEY (rule_id)
)`,
      `CREATE TABLE IF NOT EXISTS rule_setting_changes (
  rule_id VARCHAR NOT NULL,
  seq BIGINT NOT NULL,
  enabled BOOLEAN NOT NULL,
  changed_by VARCHAR NOT NULL,
  changed_at TIMESTAMP NOT NULL,
  reason VARCHAR,
  PRIMARY KEY (rule_id, seq)
)`,
    ],
  },
];
