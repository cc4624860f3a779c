// The copy of PostgreSQL's identities in ClickHouse (migration 101), which compiled "same person" rules
// join beside the events as DuckDB joins its own table. PostgreSQL stays the one place identities are
// written; before a query that reads the copy, the store pulls the rows written after the copy's newest
// revision (postgres/state/identities.ts: revisions commit in order) and inserts them. Inserting a row
// twice (two processes syncing at once, a crash after the insert) is harmless: the copy keeps the
// newest revision of each (tenant, identifier) and is read through FINAL.

import type { ClickHouseClient } from '@clickhouse/client';
import type { PostgresStateStore } from '../postgres/index.js';

const PAGE = 50_000;

/** Brings the copy up to date; returns the rows copied. */
export async function syncIdentities(client: ClickHouseClient, pg: Pick<PostgresStateStore, 'identityChanges'>): Promise<number> {
  const r = await client.query({ query: 'SELECT count() AS n, max(rev) AS rev FROM identities_rows', format: 'JSONEachRow' });
  const [top] = await r.json<{ n: number | string; rev: number | string }>();
  let after = Number(top?.n ?? 0) === 0 ? -1 : Number(top?.rev ?? -1);
  let copied = 0;
  for (;;) {
    const rows = await pg.identityChanges(after, PAGE);
    if (rows.length === 0) return copied;
    await client.insert({ table: 'identities_rows', format: 'JSONEachRow', values: rows.map((x) => ({ tenant_id: x.tenantId, value: x.value, person_id: x.personId, rev: x.rev })) });
    copied += rows.length;
    after = rows[rows.length - 1]!.rev;
    if (rows.length < PAGE) return copied;
  }
}
