// The operations a user can ask for, as one typed interface: every method takes a plain input and
// answers data (never text) with the warnings the operation raised. The CLI calls it in-process
// (createOperations) or, when the collect daemon holds the store, through the daemon's HTTP API
// (server/client.ts implements the same interface); the API serves exactly these methods. Inputs and
// answers are JSON values, so both ways give the same result.

import type { AlertPayload, AlertStatus, HistoryEntry, HitFields, Suppression } from '../alerts/index.js';
import type { Severity } from '../detect/index.js';
import type { ReportResult, ReportRun } from '../reports/index.js';
import type { AlertSort, EventDetailRow, EventPage, IpAggregates, Row, UserAggregates } from '../store/index.js';
import type { StatusReport } from './status-report.js';
import type { AccountInfo } from './accounts.js';

/** What an operation answers: its data and the warnings it raised (shown on stderr by the CLI). */
export interface Reply<T> {
  data: T;
  warnings: string[];
}

export interface AlertListInput {
  status?: AlertStatus[];
  /** Minimum severity. */
  severity?: Severity;
  rule?: string;
  tenant?: string;
  /** The assignee; "-": unassigned alerts only. */
  assignee?: string;
  /** Alerts seen at or after this (lastSeen): an ISO time or a duration ago (24h, 7d). */
  since?: string;
  /** Alerts first seen at or before this: an ISO time or a duration ago. */
  until?: string;
  /** newest (default), oldest, severity, count. */
  sort?: AlertSort;
  /** At most this many alerts, in the sort's order (default 1000). */
  limit?: number;
  /** Skip this many (paging). */
  offset?: number;
}

export type AlertBulkAction = 'ack' | 'assign' | 'resolve' | 'suppress';

export interface AlertBulkInput extends Actor {
  ids: string[];
  action: AlertBulkAction;
  /** assign: who (null unassigns). */
  assignee?: string | null;
  /** resolve: the comment; suppress: the suppression's reason (required). */
  reason?: string;
}

export interface AlertBulkResult {
  changed: AlertChange[];
  /** Alerts the action could not change, with the one-line reason (the others are changed). */
  failed: { id: string; error: string }[];
  /** suppress: the suppression rules added (one per rule, tenant and entity). */
  suppressions: string[];
}

/** The dashboard's overview: what needs attention first, alerts, collection health, failing rules. */
export interface Overview {
  /** Open (new, acknowledged) alerts per severity, every severity present. */
  openBySeverity: Record<string, number>;
  /** Alerts first seen per UTC day (the last 14 days) and severity. */
  alertsPerDay: { day: string; severity: string; count: number }[];
  collection: { tenant: string; contentType: string; lagSeconds: number | null; lastBlobAt: string | null; gaps: number; deadLetters: number; errors: string | number }[];
  ruleFailures: { rule: string; file: string; line: number | null; error: string; since: string | null }[];
  /** Most urgent first; `link` is a dashboard path or null. */
  attention: { kind: string; message: string; link: string | null }[];
}

export interface AlertDetail {
  alert: AlertPayload;
  /** The alert's history, oldest first; `at` is an ISO time. */
  history: (Omit<HistoryEntry, 'at'> & { at: string })[];
}

/** Who changes an alert: written to its history. */
export interface Actor {
  actor: string;
}

export type AlertChange = Pick<AlertPayload, 'id' | 'status' | 'assignee' | 'revision'>;

export interface SuppressionInput {
  ruleId?: string | null;
  tenantId?: string | null;
  /** Entity values ([KIND:]VALUE); all must match. */
  entities?: string[];
  reason: string;
  createdBy: string;
  /** A duration from now (12h, 7d), or none for no expiry. */
  expires?: string | null;
}

/** A suppression as JSON: times are ISO. */
export type SuppressionInfo = Omit<Suppression, 'createdAt' | 'expiresAt'> & { createdAt: string; expiresAt: string | null };

export interface ReportInfo {
  name: string;
  title: string;
  description: string;
  defaultPeriod: string;
}

export interface ReportInput {
  name: string;
  /** ISO time or a duration ago (7d); default: the report's period. */
  from?: string;
  to?: string;
  /** A named period (last-month, last-7d, …) instead of from/to. */
  period?: string;
  threshold?: number;
  limit?: number;
}

