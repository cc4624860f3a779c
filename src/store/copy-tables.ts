// The tables a copy moves besides the events (ports/copy.ts), once for every state engine (DuckDB
// migrations 101-600, PostgreSQL migrations 1-30): their columns, key and which port owns them, and the
// same paging read, upsert and count SQL on each engine's handle. `owner` says where a composed store
// keeps a table: 'events' and 'identities' beside the events (identities are joined with them by
// compiled rules), 'state' in the state store (compose.ts); a ClickHouse store keeps all in PostgreSQL.
// copy_progress (DuckDB migration 700, PostgreSQL migration 40) is the target's record of a copy.

import { ident, join, raw, sql, type Sql } from './sql/index.js';
import { at, chunks, type StateHandle } from './state-values.js';
import type { CopyProgress, CopyRow, CopyTable, CopyValue } from './types.js';

export type CopyColumnType = 'text' | 'int' | 'time' | 'bool';

export interface CopyTableDef {
  columns: readonly (readonly [name: string, type: CopyColumnType, nullable?: 'null'])[];
  key: readonly string[];
  owner: 'events' | 'identities' | 'state';
}

const T = 'text' as const;
const I = 'int' as const;
const TS = 'time' as const;
const B = 'bool' as const;
const N = 'null' as const;

export const COPY_TABLE_DEFS: Record<CopyTable, CopyTableDef> = {
  blob_ledger: {
    owner: 'events',
    key: ['tenant_id', 'content_type', 'content_id'],
    columns: [['tenant_id', T], ['content_type', T], ['content_id', T], ['content_created', TS], ['content_expiration', TS], ['record_count', I], ['inserted', I], ['duplicates', I], ['dead_letters', I], ['ingested_at', TS]],
  },
  gaps: {
    owner: 'events',
    key: ['tenant_id', 'content_type', 'gap_key'],
    columns: [['tenant_id', T], ['content_type', T], ['gap_key', T], ['content_id', T, N], ['window_start', TS], ['window_end', TS], ['code', T], ['reason', T], ['detected_at', TS]],
  },
  dead_letters: {
    owner: 'events',
    key: ['id'],
    columns: [['id', T], ['tenant_id', T, N], ['content_type', T, N], ['source_id', T], ['reason', T], ['raw', T], ['received_at', TS]],
  },
  cursors: { owner: 'events', key: ['tenant_id', 'content_type'], columns: [['tenant_id', T], ['content_type', T], ['position', TS], ['updated_at', TS]] },
  collector_state: {
    owner: 'state',
    key: ['tenant_id', 'content_type'],
    columns: [['tenant_id', T], ['content_type', T], ['subscription', T], ['last_error_code', T, N], ['last_error_message', T, N], ['last_error_at', TS, N], ['last_success_at', TS, N], ['updated_at', TS]],
  },
  identities: {
    owner: 'identities',
    key: ['tenant_id', 'value'],
    columns: [['tenant_id', T], ['value', T], ['kind', T], ['person_id', T], ['first_seen', TS], ['last_seen', TS]],
  },
  detection_state: { owner: 'state', key: ['rule_id'], columns: [['rule_id', T], ['watermark_ms', I], ['updated_at', TS]] },
  detection_evidence: {
    owner: 'state',
    key: ['rule_id', 'tenant_id', 'event_id'],
    columns: [['rule_id', T], ['tenant_id', T], ['event_id', T], ['group_key', T], ['detected_at', TS]],
  },
  alerts: {
    owner: 'state',
    key: ['id'],
    columns: [
      ['id', T], ['rule_id', T], ['title', T], ['severity', T], ['severity_rank', I], ['tags', T], ['tenant_id', T], ['group_key', T], ['group_hash', T], ['entities', T],
      ['first_seen', TS], ['last_seen', TS], ['count', I], ['evidence', T], ['evidence_total', I], ['status', T], ['assignee', T, N], ['revision', I], ['suppressed_by', T, N],
      ['created_at', TS], ['updated_at', TS],
    ],
  },
  alert_evidence: { owner: 'state', key: ['alert_id', 'record_id'], columns: [['alert_id', T], ['record_id', T]] },
  alert_history: {
    owner: 'state',
    key: ['alert_id', 'seq'],
    columns: [['alert_id', T], ['seq', I], ['changed_at', TS], ['actor', T], ['action', T], ['from_status', T, N], ['to_status', T], ['detail', T, N]],
  },
  alert_suppressions: {
    owner: 'state',
    key: ['id'],
    columns: [['id', T], ['rule_id', T, N], ['tenant_id', T, N], ['entities', T], ['reason', T], ['created_by', T], ['created_at', TS], ['expires_at', TS, N], ['removed_at', TS, N]],
  },
  alert_outbox: {
    owner: 'state',
    key: ['alert_id', 'destination', 'revision'],
    columns: [
      ['alert_id', T], ['destination', T], ['revision', I], ['idempotency_key', T], ['payload', T], ['status', T], ['attempts', I], ['next_attempt_at', TS],
      ['first_failed_at', TS, N], ['last_error', T, N], ['created_at', TS], ['delivered_at', TS, N],
    ],
  },
  report_runs: {
    owner: 'state',
    key: ['schedule', 'due_at'],
    columns: [
      ['schedule', T], ['due_at', TS], ['report', T], ['status', T], ['period_from', TS, N], ['period_to', TS, N], ['files', T], ['deliveries', T], ['attempts', I],
      ['next_attempt_at', TS, N], ['error', T, N], ['started_at', TS], ['finished_at', TS, N],
    ],
  },
  accounts: { owner: 'state', key: ['name'], columns: [['name', T], ['role', T], ['password_hash', T], ['created_at', TS], ['changed_at', TS]] },
  sessions: {
    owner: 'state',
    key: ['id_hash'],
    columns: [['id_hash', T], ['user_name', T], ['role', T], ['method', T], ['csrf_token', T], ['created_at', TS], ['last_seen_at', TS], ['expires_at', TS]],
  },
  rule_settings: { owner: 'state', key: ['rule_id'], columns: [['rule_id', T], ['enabled', B], ['changed_by', T], ['changed_at', TS], ['reason', T, N]] },
  rule_setting_changes: {
    owner: 'state',
    key: ['rule_id', 'seq'],
    columns: [['rule_id', T], ['seq', I], ['enabled', B], ['changed_by', T], ['changed_at', TS], ['reason', T, N]],
  },
};

