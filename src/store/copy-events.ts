// Events as a copy moves them (ports/copy.ts): every column of a stored record read back into the
// EventRow ingest took (the columns of EVENT_COLUMNS are the row's fields in snake case, JSON maps as
// text) plus what the store added (content type, source, ingest time), and grouped back into ingest
// items so the target stores them through its own ingest, keeping each (tenant, Id) once.

import type { EventRow } from '../records/index.js';
import { EVENT_COLUMNS } from './events-columns.js';
import { ident, join, sql, type Sql } from './sql/index.js';
import type { CopiedEvent } from './types.js';

const STORE_FIELDS = new Set(['content_type', 'source_id', 'ingested_at']);
const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Every column of `events`, timestamps as epoch ms through the engine's `msCol`. */
export function eventColumnsSql(msCol: (column: string) => Sql): Sql {
  return join(EVENT_COLUMNS.map((c) => (c.type === 'timestamp' ? msCol(c.name) : sql`${ident(c.name)}`)));
}

/** A row of eventColumnsSql back as the record and its source fields. */
export function copiedEvent(r: Record<string, unknown>): CopiedEvent {
  const row: Record<string, unknown> = {};
  for (const c of EVENT_COLUMNS) {
    if (STORE_FIELDS.has(c.name)) continue;
    const v = r[c.name];
    if (v === null || v === undefined) row[camel(c.name)] = c.type === 'json' ? {} : null;
    else if (c.type === 'json') row[camel(c.name)] = parseMap(v);
    else if (c.type === 'text') row[camel(c.name)] = String(v);
    else row[camel(c.name)] = Number(v);
  }
  const contentType = r['content_type'];
  return {
    row: row as unknown as EventRow,
    contentType: contentType === null || contentType === undefined ? null : String(contentType),
    sourceId: String(r['source_id'] ?? ''),
    ingestedAt: Number(r['ingested_at']),
  };
}

function parseMap(v: unknown): object {
  try {
    const parsed: unknown = JSON.parse(String(v));
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Copied events as ingest items (the shape of both engines' ingest.ts): one per tenant, content type,
 * source and ingest time, with no ledger entry (the ledger is copied as a table) and no rejections.
 */
export function copiedItems(events: readonly CopiedEvent[]): { tenantId: string; contentType: string | null; sourceId: string; blob: null; rows: EventRow[]; rejects: []; ingestedAt: number }[] {
  const groups = new Map<string, { tenantId: string; contentType: string | null; sourceId: string; blob: null; rows: EventRow[]; rejects: []; ingestedAt: number }>();
  for (const e of events) {
    const key = `${e.row.tenantId}\u0001${e.contentType ?? '\u0000'}\u0001${e.sourceId}\u0001${e.ingestedAt}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { tenantId: e.row.tenantId, contentType: e.contentType, sourceId: e.sourceId, blob: null, rows: [], rejects: [], ingestedAt: e.ingestedAt }));
    g.rows.push(e.row);
  }
  return [...groups.values()];
}
