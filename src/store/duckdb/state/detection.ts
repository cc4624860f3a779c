// Detection state in DuckDB (migration 201): watermarks per rule (detection_state) and the evidence
// that already produced a hit (detection_evidence). Lists go as one parameter each (textList, unnest),
// which keeps a 20,000-id probe one statement.

import { sql } from '../../sql/index.js';
import type { DetectionState } from '../../types.js';
import { at, chunks, str, textList, type StateDb } from './db.js';

const LIST_BATCH = 20_000;

export function duckdbDetection(db: StateDb): DetectionState {
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
        sql`INSERT INTO detection_state (rule_id, watermark_ms, updated_at) SELECT unnest(${[...keys]}), ${watermark}, ${at(when)} ON CONFLICT (rule_id) DO UPDATE SET watermark_ms = excluded.watermark_ms, updated_at = excluded.updated_at`,
      );
    },
    async knownEvidence(ruleId, eventIds) {
      const out: { tenantId: string; eventId: string }[] = [];
      if (eventIds.length === 0) return out;
      // A rule with no evidence yet (a first pass, a new rule) needs no probe.
      const [any] = await db.read(sql`SELECT 1 AS x FROM detection_evidence WHERE rule_id = ${ruleId} LIMIT 1`);
      if (!any) return out;
      for (const chunk of chunks(eventIds, LIST_BATCH)) {
        const rows = await db.read(sql`SELECT tenant_id, event_id FROM detection_evidence WHERE rule_id = ${ruleId} AND event_id IN (SELECT unnest(${textList(chunk)}))`);
        for (const r of rows) out.push({ tenantId: str(r['tenant_id']), eventId: str(r['event_id']) });
      }
      return out;
    },
    async recordEvidence(ruleId, evidence, when) {
      await db.atomic(async (tx) => {
        // One statement per tenant and group (usually one hit's evidence): those two bind once, the Ids as a list.
        const groups = new Map<string, { tenantId: string; groupKey: string; ids: string[] }>();
        for (const e of evidence) {
          const key = JSON.stringify([e.tenantId, e.groupKey]);
          const g = groups.get(key) ?? { tenantId: e.tenantId, groupKey: e.groupKey, ids: [] };
          g.ids.push(e.eventId);
          groups.set(key, g);
        }
        for (const g of groups.values()) {
          for (const part of chunks(g.ids, LIST_BATCH)) {
            await tx.write(
              sql`INSERT INTO detection_evidence (rule_id, tenant_id, event_id, group_key, detected_at) SELECT ${ruleId}, ${g.tenantId}, unnest(${textList(part)}), ${g.groupKey}, ${at(when)} ON CONFLICT DO NOTHING`,
            );
          }
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
