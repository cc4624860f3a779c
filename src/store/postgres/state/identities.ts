// Identities in PostgreSQL (migration 2): (tenant, identifier) → person id. In a deployment with the
// events elsewhere, compiled "same person" rules join a copy of this table beside the events (see
// ports/state.ts); this is the copy that the learning writes.

import { sql } from '../../sql/index.js';
import type { IdentitiesState, IdentityRecord } from '../../types.js';
import { at, chunks, sortedUnique, str, type PgDb } from './db.js';

const BATCH = 10_000;

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
        for (const chunk of chunks(adds, BATCH)) {
          await tx.write(sql`INSERT INTO identities (tenant_id, value, kind, person_id, first_seen, last_seen)
            SELECT ${tenantId}, v, k, p, ${now}, ${now} FROM unnest(${chunk.map((i) => i.value)}::text[], ${chunk.map((i) => i.kind)}::text[], ${chunk.map((i) => i.personId)}::text[]) AS x(v, k, p)
            ON CONFLICT DO NOTHING`);
        }
        for (const { from, to } of change.relabel) {
          await tx.write(sql`UPDATE identities SET person_id = ${to} WHERE tenant_id = ${tenantId} AND person_id = ${from}`);
        }
        for (const chunk of chunks(sortedUnique(change.ambiguous), BATCH)) {
          await tx.write(sql`UPDATE identities SET person_id = '' WHERE tenant_id = ${tenantId} AND value = ANY(${chunk}::text[])`);
        }
      });
    },
    async personOf(tenantId, value) {
      const rows = await db.read(sql`SELECT person_id FROM identities WHERE tenant_id = ${tenantId} AND value = ${value}`);
      return rows[0] ? str(rows[0]['person_id']) : null;
    },
  };
}
