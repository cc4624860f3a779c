// Detection state in PostgreSQL (migration 2): watermarks per rule (detection_state) and the evidence
// that already produced a hit (detection_evidence). Lists go as array parameters (unnest, = ANY), one
// parameter per list; writes take the keys sorted so concurrent writers lock rows in one order.

import { sql } from '../../sql/index.js';
import type { DetectionEvidence, DetectionState } from '../../types.js';
import { at, chunks, sortedUnique, str, type PgDb } from './db.js';

const LIST_BATCH = 20_000;

const byKey = (a: DetectionEvidence, b: DetectionEvidence): number => {
  const x = `${a.tenantId}\u0001${a.eventId}`;
  const y = `${b.tenantId}\u0001${b.eventId}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

export function postgresDetection(db: PgDb): DetectionState {
  return {
    async watermarks() {
      const rows = await db.read(sql`SELECT rule_id, watermark_ms FROM detection_state`);
      return new Map(rows.map((r) => [str(r['rule_id']), Number(r['watermark_ms'])]));
    },
    async watermark(key) {
      const rows = await db.read(sql`SELECT watermark_ms AS w FROM detection_state WHERE rule_id = ${key}`);
      return rows[0] ? Number(rows[0]['w']) : null;
    },
    async setWatermarks(keys, watermark, when) {
      if (keys.length === 0) return;
      await db.write(
        sql`INSERT INTO detection_state (rule_id, watermark_ms, updated_at) SELECT unnest(${sortedUnique(keys)}::text[]), ${Math.round(watermark)}, ${at(when)}
          ON CONFLICT (rule_id) DO UPDATE SET watermark_ms = excluded.watermark_ms, updated_at = excluded.updated_at`,
      );
    },
    async knownEvidence(ruleId, eventIds) {
      const out: { tenantId: string; eventId: string }[] = [];
      for (const chunk of chunks(sortedUnique(eventIds), LIST_BATCH)) {
        const rows = await db.read(sql`SELECT tenant_id, event_id FROM detection_evidence WHERE rule_id = ${ruleId} AND event_id = ANY(${chunk}::text[])`);
        for (const r of rows) out.push({ tenantId: str(r['tenant_id']), eventId: str(r['event_id']) });
      }
      return out;
    },
    async recordEvidence(ruleId, evidence, when) {
      if (evidence.length === 0) return;
      await db.atomic(async (tx) => {
        for (const part of chunks([...evidence].sort(byKey), LIST_BATCH)) {
          const [t, id, g] = [part.map((e) => e.tenantId), part.map((e) => e.eventId), part.map((e) => e.groupKey)];
          await tx.write(
            sql`INSERT INTO detection_evidence (rule_id, tenant_id, event_id, group_key, detected_at)
              SELECT ${ruleId}, t, e, g, ${at(when)} FROM unnest(${t}::text[], ${id}::text[], ${g}::text[]) AS x(t, e, g) ON CONFLICT DO NOTHING`,
          );
        }
      });
    },
    async reset() {
      await db.atomic(async (tx) => {
        await tx.write(sql`DELETE FROM detection_state`);
        await tx.write(sql`DELETE FROM detection_evidence`);
      });
    },
  };
}
