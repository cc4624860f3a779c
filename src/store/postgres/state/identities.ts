// Identities in PostgreSQL (migration 2): (tenant, identifier) → person id. In a deployment with the
// events elsewhere, compiled "same person" rules join a copy of this table beside the events (see
// ports/state.ts); this is the table that the learning writes and the copy follows: every row written
// takes the next revision (migration 50) under one advisory lock, so revisions become visible in order
// and a copy that holds every row up to revision N needs only the rows after N (identityChanges).

import { sql } from '../../sql/index.js';
import type { IdentitiesState, IdentityRecord } from '../../types.js';
import { at, chunks, sortedUnique, str, type PgDb } from './db.js';

const BATCH = 10_000;

/** The advisory lock that serialises identity writers (revisions commit in the order they are taken). */
const REVISION_LOCK = 0x6177_0040;

/** An identity row as the ClickHouse copy holds it. */
export interface IdentityRevision {
  tenantId: string;
  value: string;
  personId: string;
  rev: number;
}

/** The identity rows written after revision `after`, oldest first, at most `limit`. */
export async function identityChanges(db: PgDb, after: number, limit: number): Promise<IdentityRevision[]> {
  const rows = await db.read(sql`SELECT tenant_id, value, person_id, rev FROM identities WHERE rev > ${after} ORDER BY rev LIMIT ${limit}`);
  return rows.map((r) => ({ tenantId: str(r['tenant_id']), value: str(r['value']), personId: str(r['person_id']), rev: Number(r['rev']) }));
}

export function postgresIdentities(db: PgDb): IdentitiesState {
  return {
    async lookup(tenantId, values) {
      const out: IdentityRecord[] = [];
      for (const chunk of chunks(sortedUnique(values), BATCH)) {
        const rows = await db.read(sql`SELECT value, kind, person_id FROM identities WHERE tenant_id = ${tenantId} AND value = ANY(${chunk}::text[])`);
        for (const r of rows) out.push({ value: str(r['value']), kind: str(r['kind']), personId: str(r['person_id']) });
      }
      return out;
    },
    async apply(tenantId, change, when) {
      const now = at(when);
      // The first of several adds of one value wins, as it would row by row; sorted, so writers lock in one order.
      const first = new Map<string, IdentityRecord>();
      for (const i of change.add) if (!first.has(i.value)) first.set(i.value, i);
      const adds = sortedUnique([...first.keys()]).map((v) => first.get(v)!);
      await db.atomic(async (tx) => {
        await tx.read(sql`SELECT pg_advisory_xact_lock(${REVISION_LOCK})`);
        for (const chunk of chunks(adds, BATCH)) {
          await tx.write(sql`INSERT INTO identities (tenant_id, value, kind, person_id, first_seen, last_seen, rev)
            SELECT ${tenantId}, v, k, p, ${now}, ${now}, nextval('identities_rev') FROM unnest(${chunk.map((i) => i.value)}::text[], ${chunk.map((i) => i.kind)}::text[], ${chunk.map((i) => i.personId)}::text[]) AS x(v, k, p)
            ON CONFLICT DO NOTHING`);
        }
        for (const { from, to } of change.relabel) {
          await tx.write(sql`UPDATE identities SET person_id = ${to}, rev = nextval('identities_rev') WHERE tenant_id = ${tenantId} AND person_id = ${from}`);
        }
        for (const chunk of chunks(sortedUnique(change.ambiguous), BATCH)) {
          await tx.write(sql`UPDATE identities SET person_id = '', rev = nextval('identities_rev') WHERE tenant_id = ${tenantId} AND value = ANY(${chunk}::text[])`);
        }
      });
    },
    async personOf(tenantId, value) {
      const rows = await db.read(sql`SELECT person_id FROM identities WHERE tenant_id = ${tenantId} AND value = ${value}`);
      return rows[0] ? str(rows[0]['person_id']) : null;
    },
  };
}
