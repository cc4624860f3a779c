// The PostgreSQL state store's own schema migrations (versions 1, 2, …), recorded in its own
// schema_migrations. They run at open, all pending ones in one transaction under an advisory lock, so
// processes opening the store at once apply each version exactly once, and a failure applies none.
// Every statement is idempotent (IF NOT EXISTS) as well. Times are TIMESTAMPTZ (UTC, µs precision,
// read back as epoch ms); lists and maps are JSON text (kept byte for byte, unlike jsonb). Text is
// COLLATE "C" so ordering and equality are by code point whatever the database's locale.

import { AppError } from '../../core/index.js';

export interface PostgresMigration {
  version: number;
  name: string;
  statements: string[];
}

const T = 'text COLLATE "C"';
const TS = 'timestamptz';

export const POSTGRES_STATE_MIGRATIONS: PostgresMigration[] = [
  {
    version: 1,
    name: 'alerts, evidence, history, suppressions, outbox',
    statements: [
      `CREATE TABLE IF NOT EXISTS alerts (
  id ${T} PRIMARY KEY, rule_id ${T} NOT NULL, title ${T} NOT NULL, severity ${T} NOT NULL, severity_rank bigint NOT NULL,
  tags ${T} NOT NULL, tenant_id ${T} NOT NULL, group_key ${T} NOT NULL, group_hash ${T} NOT NULL, entities ${T} NOT NULL,
  first_seen ${TS} NOT NULL, last_seen ${TS} NOT NULL, count bigint NOT NULL, evidence ${T} NOT NULL, evidence_total bigint NOT NULL,
  status ${T} NOT NULL, assignee ${T}, revision bigint NOT NULL, suppressed_by ${T}, created_at ${TS} NOT NULL, updated_at ${TS} NOT NULL)`,
      'CREATE INDEX IF NOT EXISTS alerts_group ON alerts (group_hash, last_seen DESC)',
      'CREATE INDEX IF NOT EXISTS alerts_recent ON alerts (last_seen DESC, id)',
      `CREATE TABLE IF NOT EXISTS alert_evidence (alert_id ${T} NOT NULL, record_id ${T} NOT NULL, PRIMARY KEY (alert_id, record_id))`,
      `CREATE TABLE IF NOT EXISTS alert_history (
  alert_id ${T} NOT NULL, seq bigint NOT NULL, changed_at ${TS} NOT NULL, actor ${T} NOT NULL, action ${T} NOT NULL,
  from_status ${T}, to_status ${T} NOT NULL, detail ${T}, PRIMARY KEY (alert_id, seq))`,
      // The last history number per alert: taken with one upsert, so concurrent writers never read-then-write.
      `CREATE TABLE IF NOT EXISTS alert_history_seq (alert_id ${T} PRIMARY KEY, last_seq bigint NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS alert_suppressions (
  id ${T} PRIMARY KEY, rule_id ${T}, tenant_id ${T}, entities ${T} NOT NULL, reason ${T} NOT NULL, created_by ${T} NOT NULL,
  created_at ${TS} NOT NULL, expires_at ${TS}, removed_at ${TS})`,
      `CREATE TABLE IF NOT EXISTS alert_outbox (
  alert_id ${T} NOT NULL, destination ${T} NOT NULL, revision bigint NOT NULL, idempotency_key ${T} NOT NULL, payload ${T} NOT NULL,
  status ${T} NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')), attempts bigint NOT NULL, next_attempt_at ${TS} NOT NULL,
  first_failed_at ${TS}, last_error ${T}, created_at ${TS} NOT NULL, delivered_at ${TS}, PRIMARY KEY (alert_id, destination, revision))`,
      `CREATE INDEX IF NOT EXISTS alert_outbox_pending ON alert_outbox (destination, next_attempt_at) WHERE status = 'pending'`,
    ],
  },
  {
    version: 2,
    name: 'identities, detection state and evidence',
    statements: [
      `CREATE TABLE IF NOT EXISTS identities (
  tenant_id ${T} NOT NULL, value ${T} NOT NULL, kind ${T} NOT NULL, person_id ${T} NOT NULL,
  first_seen ${TS} NOT NULL, last_seen ${TS} NOT NULL, PRIMARY KEY (tenant_id, value))`,
      'CREATE INDEX IF NOT EXISTS identities_person ON identities (tenant_id, person_id)',
      `CREATE TABLE IF NOT EXISTS detection_state (rule_id ${T} PRIMARY KEY, watermark_ms bigint NOT NULL, updated_at ${TS} NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS detection_evidence (
  rule_id ${T} NOT NULL, tenant_id ${T} NOT NULL, event_id ${T} NOT NULL, group_key ${T} NOT NULL, detected_at ${TS} NOT NULL,
  PRIMARY KEY (rule_id, tenant_id, event_id))`,
      'CREATE INDEX IF NOT EXISTS detection_evidence_event ON detection_evidence (rule_id, event_id)',
    ],
  },
  {
    version: 3,
    name: 'report runs',
    statements: [
      `CREATE TABLE IF NOT EXISTS report_runs (
  schedule ${T} NOT NULL, due_at ${TS} NOT NULL, report ${T} NOT NULL, status ${T} NOT NULL, period_from ${TS}, period_to ${TS},
  files ${T} NOT NULL, deliveries ${T} NOT NULL, attempts bigint NOT NULL, next_attempt_at ${TS}, error ${T},
  started_at ${TS} NOT NULL, finished_at ${TS}, PRIMARY KEY (schedule, due_at))`,
    ],
  },
  {
    version: 4,
    name: 'collector state',
    statements: [
      `CREATE TABLE IF NOT EXISTS collector_state (
  tenant_id ${T} NOT NULL, content_type ${T} NOT NULL, subscription ${T} NOT NULL, last_error_code ${T}, last_error_message ${T},
  last_error_at ${TS}, last_success_at ${TS}, updated_at ${TS} NOT NULL, PRIMARY KEY (tenant_id, content_type))`,
    ],
  },
  {
    version: 5,
    name: 'collector leases',
    statements: [
      // One row per tenant × content type once first taken; free when expires_at has passed (see ports/leases.ts).
      `CREATE TABLE IF NOT EXISTS collector_leases (
  tenant_id ${T} NOT NULL, content_type ${T} NOT NULL, holder ${T} NOT NULL, token bigint NOT NULL,
  acquired_at ${TS} NOT NULL, expires_at ${TS} NOT NULL, PRIMARY KEY (tenant_id, content_type))`,
    ],
  },
  {
    version: 10,
    name: 'local accounts',
    statements: [
      // One row per sign-in name: its role and a self-describing password hash (never the password).
      `CREATE TABLE IF NOT EXISTS accounts (
  name ${T} PRIMARY KEY, role ${T} NOT NULL, password_hash ${T} NOT NULL, created_at ${TS} NOT NULL, changed_at ${TS} NOT NULL)`,
    ],
  },
  {
    version: 13,
    name: 'signed-in sessions',
    statements: [
      // One row per session: the SHA-256 of its id (never the id), who, with what role, its CSRF token and times.
      `CREATE TABLE IF NOT EXISTS sessions (
  id_hash ${T} PRIMARY KEY, user_name ${T} NOT NULL, role ${T} NOT NULL, method ${T} NOT NULL, csrf_token ${T} NOT NULL,
  created_at ${TS} NOT NULL, last_seen_at ${TS} NOT NULL, expires_at ${TS} NOT NULL)`,
      'CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_name)',
    ],
  },
  {
    version: 20,
    name: 'blob ledger, cursors, gaps, dead letters (beside a ClickHouse events store)',
    // What a ClickHouse events store keeps transactional: each blob's ledger entry, its dead letters and
    // the cursor commit together here, after the blob's rows are in ClickHouse (see ports/events.ts).
    // Unused (and empty) when the events live in DuckDB, which keeps these tables in its own file.
    statements: [
      `CREATE TABLE IF NOT EXISTS blob_ledger (
  tenant_id ${T} NOT NULL, content_type ${T} NOT NULL, content_id ${T} NOT NULL, content_created ${TS} NOT NULL,
  content_expiration ${TS} NOT NULL, record_count bigint NOT NULL, inserted bigint NOT NULL, duplicates bigint NOT NULL,
  dead_letters bigint NOT NULL, ingested_at ${TS} NOT NULL, PRIMARY KEY (tenant_id, content_type, content_id))`,
      `CREATE TABLE IF NOT EXISTS cursors (
  tenant_id ${T} NOT NULL, content_type ${T} NOT NULL, position ${TS} NOT NULL, updated_at ${TS} NOT NULL, PRIMARY KEY (tenant_id, content_type))`,
      `CREATE TABLE IF NOT EXISTS gaps (
  tenant_id ${T} NOT NULL, content_type ${T} NOT NULL, gap_key ${T} NOT NULL, content_id ${T}, window_start ${TS} NOT NULL,
  window_end ${TS} NOT NULL, code ${T} NOT NULL, reason ${T} NOT NULL, detected_at ${TS} NOT NULL, PRIMARY KEY (tenant_id, content_type, gap_key))`,
      // id: md5 of tenant, source and the rejection's key (default its raw text), so the same input from the same source is kept once.
      `CREATE TABLE IF NOT EXISTS dead_letters (
  id ${T} PRIMARY KEY, tenant_id ${T}, content_type ${T}, source_id ${T} NOT NULL, reason ${T} NOT NULL, raw ${T} NOT NULL, received_at ${TS} NOT NULL)`,
      'CREATE INDEX IF NOT EXISTS dead_letters_received ON dead_letters (received_at)',
    ],
  },
  {
    version: 30,
    name: 'rule settings and their history',
    statements: [
      // One row per rule an admin enabled or disabled (it wins over config detect.disabled), and every change.
      `CREATE TABLE IF NOT EXISTS rule_settings (
  rule_id ${T} PRIMARY KEY, enabled boolean NOT NULL, changed_by ${T} NOT NULL, changed_at ${TS} NOT NULL, reason ${T})`,
      `CREATE TABLE IF NOT EXISTS rule_setting_changes (
  rule_id ${T} NOT NULL, seq bigint NOT NULL, enabled boolean NOT NULL, changed_by ${T} NOT NULL, changed_at ${TS} NOT NULL, reason ${T},
  PRIMARY KEY (rule_id, seq))`,
    ],
  },
  {
    version: 40,
    name: 'store copy progress',
    statements: [
      // One row per step of `auditwatch store copy` into this store; '_source' names the store copied (ports/copy.ts).
      `CREATE TABLE IF NOT EXISTS copy_progress (
  step ${T} PRIMARY KEY, source ${T} NOT NULL, position ${T}, copied bigint NOT NULL, done boolean NOT NULL, updated_at ${TS} NOT NULL)`,
    ],
  },
  {
    version: 50,
    name: 'identity revisions',
    statements: [
      // Every written identity row takes the next revision (writers serialised by an advisory lock, so
      // revisions commit in order): the ClickHouse copy beside the events pulls the rows past its newest.
      'CREATE SEQUENCE IF NOT EXISTS identities_rev',
      // The default takes a revision too, so rows written without one (store copy's upserts) reach the copy.
      "ALTER TABLE identities ADD COLUMN IF NOT EXISTS rev bigint NOT NULL DEFAULT nextval('identities_rev')",
      'CREATE INDEX IF NOT EXISTS identities_by_rev ON identities (rev)',
    ],
  },
  {
    version: 60,
    name: 'first-seen baselines',
    statements: [
      // Per first-seen rule, tenant and entity ('' for the tenant) each term seen within the rule's history
      // (event times in epoch ms), and per rule and tenant the end of its learning period.
      `CREATE TABLE IF NOT EXISTS baseline_terms (
  rule_id ${T} NOT NULL, tenant_id ${T} NOT NULL, entity ${T} NOT NULL, term ${T} NOT NULL,
  first_seen_ms bigint NOT NULL, last_seen_ms bigint NOT NULL, PRIMARY KEY (rule_id, tenant_id, entity, term))`,
      'CREATE INDEX IF NOT EXISTS baseline_terms_seen ON baseline_terms (rule_id, tenant_id, last_seen_ms)',
      `CREATE TABLE IF NOT EXISTS baseline_learning (
  rule_id ${T} NOT NULL, tenant_id ${T} NOT NULL, learning_until_ms bigint NOT NULL, started_ms bigint NOT NULL,
  PRIMARY KEY (rule_id, tenant_id))`,
    ],
  },
];

/** The registry is sound: positive, distinct versions. */
export function checkMigrations(migrations: readonly PostgresMigration[]): void {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= 0 || seen.has(m.version)) {
      throw new AppError('migration_registry', `PostgreSQL state migration "${m.name}" has an invalid or repeated version ${m.version}; give each a positive version of its own.`);
    }
    seen.add(m.version);
  }
}
