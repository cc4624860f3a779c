// The alert model: what the store keeps per alert, what a person changes (workflow), and the view of
// an alert that leaves the process (the JSON of `alerts list --format json` and of the webhook).

import type { Entities, Severity } from '../detect/index.js';
import type { SuppressionRecord } from '../store/index.js';

export type AlertStatus = 'new' | 'acknowledged' | 'resolved' | 'false_positive';
export const ALERT_STATUSES: readonly AlertStatus[] = ['new', 'acknowledged', 'resolved', 'false_positive'];

/** The workflow part of an alert: what the pure state machine reads and writes. */
export interface WorkflowState {
  status: AlertStatus;
  assignee: string | null;
  /** Bumped on every change worth notifying (open, reopen, severity rise); part of the idempotency key. */
  revision: number;
}

export type WorkflowEvent =
  | { type: 'ack'; actor: string }
  | { type: 'assign'; actor: string; assignee: string | null }
  | { type: 'comment'; actor: string; text: string }
  | { type: 'resolve'; actor: string; comment?: string }
  | { type: 'false_positive'; actor: string; comment?: string }
  | { type: 'reopen'; actor: string; reason: string }
  | { type: 'escalate'; actor: string; from: Severity; to: Severity };

/** One line of an alert's history: who did what, when, and the status before and after. */
export interface HistoryEntry {
  at: number;
  actor: string;
  action: WorkflowEvent['type'] | 'open';
  from: AlertStatus | null;
  to: AlertStatus;
  /** Assignee, comment text, reason or severities, as the action has them (bounded). */
  detail: string | null;
}

export interface Alert extends WorkflowState {
  id: string;
  ruleId: string;
  title: string;
  severity: Severity;
  tags: string[];
  tenantId: string;
  groupKey: string;
  /** sha256 of (rule, tenant, full grouping key): the de-duplication key, exact whatever the key's length. */
  groupHash: string;
  entities: Entities;
  firstSeen: number;
  lastSeen: number;
  count: number;
  /** The first evidence record Ids (bounded); `evidenceTotal` counts them all. */
  evidence: string[];
  evidenceTotal: number;
  /** The suppression rule that matched when the alert last asked to notify, if any. */
  suppressedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * The JSON of an alert for machines: the fields of `detect --format json` (rule, title, severity,
 * entities, firstSeen, lastSeen, count, evidence) plus id, status, assignee and a few more.
 */
/** What `auditwatch detect --format json` prints for a hit. */
export interface HitFields {
  rule: string;
  title: string;
  severity: Severity;
  tenant: string;
  groupKey: string;
  entities: Entities;
  tags: string[];
  /** ISO times. */
  firstSeen: string;
  lastSeen: string;
  count: number;
  evidence: string[];
}

/** An alert as JSON (alerts list, webhooks): the hit's fields plus the alert's own. */
export interface AlertPayload extends HitFields {
  id: string;
  evidenceTotal: number;
  status: AlertStatus;
  assignee: string | null;
  revision: number;
  suppressedBy: string | null;
}

export interface Comment {
  at: number;
  actor: string;
  text: string;
}

/** An allow-list rule: hits it matches are recorded but not notified, until it expires (the state port's record). */
export type Suppression = SuppressionRecord;