/** A file to download: the server sends `content` as the body, with its type, as an attachment. */
export interface FileAnswer {
  filename: string;
  contentType: string;
  content: string;
}

export type ReportFileFormat = 'html' | 'csv' | 'json';

/** A scheduled report run as answered: its id is `<schedule>@<dueAt ms>` (GET /report-runs/:id/download). */
export type ReportRunInfo = ReportRun & { id: string };

export interface DetectInput {
  /** ISO time or a duration ago; default 24h ago. */
  from?: string;
  /** ISO time or a duration ago; default now. */
  to?: string;
  /** Only these rules (id or name). */
  rules?: string[];
}

export interface HuntInput {
  /** Rule files or folders, read by the process that runs the hunt (absolute paths for the daemon). */
  files: string[];
  /** A duration ago or an ISO time; default 30d. */
  since?: string;
  to?: string;
}

export interface ImportInput {
  /** Files to import ("-" is stdin, in-process only); absolute paths for the daemon. */
  files: string[];
  /** A configured tenant name or a tenant id, for records without OrganizationId. */
  tenant?: string;
}

export interface ImportCounts {
  read: number;
  inserted: number;
  duplicates: number;
  rejected: number;
  /** The first rejections, with their line (all are in dead_letters). */
  rejections: { line: number; reason: string }[];
}

export interface ImportResult {
  files: { file: string; counts: ImportCounts }[];
  total: ImportCounts;
}

export interface RuleInfo {
  id: string;
  name: string | null;
  title: string;
  level: string;
  kind: string;
  /** Effective: the store's setting if an admin set one, else not named in detect.disabled. */
  enabled: boolean;
  /** Where `enabled` comes from: 'store' (rules enable|disable), 'config' (detect.disabled) or 'default'. */
  enabledFrom: 'store' | 'config' | 'default';
  /** 'builtin' (the built-in pack) or the detect.ruleDirs folder it was loaded from. */
  source: string;
  file: string;
  tags: string;
  /** Who last enabled or disabled it in the store, when (ISO) and why; null without a setting. */
  changedBy: string | null;
  changedAt: string | null;
  reason: string | null;
  /** The latest lastSeen of its alerts (ISO), and how many of its alerts were active in the last 7 days. */
  lastHitAt: string | null;
  hits7d: number | null;
  /** For a file that failed to load: the mistake (`file:line:col: message [code]`); null for a loaded rule. */
  loadError: string | null;
}

/** A rule enabled or disabled: its new setting and its recent history of changes, newest first. */
export interface RuleSettingChange {
  id: string;
  title: string;
  enabled: boolean;
  changedBy: string;
  changedAt: string;
  reason: string | null;
  history: { enabled: boolean; changedBy: string; changedAt: string; reason: string | null }[];
}

/** Who enables or disables a rule and why (written to the rule's history). */
export interface RuleChangeInput {
  id: string;
  changedBy: string;
  reason?: string;
}

export interface RulesList {
  rules: RuleInfo[];
  /** Each rule file mistake, `file:line:col: message [code]`. */
  errors: string[];
}

export interface RulesValidation {
  rules: number;
  files: number;
  errors: string[];
}

export interface RulesTestResult {
  results: { file: string; ruleId: string; name: string; passed: boolean; detail: string }[];
  files: number;
  /** Rule and test-file mistakes, `file:line:col: message [code]`. */
  errors: string[];
}

/** Event search filters (GET /events, /events.csv, auditwatch search); empty values filter nothing. */
export interface EventSearchInput {
  /** Event time from: ISO or a duration ago (7d); default 7d. */
  since?: string;
  /** Event time until (exclusive): ISO or a duration ago; default now. */
  until?: string;
  /** User (user_id), case-insensitive exact. */
  user?: string;
  /** Client IP, exact. */
  ip?: string;
  operation?: string;
  workload?: string;
  /** ResultStatus, case-insensitive. */
  result?: string;
  /** A configured tenant name or a tenant id. */
  tenant?: string;
  /** Free text: a case-insensitive substring of the raw record. */
  q?: string;
  /** Where the page starts (nextCursor of the previous page). */
  cursor?: string;
  /** Rows per page: default 100, at most 1000 (the CSV: default and at most 100,000). */
  limit?: number;
}

/** A user's page: sign-ins by country, IPs, recent events and the alerts naming the user. */
export interface UserEntity extends UserAggregates {
  user: string;
  alerts: AlertPayload[];
}

