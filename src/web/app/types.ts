// The shapes of the API's answers that the page reads (server/routes.ts and the dashboard contract).
// Every string in them may come from audit data: shown only through ui.tsx's Txt/More/JsonView.

export type Role = 'viewer' | 'analyst' | 'admin';
export interface Session {
  user: string;
  role: Role;
  csrfToken: string;
  expiresAt: string;
}
export interface AuthMethods {
  local: boolean;
  oidc: { label: string } | null;
}

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const STATUSES = ['new', 'acknowledged', 'resolved', 'false_positive'] as const;

export interface Alert {
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  tenant: string;
  groupKey: string;
  entities: Record<string, string[] | undefined>;
  tags: string[];
  firstSeen: string;
  lastSeen: string;
  count: number;
  evidence: string[];
  evidenceTotal: number;
  status: string;
  assignee: string | null;
  revision: number;
  suppressedBy: string | null;
}
export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  from: string | null;
  to: string;
  detail: string | null;
}
export interface AlertDetail {
  alert: Alert;
  history: HistoryEntry[];
}
export interface AlertPage {
  alerts: Alert[];
  total?: number;
  nextCursor?: string | null;
}

export interface EventRow {
  id: string;
  tenant: string;
  time: string;
  user: string | null;
  ip: string | null;
  country: string | null;
  asn: string | number | null;
  operation: string | null;
  workload: string | null;
  result: string | null;
  recordType: string | number | null;
  raw?: unknown;
}
