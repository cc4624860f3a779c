// Pure functions over alerts: opening one from a detection hit, merging later hits into it (bounded
// but counted), and the JSON view that leaves the process. Audit data is hostile: every string that
// came from a record is bounded here, once, before it is stored.

import { createHash } from 'node:crypto';
import { truncate } from '../core/index.js';
import { SEVERITIES, type DetectionHit, type Entities, type Severity } from '../detect/index.js';
import type { Alert, AlertPayload, HitFields } from './types.js';

export const LIMITS = {
  title: 300,
  ruleId: 200,
  groupKey: 1000,
  entityValue: 512,
  entitiesPerKind: 100,
  tags: 50,
  tag: 100,
  /** Evidence Ids kept on the alert and sent; all are kept in alert_evidence and counted. */
  evidence: 1000,
  recordId: 200,
} as const;

export const ENTITY_KINDS = ['users', 'ips', 'mailboxes', 'files', 'applications'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

export function groupHash(ruleId: string, tenantId: string, groupKey: string): string {
  return createHash('sha256').update(JSON.stringify([ruleId, tenantId, groupKey])).digest('hex');
}

/** A short, stable alert id: the same rule, tenant, key and opening time give the same id. */
export function alertId(ruleId: string, tenantId: string, groupKey: string, firstSeen: number, openedAt: number): string {
  return `al-${createHash('sha256').update(JSON.stringify([ruleId, tenantId, groupKey, firstSeen, openedAt])).digest('hex').slice(0, 16)}`;
}

export function boundEntities(entities: Entities): Entities {
  const out: Entities = {};
  for (const kind of ENTITY_KINDS) {
    const values = entities[kind];
    if (!Array.isArray(values) || values.length === 0) continue;
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.size >= LIMITS.entitiesPerKind) break;
      seen.add(truncate(String(v), LIMITS.entityValue));
    }
    out[kind] = [...seen];
  }
  return out;
}

export function unionEntities(a: Entities, b: Entities): Entities {
  const merged: Entities = {};
  for (const kind of ENTITY_KINDS) {
    const values = [...(a[kind] ?? []), ...(b[kind] ?? [])];
    if (values.length > 0) merged[kind] = values;
  }
  return boundEntities(merged);
}

function boundTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => truncate(String(t), LIMITS.tag)))].slice(0, LIMITS.tags);
}

export function boundEvidence(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => truncate(String(id), LIMITS.recordId)))];
}

/** A new alert for a hit whose evidence Ids are `evidence` (already bounded and de-duplicated). */
export function openAlert(hit: DetectionHit, evidence: string[], now: number): Alert {
  const ruleId = truncate(hit.ruleId, LIMITS.ruleId);
  const groupKey = truncate(hit.groupKey, LIMITS.groupKey);
  return {
    id: alertId(hit.ruleId, hit.tenantId, hit.groupKey, hit.firstSeen, now),
    ruleId,
    title: truncate(hit.title, LIMITS.title),
    severity: hit.severity,
    tags: boundTags(hit.tags),
    tenantId: truncate(hit.tenantId, LIMITS.ruleId),
    groupKey,
    groupHash: groupHash(hit.ruleId, hit.tenantId, hit.groupKey),
    entities: boundEntities(hit.entities),
    firstSeen: hit.firstSeen,
    lastSeen: hit.lastSeen,
    count: Math.max(hit.count, evidence.length, 1),
    evidence: evidence.slice(0, LIMITS.evidence),
    evidenceTotal: evidence.length,
    status: 'new',
    assignee: null,
    revision: 1,
    suppressedBy: null,
    createdAt: now,
    updatedAt: now,
  };
}

export interface Merge {
  alert: Alert;
  /** The hit's severity is higher than the alert's. */
  escalated: boolean;
}

/**
 * Merges a later hit into an alert. `fresh` are the hit's evidence Ids not yet known for the alert.
 * Count grows by the hit's count less the evidence it shares with the alert (so a re-evaluated hit
 * adds only its new events). Returns null when the hit brings nothing new (all its evidence is known).
 */
export function mergeHit(alert: Alert, hit: DetectionHit, fresh: string[], now: number): Merge | null {
  const hitEvidence = boundEvidence(hit.evidence);
  if (hitEvidence.length > 0 && fresh.length === 0) return null;
  const shared = hitEvidence.length - fresh.length;
  const added = Math.max(fresh.length, hit.count - shared, hitEvidence.length === 0 ? hit.count : 0);
  const escalated = severityRank(hit.severity) > severityRank(alert.severity);
  const evidence = alert.evidence.length >= LIMITS.evidence ? alert.evidence : [...alert.evidence, ...fresh].slice(0, LIMITS.evidence);
  return {
    escalated,
    alert: {
      ...alert,
      severity: escalated ? hit.severity : alert.severity,
      tags: boundTags([...alert.tags, ...hit.tags]),
      entities: unionEntities(alert.entities, hit.entities),
      firstSeen: Math.min(alert.firstSeen, hit.firstSeen),
      lastSeen: Math.max(alert.lastSeen, hit.lastSeen),
      count: alert.count + Math.max(0, added),
      evidence,
      evidenceTotal: alert.evidenceTotal + fresh.length,
      updatedAt: now,
    },
  };
}

/** The fields of `auditwatch detect --format json` for a hit or an alert; alerts add theirs to these. */
export function hitFields(h: Pick<DetectionHit, 'ruleId' | 'title' | 'severity' | 'tenantId' | 'groupKey' | 'entities' | 'tags' | 'firstSeen' | 'lastSeen' | 'count' | 'evidence'>): HitFields {
  return {
    rule: h.ruleId,
    title: h.title,
    severity: h.severity,
    tenant: h.tenantId,
    groupKey: h.groupKey,
    entities: h.entities,
    tags: h.tags,
    firstSeen: new Date(h.firstSeen).toISOString(),
    lastSeen: new Date(h.lastSeen).toISOString(),
    count: h.count,
    evidence: h.evidence,
  };
}

export function toPayload(alert: Alert): AlertPayload {
  return {
    id: alert.id,
    ...hitFields(alert),
    evidenceTotal: alert.evidenceTotal,
    status: alert.status,
    assignee: alert.assignee,
    revision: alert.revision,
    suppressedBy: alert.suppressedBy,
  };
}
