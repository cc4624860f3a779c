// Migrations for the state of first-seen rules (versions 800-899).
//
// baseline_terms: per first-seen rule, tenant and entity (the group-by value; '' for the tenant), each
//   term (a value or combination) seen within the rule's history, with its first and last event time
//   (epoch ms). Kept incrementally by detection passes; terms last seen before the history expire.
// baseline_learning: per rule and tenant, when the learning period ends (values seen before it are
//   learned without alerting).
import type { Migration } from './index.js';

export const baselineMigrations: Migration[] = [
  {
    version: 800,
    name: 'first-seen baselines',
    up: () => [
      `CREATE TABLE IF NOT EXISTS baseline_terms (
  rule_id VARCHAR NOT NULL,
  tenant_id VARCHAR NOT NULL,
  entity VARCHAR NOT NULL,
  term VARCHAR NOT NULL,
  first_seen_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  PRIMARY KEY (rule_id, tenant_id, entity, term)
)`,
      `CREATE TABLE IF NOT EXISTS baseline_learning (
  rule_id VARCHAR NOT NULL,
  tenant_id VARCHAR NOT NULL,
  learning_until_ms BIGINT NOT NULL,
  started_ms BIGINT NOT NULL,
  PRIMARY KEY (rule_id, tenant_id)
)`,
    ],
  },
];
