// Identities in DuckDB (migration 200): (tenant, identifier) → person id. Compiled "same person" rules
// join this table with events, so it stays beside them in the embedded store.

import { join, sql } from '../../sql/index.js';
import type { IdentitiesState, IdentityRecord } from '../../types.js';
import { at, chunks, str, type StateDb } from './db.js';

const BATCH = 400;
const list = (items: readonly string[]) => join(items.map((v) => sql`${v}`));

export function duckdbIdentities(db: StateDb): IdentitiesState {
  return {
    async lookup(tenantId, values) {
      const out: IdentityRecord[] = [];
      for (const chunk of chunks(values, BATCH)) {
        const rows = await db.read(sql`SELECT value, kind, person_id FROM identities WHERE tenant_id = ${tenantId} AND value IN (${list(chunk)})`);
        for (const r of rows) out.push({ value: str(r['value']), kind: str(r['kind']), personId: str(r['person_id']) });
      }
      return out;
    },
    async apply(tenantId, change, when) {
      const now = at(when);
      await db.atomic(async (tx) => {
        for (const chunk of chunks(change.add, BATCH)) {
          const values = chunk.map((i) => sql`(${tenantId}, ${i.value}, ${i.kind}, ${i.personId}, ${now}, ${now})`);
          await tx.write(sql`INSERT INTO identities (tenant_id, value, kind, person_id, first_seen, last_seen) VALUES ${join(values)} ON CONFLICT DO NOTHING`);
        }
        for (const { from, to } of change.relabel) {
          await tx.write(sql`UPDATE identities SET person_id = ${to} WHERE tenant_id = ${tenantId} AND person_id = ${from}`);
        }
        for (const chunk of chunks(change.ambiguous, BATCH)) {
          await tx.write(sql`UPDATE identities SET person_id = '' WHERE tenant_id = ${tenantId} AND value IN (${list(chunk)})`);
        }
      });
    },
    async personOf(tenantId, value) {
      const rows = await db.read(sql`SELECT person_id FROM identities WHERE tenant_id = ${tenantId} AND value = ${value}`);
      return rows[0] ? str(rows[0]['person_id']) : null;
    },
  };
}
