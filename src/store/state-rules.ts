// Rule settings (rule_settings: one row per rule an admin enabled or disabled; rule_setting_changes: every
// change, in order) and per-rule alert statistics, the same SQL on every state engine (DuckDB migration
// 600, PostgreSQL migration 30); each engine passes its handle and how it reads epoch ms.

import { sql, type Sql } from './sql/index.js';
import type { RuleAlertStats, RuleSettingRecord, RuleSettingsState } from './types.js';
import { at, str, strOrNull, type StateHandle } from './state-values.js';

function toSetting(r: Record<string, unknown>): RuleSettingRecord {
  return {
    ruleId: str(r['rule_id']),
    enabled: r['enabled'] === true || r['enabled'] === 1 || r['enabled'] === '1',
    changedBy: str(r['changed_by']),
    changedAt: Number(r['changed_at']),
    reason: strOrNull(r['reason']),
  };
}

/** Rule settings over any state engine's handle; `msCol` reads a timestamp column as epoch ms. */
export function ruleSettingsState(db: StateHandle, msCol: (column: string) => Sql): RuleSettingsState {
  const SELECT = sql`rule_id, enabled, changed_by, ${msCol('changed_at')}, reason`;
  return {
    async set(s) {
      await db.atomic(async (tx) => {
        // The change's number: one more than the rule's last (writes to one store are serialised per
        // engine: DuckDB's single writer; PostgreSQL's row lock on the setting taken by the upsert first).
        await tx.write(sql`INSERT INTO rule_settings (rule_id, enabled, changed_by, changed_at, reason)
          VALUES (${s.ruleId}, ${s.enabled}, ${s.changedBy}, ${at(s.changedAt)}, ${s.reason})
          ON CONFLICT (rule_id) DO UPDATE SET enabled = excluded.enabled, changed_by = excluded.changed_by, changed_at = excluded.changed_at, reason = excluded.reason`);
        const last = await tx.read(sql`SELECT coalesce(max(seq), 0) AS seq FROM rule_setting_changes WHERE rule_id = ${s.ruleId}`);
        const seq = Number(last[0]?.['seq'] ?? 0) + 1;
        await tx.write(sql`INSERT INTO rule_setting_changes (rule_id, seq, enabled, changed_by, changed_at, reason)
          VALUES (${s.ruleId}, ${seq}, ${s.enabled}, ${s.changedBy}, ${at(s.changedAt)}, ${s.reason})`);
      });
    },
    async list() {
      return (await db.read(sql`SELECT ${SELECT} FROM rule_settings ORDER BY rule_id`)).map(toSetting);
    },
    async history(options = {}) {
      const limit = Math.max(1, Math.min(options.limit ?? 100, 100_000));
      const where = options.ruleId === undefined ? sql`` : sql`WHERE rule_id = ${options.ruleId}`;
      return (await db.read(sql`SELECT ${SELECT} FROM rule_setting_changes ${where} ORDER BY changed_at DESC, seq DESC, rule_id LIMIT ${limit}`)).map(toSetting);
    },
    async alertStats(since) {
      const rows = await db.read(sql`SELECT rule_id, ${msCol('last_hit_at')}, hits_since FROM (
        SELECT rule_id, max(last_seen) AS last_hit_at, count(*) FILTER (WHERE last_seen >= ${at(since)}) AS hits_since
        FROM alerts GROUP BY rule_id) AS per_rule ORDER BY rule_id`);
      return rows.map((r): RuleAlertStats => ({ ruleId: str(r['rule_id']), lastHitAt: Number(r['last_hit_at']), hitsSince: Number(r['hits_since']) }));
    },
  };
}
