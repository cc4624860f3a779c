// Alerts, their evidence and history in DuckDB (tables of migration 300).

import { ident, join, sql, type Sql } from '../../sql/index.js';
import type { AlertHistoryRecord, AlertQuery, AlertsState } from '../../types.js';
import { at, chunks, msCol, str, strOrNull, type StateDb } from './db.js';
import { alertColumns, alertPage, alertSummary, alertValues, alertWhere, toAlert } from '../../state-values.js';

const CHUNK = 400;

const SELECT = alertColumns(msCol);
const IN = (column: string, values: readonly string[]): Sql => sql`${ident(column)} IN (${list(values)})`;
const DAY = (c: string): Sql => sql`CAST(floor(epoch_ms(${ident(c)}) / 86400000) AS BIGINT)`;

const list = (items: readonly string[]) => join(items.map((v) => sql`${v}`));

export function duckdbAlerts(db: StateDb): AlertsState {
  return {
    async get(id) {
      const rows = await db.read(sql`SELECT ${SELECT} FROM alerts WHERE id = ${id}`);
      return rows[0] ? toAlert(rows[0]) : null;
    },
    async latestOverlapping(groupHash, from, to) {
      const rows = await db.read(sql`SELECT ${SELECT} FROM alerts
        WHERE group_hash = ${groupHash} AND first_seen <= ${at(to)} AND last_seen >= ${at(from)}
        ORDER BY last_seen DESC, created_at DESC LIMIT 1`);
      return rows[0] ? toAlert(rows[0]) : null;
    },
    async insert(a) {
      await db.write(sql`INSERT INTO alerts (id, rule_id, title, severity, severity_rank, tags, tenant_id, group_key, group_hash,
        entities, first_seen, last_seen, count, evidence, evidence_total, status, assignee, revision, suppressed_by, created_at,
        updated_at) VALUES (${alertValues(a)})`);
    },
    async update(a) {
      await db.write(sql`UPDATE alerts SET severity = ${a.severity}, severity_rank = ${a.severityRank},
        tags = ${JSON.stringify(a.tags)}, entities = ${JSON.stringify(a.entities)}, first_seen = ${at(a.firstSeen)},
        last_seen = ${at(a.lastSeen)}, count = ${a.count}, evidence = ${JSON.stringify(a.evidence)},
        evidence_total = ${a.evidenceTotal}, status = ${a.status}, assignee = ${a.assignee}, revision = ${a.revision},
        suppressed_by = ${a.suppressedBy}, updated_at = ${at(a.updatedAt)} WHERE id = ${a.id}`);
    },
    async list(q: AlertQuery = {}) {
      const rows = await db.read(sql`SELECT ${SELECT} FROM alerts WHERE ${alertWhere(q, IN)} ${alertPage(q)}`);
      return rows.map(toAlert);
    },
    async count(q: AlertQuery = {}) {
      const rows = await db.read(sql`SELECT count(*) AS n FROM alerts WHERE ${alertWhere(q, IN)}`);
      return Number(rows[0]?.['n'] ?? 0);
    },
    summary: (since) => alertSummary(db, since, DAY),
    async knownEvidence(alertId, recordIds) {
      const known = new Set<string>();
      for (const part of chunks(recordIds, CHUNK)) {
        const rows = await db.read(sql`SELECT record_id FROM alert_evidence WHERE alert_id = ${alertId} AND record_id IN (${list(part)})`);
        for (const r of rows) known.add(str(r['record_id']));
      }
      return known;
    },
    async addEvidence(alertId, recordIds) {
      await db.atomic(async (tx) => {
        for (const part of chunks(recordIds, CHUNK)) {
          await tx.write(sql`INSERT INTO alert_evidence (alert_id, record_id) VALUES ${join(part.map((id) => sql`(${alertId}, ${id})`))} ON CONFLICT DO NOTHING`);
        }
      });
    },
    appendHistory(alertId, e) {
      // MAX(seq) + 1 is safe here: the read and the insert run in one transaction on the single writer.
      return db.atomic(async (tx) => {
        const rows = await tx.read(sql`SELECT COALESCE(MAX(seq), 0) AS n FROM alert_history WHERE alert_id = ${alertId}`);
        const seq = Number(rows[0]?.['n'] ?? 0) + 1;
        await tx.write(sql`INSERT INTO alert_history (alert_id, seq, changed_at, actor, action, from_status, to_status, detail)
          VALUES (${alertId}, ${seq}, ${at(e.at)}, ${e.actor}, ${e.action}, ${e.from}, ${e.to}, ${e.detail})`);
        return seq;
      });
    },
    async history(alertId) {
      const rows = await db.read(sql`SELECT ${msCol('changed_at')}, actor, action, from_status, to_status, detail FROM alert_history WHERE alert_id = ${alertId} ORDER BY seq`);
      return rows.map(
        (r): AlertHistoryRecord => ({
          at: Number(r['changed_at']),
          actor: str(r['actor']),
          action: str(r['action']),
          from: strOrNull(r['from_status']),
          to: str(r['to_status']),
          detail: strOrNull(r['detail']),
        }),
      );
    },
  };
}
