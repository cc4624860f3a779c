// What detection hands on: one hit per rule and grouping key, with the evidence behind it. The alerts
// part turns hits into alerts (de-duplication, lifecycle, routing); detection never imports it.

export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

export interface Entities {
  users?: string[];
  ips?: string[];
  mailboxes?: string[];
  files?: string[];
  applications?: string[];
}

export interface DetectionHit {
  ruleId: string;
  title: string;
  severity: Severity;
  /** ATT&CK and other tags from the rule, e.g. attack.t1098.002. */
  tags: string[];
  tenantId: string;
  /** Canonical key of the rule's grouping (group-by values); the alert de-duplication key with ruleId. */
  groupKey: string;
  entities: Entities;
  /** Event-time span of the evidence, epoch ms. */
  firstSeen: number;
  lastSeen: number;
  count: number;
  /** Record Ids of the evidence. */
  evidence: string[];
}

/** Where hits go (the alerts service implements it). */
export interface HitSink {
  ingest(hits: DetectionHit[]): Promise<void>;
}
