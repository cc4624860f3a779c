// From result rows to DetectionHits: groups evidence rows per rule and group, derives the entities
// (users, ips, mailboxes, files, applications) from the group-by values and the evidence rows, and
// keeps only groups with evidence that has not produced a hit before (detection_evidence).

import type { DetectionEvidence, Row, Store } from '../../store/index.js';
import type { DetectionHit, Entities } from '../types.js';
import type { CompiledRule } from '../compile/index.js';

const ENTITY_MAX = 20;

/** One evidence row of a candidate hit. */
export interface EvidenceRow {
  tenantId: string;
  groupKey: string;
  groupValues: Record<string, string>;
  id: string;
  ms: number;
  row: Row;
}

const USER_FIELDS = /^(userid|userkey|parameters\.(user|trustee|identity|mailbox)|mailboxownerupn|targetuserorgroupname|objectid)$/i;
const IP_FIELDS = /^(clientip|actoripaddress|clientipaddress)$/i;

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

export function entitiesOf(rows: EvidenceRow[], groupValues: Record<string, string>): Entities {
  const sets = { users: new Set<string>(), ips: new Set<string>(), mailboxes: new Set<string>(), files: new Set<string>(), applications: new Set<string>() };
  for (const [field, value] of Object.entries(groupValues)) {
    if (!value) continue;
    if (IP_FIELDS.test(field)) sets.ips.add(value);
    else if (USER_FIELDS.test(field)) sets.users.add(value);
  }
  for (const { row } of rows) {
    const user = str(row['user_id']);
    if (user) sets.users.add(user);
    const ip = str(row['client_ip']);
    if (ip) sets.ips.add(ip);
    const mailbox = str(row['mailbox_owner_upn']);
    if (mailbox) sets.mailboxes.add(mailbox);
    const workload = str(row['workload']);
    const object = str(row['object_id']);
    if (object && (workload === 'SharePoint' || workload === 'OneDrive')) sets.files.add(object);
    if (object && Number(row['record_type']) === 1) sets.mailboxes.add(object);
    const app = str(row['application_id']);
    if (app) sets.applications.add(app);
  }
  const out: Entities = {};
  for (const [k, s] of Object.entries(sets)) {
    if (s.size) out[k as keyof Entities] = [...s].sort().slice(0, ENTITY_MAX);
  }
  return out;
}

/** Candidate hits: one per rule, tenant and group key, from evidence rows. */
export function buildHits(rule: CompiledRule, rows: EvidenceRow[]): DetectionHit[] {
  const groups = new Map<string, EvidenceRow[]>();
  for (const r of rows) {
    const key = `${r.tenantId}\u0000${r.groupKey}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const hits: DetectionHit[] = [];
  for (const list of groups.values()) {
    const seen = new Set<string>();
    const unique = list.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
    // Rows usually come in this order already (the queries sort them): check before sorting.
    const before = (a: EvidenceRow, b: EvidenceRow) => a.ms - b.ms || (a.id < b.id ? -1 : 1);
    if (unique.some((r, i) => i > 0 && before(unique[i - 1]!, r) > 0)) unique.sort(before);
    const first = unique[0]!;
    hits.push({
      ruleId: rule.rule.id,
      title: rule.rule.title,
      severity: rule.rule.level,
      tags: [...rule.rule.tags],
      tenantId: first.tenantId,
      groupKey: first.groupKey,
      entities: entitiesOf(unique, first.groupValues),
      firstSeen: first.ms,
      lastSeen: unique[unique.length - 1]!.ms,
      count: unique.length,
      evidence: unique.map((r) => r.id),
    });
  }
  return hits;
}

/** Drops hits whose evidence all produced a hit before (hits of one rule). */
export async function onlyNewEvidence(store: Pick<Store, 'state'>, hits: DetectionHit[]): Promise<DetectionHit[]> {
  if (hits.length === 0) return [];
  const ruleId = hits[0]!.ruleId;
  const ids = [...new Set(hits.flatMap((h) => h.evidence))];
  const known = new Set((await store.state.detection.knownEvidence(ruleId, ids)).map((e) => `${e.tenantId}\u0000${e.eventId}`));
  return hits.filter((h) => h.evidence.some((id) => !known.has(`${h.tenantId}\u0000${id}`)));
}

/** Records the evidence of emitted hits (idempotent). */
export async function recordEvidence(store: Pick<Store, 'state'>, hits: DetectionHit[], now: number): Promise<void> {
  const byRule = new Map<string, DetectionEvidence[]>();
  for (const h of hits) {
    const list = byRule.get(h.ruleId) ?? [];
    for (const id of h.evidence) list.push({ tenantId: h.tenantId, eventId: id, groupKey: h.groupKey });
    byRule.set(h.ruleId, list);
  }
  for (const [ruleId, evidence] of byRule) await store.state.detection.recordEvidence(ruleId, evidence, now);
}
