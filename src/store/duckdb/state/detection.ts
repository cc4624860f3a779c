// Detection state in DuckDB (migration 201): watermarks per rule (detection_state) and the evidence
// that already produced a hit (detection_evidence). Lists go as one parameter each (textList, unnest),
// which keeps a 20,000-id probe one statement.

import { sql, type Sql } from '../../sql/index.js';
import type { DetectionState } from '../../types.js';
import { at, chunks, str, textList, type StateDb } from './db.js';

const LIST_BATCH = 20_000;
/** Ids of one tenant and group key from which they go in statements of their own. */
const OWN_STATEMENT = 1_000;

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
      // Once per (rule, tenant, event), the first group key kept: the table has no key (migration 210), so
      // repeats in the list are dropped here and known rows skipped by the insert, in the writer's transaction.
      // A hit's entries come together and share their tenant and group key strings: the pair is looked
      // up only when it changes, and repeats are found per tenant without building a key per entry.
      const byPair = new Map<string, { tenantId: string; groupKey: string; ids: string[] }>();
      const seenIn = new Map<string, Set<string>>();
      let last: { tenantId: string; groupKey: string; ids: string[] } | undefined;
      let seen = new Set<string>();
      for (const e of evidence) {
        if (!last || e.tenantId !== last.tenantId || e.groupKey !== last.groupKey) {
          const pair = JSON.stringify([e.tenantId, e.groupKey]);
          last = byPair.get(pair);
          if (!last) byPair.set(pair, (last = { tenantId: e.tenantId, groupKey: e.groupKey, ids: [] }));
          seen = seenIn.get(e.tenantId) ?? new Set<string>();
          seenIn.set(e.tenantId, seen);
        }
        if (seen.has(e.eventId)) continue;
        seen.add(e.eventId);
        last.ids.push(e.eventId);
      }
      if (seenIn.size === 0) return;
      // A pair with many Ids (a busy correlation island) gets statements of its own, the pair as two
      // constants; the others go together, the tenant and group key once per pair in two short lists and
      // every Id with the index of its pair. Ids go as one text parameter that DuckDB splits (see textList).
      const big = [...byPair.values()].filter((p) => p.ids.length >= OWN_STATEMENT);
      const small = [...byPair.values()].filter((p) => p.ids.length > 0 && p.ids.length < OWN_STATEMENT);
      await db.atomic(async (tx) => {
        const [known] = await tx.read(sql`SELECT 1 AS x FROM detection_evidence WHERE rule_id = ${ruleId} LIMIT 1`);
        const unknown = (tenant: Sql) => (known ? sql` WHERE NOT EXISTS (SELECT 1 FROM detection_evidence x WHERE x.rule_id = ${ruleId} AND x.tenant_id = ${tenant} AND x.event_id = e.id)` : sql``);
        for (const { tenantId, groupKey, ids } of big) {
          for (const part of chunks(ids, LIST_BATCH)) {
            await tx.write(
              sql`INSERT INTO detection_evidence (rule_id, tenant_id, event_id, group_key, detected_at)
SELECT ${ruleId}, ${tenantId}, e.id, ${groupKey}, ${at(when)} FROM (SELECT unnest(${textList(part)}) AS id) e${unknown(sql`${tenantId}`)}`,
            );
          }
        }
        const rows = small.flatMap((p, i) => p.ids.map((id) => ({ id, i })));
        for (const part of chunks(rows, LIST_BATCH)) {
          const used = [...new Set(part.map((r) => r.i))];
          const local = new Map(used.map((i, j) => [i, j]));
          await tx.write(
            sql`INSERT INTO detection_evidence (rule_id, tenant_id, event_id, group_key, detected_at)
SELECT ${ruleId}, p.t, e.id, p.k, ${at(when)}
FROM (SELECT unnest(${textList(part.map((r) => r.id))}) AS id, CAST(unnest(${textList(part.map((r) => String(local.get(r.i))))}) AS INTEGER) AS i) e
JOIN (SELECT unnest(${used.map((i) => small[i]!.tenantId)}) AS t, unnest(${used.map((i) => small[i]!.groupKey)}) AS k, unnest(range(${used.length})) AS i) p ON p.i = e.i${unknown(sql`p.t`)}`,
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
