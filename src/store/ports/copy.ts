// The copy port: a store's whole content as rows, for `auditwatch store copy` (moving a DuckDB store
// into ClickHouse + PostgreSQL, or into another DuckDB file). Every table a store keeps besides the
// events is read page by page in its key order and written back by key (insert, or replace the row
// with that key), so writing a page twice leaves the same rows. Events are read per tenant and UTC day
// in (creation_time, Id) order and written through the target's own ingest, which stores each
// (tenant, Id) once — a page sent twice (a copy killed between a write and its progress row) is not
// doubled. The target records the copy's progress (`copy_progress`) beside its state, so a copy that
// was stopped continues where it was.
//
// Engines: DuckDB reads and writes everything; a ClickHouse store writes events (its ingest) and keeps
// the other tables in PostgreSQL; reading events for a copy is DuckDB's only (the source of a move).

import type { EventRow } from '../../records/index.js';
import type { CommitResult } from './events.js';

/** Every table a copy moves besides the events, in the order it moves them (see store/copy-tables.ts). */
export const COPY_TABLES = [
  'blob_ledger',
  'gaps',
  'dead_letters',
  'cursors',
  'collector_state',
  'identities',
  'detection_state',
  'detection_evidence',
  'alerts',
  'alert_evidence',
  'alert_history',
  'alert_suppressions',
  'alert_outbox',
  'report_runs',
  'accounts',
  'sessions',
  'rule_settings',
  'rule_setting_changes',
] as const;

export type CopyTable = (typeof COPY_TABLES)[number];

/** A column's value: text, a number (times as epoch ms), a boolean, or null. */
export type CopyValue = string | number | boolean | null;
export type CopyRow = Record<string, CopyValue>;

/** The events of one tenant on one UTC day (`day`: epoch ms of its midnight). */
export interface EventDay {
  tenantId: string;
  day: number;
  records: number;
}

/** A stored record with what the store added to it. */
export interface CopiedEvent {
  row: EventRow;
  contentType: string | null;
  sourceId: string;
  ingestedAt: number;
}

/** A step of a copy as the target records it: its position (JSON), rows copied, finished or not. */
export interface CopyProgress {
  step: string;
  /** Which source this is a copy of (CopyPort.identity of the source). */
  source: string;
  position: string | null;
  copied: number;
  done: boolean;
  updatedAt: number;
}

export interface CopyPort {
  /** What names this store as a copy source, stable across opens (its engine and when it was created); refused by a store that cannot be one. */
  identity(): Promise<string>;
  /** Up to `limit` rows of `table` in key order after the row whose key columns are `after` (null: from the start). */
  readTable(table: CopyTable, after: CopyRow | null, limit: number): Promise<CopyRow[]>;
  /** Inserts the rows, replacing a row with the same key. */
  writeTable(table: CopyTable, rows: readonly CopyRow[]): Promise<void>;
  countTable(table: CopyTable): Promise<number>;
  /** Records per tenant and UTC day, by tenant then day (the order readEvents pages in). */
  eventDays(): Promise<EventDay[]>;
  /** Up to `limit` records of the day in (creation_time, Id) order after `after`. */
  readEvents(day: EventDay, after: { creationTime: number; id: string } | null, limit: number): Promise<CopiedEvent[]>;
  /** Stores the records as they were stored in the source (content type, source, ingest time kept), each (tenant, Id) once. */
  writeEvents(events: readonly CopiedEvent[]): Promise<CommitResult>;
  countEvents(): Promise<number>;
  /** The progress rows of a copy into this store (none when it is not a copy). */
  loadProgress(): Promise<CopyProgress[]>;
  saveProgress(progress: CopyProgress): Promise<void>;
  /** Forgets every progress row (the copy starts over; what was copied stays). */
  resetProgress(): Promise<void>;
}
