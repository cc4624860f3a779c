// Migrations for alerts, workflow history, suppressions, outbox (versions 300-399).
// Times are TIMESTAMP (UTC); lists and entity maps are JSON text. The outbox row of a delivery is keyed
// by (alert, destination, revision), so writing it twice is impossible and it is the de-duplication.
import type { Dialect } from '../sql/index.js';
import { duckdbOnly } from './001-core.js';
import type { Migration } from './index.js';

interface Column {
  name: string;
  type: 'text' | 'int' | 'time';
  nullable?: boolean;
}

interface Table {
  name: string;
  columns: Column[];
  key: string[];
}

const TABLES: Table[] = [
  {
    name: 'alerts',
    key: ['id'],
    columns: [
      { name: 'id', type: 'text' },
      { name: 'rule_id', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'severity', type: 'text' },
      { name: 'severity_rank', type: 'int' },
      { name: 'tags', type: 'text' },
      { name: 'tenant_id', type: 'text' },
      { name: 'group_key', type: 'text' },
      { name: 'group_hash', type: 'text' },
      { name: 'entities', type: 'text' },
      { name: 'first_seen', type: 'time' },
      { name: 'last_seen', type: 'time' },
      { name: 'count', type: 'int' },
      { name: 'evidence', type: 'text' },
      { name: 'evidence_total', type: 'int' },
      { name: 'status', type: 'text' },
      { name: 'assignee', type: 'text', nullable: true },
      { name: 'revision', type: 'int' },
      { name: 'suppressed_by', type: 'text', nullable: true },
      { name: 'created_at', type: 'time' },
      { name: 'updated_at', type: 'time' },
    ],
  },
  {
    name: 'alert_evidence',
    key: ['alert_id', 'record_id'],
    columns: [
      { name: 'alert_id', type: 'text' },
      { name: 'record_id', type: 'text' },
    ],
  },
  {
    name: 'alert_history',
    key: ['alert_id', 'seq'],
    columns: [
      { name: 'alert_id', type: 'text' },
      { name: 'seq', type: 'int' },
      { name: 'changed_at', type: 'time' },
      { name: 'actor', type: 'text' },
      { name: 'action', type: 'text' },
      { name: 'from_status', type: 'text', nullable: true },
      { name: 'to_status', type: 'text' },
      { name: 'detail', type: 'text', nullable: true },
    ],
  },
  {
    name: 'alert_suppressions',
    key: ['id'],
    columns: [
      { name: 'id', type: 'text' },
      { name: 'rule_id', type: 'text', nullable: true },
      { name: 'tenant_id', type: 'text', nullable: true },
      { name: 'entities', type: 'text' },
      { name: 'reason', type: 'text' },
      { name: 'created_by', type: 'text' },
      { name: 'created_at', type: 'time' },
      { name: 'expires_at', type: 'time', nullable: true },
      { name: 'removed_at', type: 'time', nullable: true },
    ],
  },
  {
    name: 'alert_outbox',
    key: ['alert_id', 'destination', 'revision'],
    columns: [
      { name: 'alert_id', type: 'text' },
      { name: 'destination', type: 'text' },
      { name: 'revision', type: 'int' },
      { name: 'idempotency_key', type: 'text' },
      { name: 'payload', type: 'text' },
      // pending | delivered | failed
      { name: 'status', type: 'text' },
      { name: 'attempts', type: 'int' },
      { name: 'next_attempt_at', type: 'time' },
      { name: 'first_failed_at', type: 'time', nullable: true },
      { name: 'last_error', type: 'text', nullable: true },
      { name: 'created_at', type: 'time' },
      { name: 'delivered_at', type: 'time', nullable: true },
    ],
  },
];

function ddl(table: Table, dialect: Dialect): string {
  const q = (n: string) => dialect.quoteIdent(n);
  const type = { text: 'VARCHAR', int: 'BIGINT', time: 'TIMESTAMP' };
  const cols = table.columns.map((c) => `${q(c.name)} ${type[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  return `CREATE TABLE IF NOT EXISTS ${q(table.name)} (${cols.join(', ')}, PRIMARY KEY (${table.key.map(q).join(', ')}))`;
}

export const alertMigrations: Migration[] = [
  {
    version: 300,
    name: 'alerts, evidence, history, suppressions, outbox',
    up: (dialect) =>
      duckdbOnly(dialect, [
        ...TABLES.map((t) => ddl(t, dialect)),
        // Only on columns never updated: DuckDB turns an update of an indexed column into delete + insert.
        'CREATE INDEX IF NOT EXISTS alerts_group ON alerts (group_hash)',
      ]),
  },
];
