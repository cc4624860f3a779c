// From result rows to DetectionHits: groups evidence rows per rule and group, derives the entities
// (users, ips, mailboxes, files, applications) from the group-by values and the evidence rows, and
// keeps only groups with evidence that has not produced a hit before (detection_evidence).

import type { DetectionEvidence, Row, Store } from '../../store/index.js';
import type { DetectionHit, Entities } from '../types.js';
import { ENTITY_MAX, ENTITY_SOURCES, type CompiledRule } from '../compile/index.js';

/** One evidence row of a candidate hit; `row` (a detection rule's match) carries the entity columns. */
export interface EvidenceRow {
  tenantId: string;
  groupKey: string;
  groupValues: Record<string, string>;
  id: string;
  ms: number;
  row?: Row;
}

/** Entity values found apart from the rows (a correlation's per island), by `tenant\u0000groupKey`. */
export type FoundEntities = Map<string, [keyof Entities, string][]>;

export const hitKey = (tenantId: string, groupKey: string): string => `${tenantId}\u0000${groupKey}`;

const USER_FIELDS = /^(userid|userkey|parameters\.(user|trustee|identity|mailbox)|mailboxownerupn|targetuserorgroupname|objectid)$/i;
const IP_FIELDS = /^(clientip|actoripaddress|clientipaddress)$/i;

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

/** A detection rule's row's entity values (ENTITY_SOURCES). */
function rowEntities(row: Row, add: (kind: keyof Entities, value: string) => void): void {
  for (const e of ENTITY_SOURCES) {
    const value = str(row[e.column]);
    if (!value) continue;
    if ('workloads' in e && !(e.workloads as readonly string[]).includes(str(row['workload']) ?? '')) continue;
    if ('recordType' in e && Number(row['record_type']) !== e.recordType) continue;
    add(e.kind, value);
  }
}

export function entitiesOf(rows: EvidenceRow[], groupValues: Record<string, string>, found: [keyof Entities, string][] = []): Entities {
  const sets = { users: new Set<string>(), ips: new Set<string>(), mailboxes: new Set<string>(), files: new Set<string>(), applications: new Set<string>() };
  for (const [field, value] of Object.entries(groupValues)) {
    if (!value) continue;
    if (IP_FIELDS.test(field)) sets.ips.add(value);
    else if (USER_FIELDS.test(field)) sets.users.add(value);
  }
  const add = (kind: keyof Entities, value: string) => sets[kind].add(value);
  for (const { row } of rows) if (row) rowEntities(row, add);
  for (const [kind, value] of found) add(kind, value);
  const out: Entities = {};
  for (const [k, s] of Object.entries(sets)) {
    if (s.size) out[k as keyof Entities] = [...s].sort().slice(0, ENTITY_MAX);
  }
  return out;
}

/** Candidate hits: one per rule, tenant and group key, from evidence rows. */
export function buildHits(rule: CompiledRule, rows: EvidenceRow[], found?: FoundEntities): DetectionHit[] {
  const groups = new Map<string, EvidenceRow[]>();
  let last: EvidenceRow | undefined;
  let list: EvidenceRow[] = [];
  for (const r of rows) {
    // Rows of one group usually come together: look the group up only when it changes.
    if (!last || r.tenantId !== last.tenantId || r.groupKey !== last.groupKey) {
      const key = hitKey(r.tenantId, r.groupKey);
      list = groups.get(key) ?? [];
      groups.set(key, list);
    }
    list.push(r);
    last = r;
  }
  const hits: DetectionHit[] = [];
  for (const list of groups.values()) {
    // Rows usually come in this order already (the queries sort them): check before sorting (stable:
    // the first of repeated rows stays first).
    const before = (a: EvidenceRow, b: EvidenceRow) => a.ms - b.ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    if (list.some((r, i) => i > 0 && before(list[i - 1]!, r) > 0)) list.sort(before);
    // Each record once: its repeats (the same Id, so the same time) are neighbours now.
    const unique: EvidenceRow[] = [];
    for (const r of list) if (unique.length === 0 || unique[unique.length - 1]!.id !== r.id || unique[unique.length - 1]!.ms !== r.ms) unique.push(r);
    const first = unique[0]!;
    hits.push({
      ruleId: rule.rule.id,
      title: rule.rule.title,
      severity: rule.rule.level,
      tags: [...rule.rule.tags],
      tenantId: first.tenantId,
      groupKey: first.groupKey,
      entities: entitiesOf(unique, first.groupValues, found?.get(hitKey(first.tenantId, first.groupKey))),
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
  // A hit's evidence holds each Id once (buildHits); only several hits can repeat one.
  const ids = hits.length === 1 ? hits[0]!.evidence : [...new Set(hits.flatMap((h) => h.evidence))];
  const rows = await store.state.detection.knownEvidence(ruleId, ids);
  if (rows.length === 0) return hits;
  const known = new Set(rows.map((e) => `${e.tenantId}\u0000${e.eventId}`));
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
