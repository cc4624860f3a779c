// The state of first-seen rules (baseline_terms: per rule, tenant and entity the terms seen within the
// rule's history; baseline_learning: per rule and tenant the end of its learning period), the same SQL
// on every state engine (DuckDB migration 800, PostgreSQL migration 60). Times are epoch ms (bigint).
// Each engine passes how it spells a list parameter as rows (`unnest`); writes go in key order, so
// concurrent PostgreSQL writers lock rows in one order.

import { sql, type Sql } from './sql/index.js';
import type { BaselineState, BaselineTerm } from './types.js';
import { chunks, str, type StateHandle } from './state-values.js';

const BATCH = 10_000;

/** How an engine turns a list parameter into rows: DuckDB `unnest($1)`, PostgreSQL `unnest($1::text[])`. */
export interface ListRows {
  text(values: readonly string[]): Sql;
  int(values: readonly number[]): Sql;
}

const keyOf = (t: Pick<BaselineTerm, 'tenantId' | 'entity' | 'term'>): string => `${t.tenantId}\u0000${t.entity}\u0000${t.term}`;

/** One row per key (earliest firstSeen, latest lastSeen), in key order: an upsert may touch a row once only. */
function merged(terms: readonly BaselineTerm[]): BaselineTerm[] {
  const byKey = new Map<string, BaselineTerm>();
  for (const t of terms) {
    const k = keyOf(t);
    const prior = byKey.get(k);
    byKey.set(k, prior ? { ...prior, firstSeen: Math.min(prior.firstSeen, t.firstSeen), lastSeen: Math.max(prior.lastSeen, t.lastSeen) } : { ...t });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

export function baselineState(db: StateHandle, list: ListRows): BaselineState {
  return {
    async terms(ruleId, tenantId, entities) {
      const out: BaselineTerm[] = [];
      for (const part of chunks([...new Set(entities)].sort(), BATCH)) {
        const rows = await db.read(sql`SELECT entity, term, first_seen_ms, last_seen_ms FROM baseline_terms
          WHERE rule_id = ${ruleId} AND tenant_id = ${tenantId} AND entity IN (SELECT ${list.text(part)})`);
        for (const r of rows) out.push({ tenantId, entity: str(r['entity']), term: str(r['term']), firstSeen: Number(r['first_seen_ms']), lastSeen: Number(r['last_seen_ms']) });
      }
      return out;
    },
    async observe(ruleId, terms) {
      if (terms.length === 0) return;
      await db.atomic(async (tx) => {
        for (const part of chunks(merged(terms), BATCH)) {
          await tx.write(sql`INSERT INTO baseline_terms (rule_id, tenant_id, entity, term, first_seen_ms, last_seen_ms)
            SELECT ${ruleId}, ${list.text(part.map((t) => t.tenantId))}, ${list.text(part.map((t) => t.entity))}, ${list.text(part.map((t) => t.term))},
              ${list.int(part.map((t) => Math.round(t.firstSeen)))}, ${list.int(part.map((t) => Math.round(t.lastSeen)))}
            ON CONFLICT (rule_id, tenant_id, entity, term) DO UPDATE SET
              first_seen_ms = least(baseline_terms.first_seen_ms, excluded.first_seen_ms),
              last_seen_ms = greatest(baseline_terms.last_seen_ms, excluded.last_seen_ms)`);
        }
      });
    },
    async expire(ruleId, tenantId, before) {
      return db.write(sql`DELETE FROM baseline_terms WHERE rule_id = ${ruleId} AND tenant_id = ${tenantId} AND last_seen_ms < ${Math.round(before)}`);
    },
    async learningEnds(ruleId) {
      const rows = await db.read(sql`SELECT tenant_id, learning_until_ms FROM baseline_learning WHERE rule_id = ${ruleId}`);
      return new Map(rows.map((r) => [str(r['tenant_id']), Number(r['learning_until_ms'])]));
    },
    async startLearning(ruleId, tenantId, until, at) {
      await db.write(sql`INSERT INTO baseline_learning (rule_id, tenant_id, learning_until_ms, started_ms) VALUES (${ruleId}, ${tenantId}, ${Math.round(until)}, ${Math.round(at)})
        ON CONFLICT (rule_id, tenant_id) DO NOTHING`);
      const rows = await db.read(sql`SELECT learning_until_ms FROM baseline_learning WHERE rule_id = ${ruleId} AND tenant_id = ${tenantId}`);
      return Number(rows[0]?.['learning_until_ms'] ?? until);
    },
    async reset(ruleId) {
      await db.atomic(async (tx) => {
        const where = ruleId === undefined ? sql`` : sql` WHERE rule_id = ${ruleId}`;
        await tx.write(sql`DELETE FROM baseline_terms${where}`);
        await tx.write(sql`DELETE FROM baseline_learning${where}`);
      });
    },
  };
}