/** Rows per INSERT: under PostgreSQL's 65,535 parameters for the widest table. */
const WRITE_CHUNK = 500;

const columnType = (def: CopyTableDef, name: string): CopyColumnType => def.columns.find(([n]) => n === name)?.[1] ?? 'text';

function typeOf(def: CopyTableDef, column: string): CopyColumnType {
  return def.columns.find(([n]) => n === column)?.[1] ?? 'text';
}

/** A value as a parameter of its column's type. */
function param(type: CopyColumnType, v: CopyValue | undefined): Sql {
  if (v === null || v === undefined) return sql`${null}`;
  switch (type) {
    case 'time':
      return sql`${at(Number(v))}`;
    case 'int':
      return sql`${Number(v)}`;
    case 'bool':
      return sql`${v === true || v === 'true' || v === 1}`;
    case 'text':
      return sql`${String(v)}`;
  }
}

/** A value read back from an engine as the port's CopyValue. */
function value(type: CopyColumnType, v: unknown): CopyValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'time':
    case 'int':
      return Number(v);
    case 'bool':
      return v === true || v === 'true' || v === 1 || v === '1';
    case 'text':
      return String(v);
  }
}

/** `(k1, k2, …) > (a, b, …)` spelled out, which every engine runs the same. */
function after(def: CopyTableDef, row: CopyRow): Sql {
  const ors: Sql[] = def.key.map((k, i) => {
    const eq = def.key.slice(0, i).map((p) => sql`${ident(p)} = ${param(typeOf(def, p), row[p])}`);
    return join([...eq, sql`${ident(k)} > ${param(typeOf(def, k), row[k])}`], raw(' AND '));
  });
  return sql`(${join(ors.map((o) => sql`(${o})`), raw(' OR '))})`;
}

export interface TableCopy {
  readTable(table: CopyTable, after: CopyRow | null, limit: number): Promise<CopyRow[]>;
  writeTable(table: CopyTable, rows: readonly CopyRow[]): Promise<void>;
  countTable(table: CopyTable): Promise<number>;
  loadProgress(): Promise<CopyProgress[]>;
  saveProgress(progress: CopyProgress): Promise<void>;
  resetProgress(): Promise<void>;
}

