// Migrations for identities and detection state (versions 200-299).
//
// identities: every identifier seen for a person (UPN, object id, PUID, display name, alias, mailbox
//   GUID, SID), lower-cased, with the person it belongs to (a union-find component id kept eagerly:
//   merging two people relabels the smaller one). person_id '' marks an ambiguous identifier (a display
//   name shared by two people), which never resolves.
// detection_state: per rule, the ingested_at watermark up to which incremental detection has run.
// detection_evidence: per rule, the records that already produced a hit, so the same evidence never
//   raises a second one. In DuckDB without a primary key since 210: inserts skip known rows with an
//   anti-join (one writer), ~3× cheaper than maintaining an ART index, which also sits in memory.
import { duckdbOnly } from './001-core.js';
import type { Migration } from './index.js';

export const detectMigrations: Migration[] = [
  {
    version: 200,
    name: 'identities',
    up: (d) =>
      duckdbOnly(d, [
        `CREATE TABLE IF NOT EXISTS identities (
  tenant_id VARCHAR NOT NULL,
  value VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  person_id VARCHAR NOT NULL,
  first_seen TIMESTAMP NOT NULL,
  last_seen TIMESTAMP NOT NULL,
  PRIMARY KEY (tenant_id, value)
)`,
      ]),
  },
  {
    version: 201,
    name: 'detection state',
    up: (d) =>
      duckdbOnly(d, [
        `CREATE TABLE IF NOT EXISTS detection_state (
  rule_id VARCHAR NOT NULL PRIMARY KEY,
  watermark_ms BIGINT NOT NULL,
  updated_at TIMESTAMP NOT NULL
)`,
        `CREATE TABLE IF NOT EXISTS detection_evidence (
  rule_id VARCHAR NOT NULL,
  tenant_id VARCHAR NOT NULL,
  event_id VARCHAR NOT NULL,
  group_key VARCHAR NOT NULL,
  detected_at TIMESTAMP NOT NULL,
  PRIMARY KEY (rule_id, tenant_id, event_id)
)`,
      ]),
  },
  {
    version: 210,
    name: 'detection evidence without an index (DuckDB)',
    up: (d) =>
      duckdbOnly(d, [
        `CREATE TABLE detection_evidence_210 (
  rule_id VARCHAR NOT NULL,
  tenant_id VARCHAR NOT NULL,
  event_id VARCHAR NOT NULL,
  group_key VARCHAR NOT NULL,
  detected_at TIMESTAMP NOT NULL
)`,
        `INSERT INTO detection_evidence_210 SELECT rule_id, tenant_id, event_id, group_key, detected_at FROM detection_evidence`,
        `DROP TABLE detection_evidence`,
        `ALTER TABLE detection_evidence_210 RENAME TO detection_evidence`,
      ]),
  },
];