/** An IP address's page: where it is, who used it for what, the alerts naming it. */
export interface IpEntity extends IpAggregates {
  ip: string;
  alerts: AlertPayload[];
}

export interface Operations {
  alertsList(input: AlertListInput): Promise<Reply<AlertPayload[]>>;
  alertsShow(input: { id: string }): Promise<Reply<AlertDetail>>;
  alertsAck(input: { id: string } & Actor): Promise<Reply<AlertChange>>;
  alertsAssign(input: { id: string; assignee: string | null } & Actor): Promise<Reply<AlertChange>>;
  alertsComment(input: { id: string; text: string } & Actor): Promise<Reply<AlertChange>>;
  alertsResolve(input: { id: string; falsePositive?: boolean; comment?: string } & Actor): Promise<Reply<AlertChange>>;
  alertsReopen(input: { id: string; comment?: string } & Actor): Promise<Reply<AlertChange>>;
  /** One workflow action on many alerts; each alert's change is its own (one failing leaves the others). */
  alertsBulk(input: AlertBulkInput): Promise<Reply<AlertBulkResult>>;
  overview(input: Record<string, never>): Promise<Reply<Overview>>;
  suppressionsAdd(input: SuppressionInput): Promise<Reply<SuppressionInfo>>;
  suppressionsList(input: { all?: boolean }): Promise<Reply<SuppressionInfo[]>>;
  suppressionsRemove(input: { id: string }): Promise<Reply<{ id: string }>>;
  reportsList(input: Record<string, never>): Promise<Reply<ReportInfo[]>>;
  reportRuns(input: { limit?: number }): Promise<Reply<ReportRunInfo[]>>;
  report(input: ReportInput): Promise<Reply<ReportResult>>;
  detect(input: DetectInput): Promise<Reply<HitFields[]>>;
  hunt(input: HuntInput): Promise<Reply<HitFields[]>>;
  importFiles(input: ImportInput): Promise<Reply<ImportResult>>;
  status(input: Record<string, never>): Promise<Reply<StatusReport>>;
  query(input: { sql: string }): Promise<Reply<Row[]>>;
  rulesList(input: Record<string, never>): Promise<Reply<RulesList>>;
  rulesValidate(input: { files: string[] }): Promise<Reply<RulesValidation>>;
  rulesTest(input: { ids?: string[] }): Promise<Reply<RulesTestResult>>;
  /** Local accounts; answers never hold a password or its hash. */
  usersList(input: Record<string, never>): Promise<Reply<AccountInfo[]>>;
  usersAdd(input: { name: string; role: string; password: string }): Promise<Reply<AccountInfo>>;
  usersPasswd(input: { name: string; password: string }): Promise<Reply<AccountInfo>>;
  usersRemove(input: { name: string }): Promise<Reply<{ name: string }>>;
  // Investigation: event search, one event, entity pages.
  eventsSearch(input: EventSearchInput): Promise<Reply<EventPage>>;
  eventGet(input: { tenant: string; id: string }): Promise<Reply<EventDetailRow>>;
  eventsCsv(input: Omit<EventSearchInput, 'cursor'>): Promise<Reply<FileAnswer>>;
  entityUser(input: { user: string; since?: string }): Promise<Reply<UserEntity>>;
  entityIp(input: { ip: string; since?: string }): Promise<Reply<IpEntity>>;
  /** Enables a rule in the state store (wins over detect.disabled); unknown id: rule_unknown. */
  rulesEnable(input: RuleChangeInput): Promise<Reply<RuleSettingChange>>;
  /** Disables a rule in the state store: detection skips it from the next pass on. */
  rulesDisable(input: RuleChangeInput): Promise<Reply<RuleSettingChange>>;
  /** A built-in report rendered as a file (html, csv or json). */
  reportFile(input: ReportInput & { format: ReportFileFormat }): Promise<Reply<FileAnswer>>;
  /** A file a scheduled run wrote (the run's id from reportRuns); only from the reports folder. */
  reportRunFile(input: { id: string; format: string }): Promise<Reply<FileAnswer>>;
}

export type OperationName = keyof Operations;
export type InputOf<K extends OperationName> = Parameters<Operations[K]>[0];
export type DataOf<K extends OperationName> = Awaited<ReturnType<Operations[K]>>['data'];