/**
 * The tables over a state engine's handle; `msCol` reads a timestamp column as epoch ms in the engine's
 * SQL, `afterWrite` lets an engine keep what it derives from a table (PostgreSQL's history counters).
 */
export function tableCopy(
  db: StateHandle,
  msCol: (column: string) => Sql,
  afterWrite?: (db: StateHandle, table: CopyTable, rows: readonly CopyRow[]) => Promise<void>,
  /** Tables whose key this engine does not enforce (DuckDB's detection_evidence, migration 210): a row written again replaces the one with its key by delete and insert. */
  unkeyed: readonly CopyTable[] = [],
): TableCopy {
  return {
    async readTable(table, from, limit) {
      const def = COPY_TABLE_DEFS[table];
      const cols = join(def.columns.map(([n, t]) => (t === 'time' ? msCol(n) : sql`${ident(n)}`)));
      const where = from ? sql`WHERE ${after(def, from)}` : sql``;
      const rows = await db.read(sql`SELECT ${cols} FROM ${ident(table)} ${where} ORDER BY ${join(def.key.map((k) => sql`${ident(k)}`))} LIMIT ${Math.max(1, Math.trunc(limit))}`);
      return rows.map((r) => Object.fromEntries(def.columns.map(([n, t]) => [n, value(t, r[n])])));
    },
    async writeTable(table, rows) {
      if (rows.length === 0) return;
      const def = COPY_TABLE_DEFS[table];
      const names = join(def.columns.map(([n]) => sql`${ident(n)}`));
      const rest = def.columns.filter(([n]) => !def.key.includes(n));
      const onConflict =
        rest.length === 0
          ? sql`ON CONFLICT DO NOTHING`
          : sql`ON CONFLICT (${join(def.key.map((k) => sql`${ident(k)}`))}) DO UPDATE SET ${join(rest.map(([n]) => sql`${ident(n)} = excluded.${ident(n)}`))}`;
      await db.atomic(async (tx) => {
        for (const part of chunks(rows, WRITE_CHUNK)) {
          const values = part.map((r) => sql`(${join(def.columns.map(([n, t]) => param(t, r[n])))})`);
          if (unkeyed.includes(table)) {
            const keys = part.map((r) => sql`(${join(def.key.map((k) => sql`${ident(k)} = ${param(columnType(def, k), r[k])}`), raw(' AND '))})`);
            await tx.write(sql`DELETE FROM ${ident(table)} WHERE ${join(keys, raw(' OR '))}`);
            await tx.write(sql`INSERT INTO ${ident(table)} (${names}) VALUES ${join(values)}`);
          } else await tx.write(sql`INSERT INTO ${ident(table)} (${names}) VALUES ${join(values)} ${onConflict}`);
        }
        await afterWrite?.(tx, table, rows);
      });
    },
    async countTable(table) {
      const rows = await db.read(sql`SELECT count(*) AS n FROM ${ident(table)}`);
      return Number(rows[0]?.['n'] ?? 0);
    },
    async loadProgress() {
      const rows = await db.read(sql`SELECT step, source, position, copied, done, ${msCol('updated_at')} FROM copy_progress ORDER BY step`);
      return rows.map((r) => ({
        step: String(r['step']),
        source: String(r['source']),
        position: r['position'] === null || r['position'] === undefined ? null : String(r['position']),
        copied: Number(r['copied']),
        done: r['done'] === true || r['done'] === 'true' || r['done'] === 1,
        updatedAt: Number(r['updated_at']),
      }));
    },
    async saveProgress(p) {
      await db.write(sql`INSERT INTO copy_progress (step, source, position, copied, done, updated_at) VALUES (${p.step}, ${p.source}, ${p.position}, ${p.copied}, ${p.done}, ${at(p.updatedAt)})
ON CONFLICT (step) DO UPDATE SET source = excluded.source, position = excluded.position, copied = excluded.copied, done = excluded.done, updated_at = excluded.updated_at`);
    },
    async resetProgress() {
      await db.write(sql`DELETE FROM copy_progress`);
    },
  };
}
