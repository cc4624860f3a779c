// The HTTP API's routes: one row per service operation — method, path under /api/v1, the zod schema of
// its input (path parameters, then the query string for GET/DELETE or the JSON body for POST) and what
// it answers. The server, the typed client and the OpenAPI document are all built from this table, so
// they cannot drift apart.

import { z } from 'zod';
import { ALERT_STATUSES } from '../alerts/index.js';
import { SEVERITIES } from '../detect/index.js';
import { ALERT_SORTS } from '../store/index.js';
import type { OperationName } from '../service/index.js';

export type Method = 'GET' | 'POST' | 'DELETE';

/** Who may call a route: viewer reads, analyst also works alerts and suppressions, admin everything. */
export type Role = 'viewer' | 'analyst' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'analyst', 'admin'];

/** Whether `have` includes the rights of `need` (admin ⊃ analyst ⊃ viewer). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export interface RouteDef {
  op: OperationName;
  method: Method;
  /** Hono syntax: /alerts/:id/ack. */
  path: string;
  summary: string;
  /** What `data` holds in the answer. */
  answers: string;
  input: z.ZodObject;
  /** The least role that may call it (ROUTE_ROLES). */
  role: Role;
  /** The client waits this long for an answer (an import of millions of records takes hours). */
  timeoutMs?: number;
  /**
   * The operation answers a FileAnswer, sent as the body (its type, as an attachment) instead of JSON. A
   * file route on the path of a JSON route answers when the query names a `format`; the JSON one otherwise.
   */
  file?: boolean;
}

// Query strings carry text: lists as comma-separated values, numbers and booleans as words.
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : v), z.array(item));
const count = (max: number) => z.coerce.number().int().min(1).max(max);
const flag = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean());
const text = (max: number) => z.string().min(1).max(max);
const id = text(200);
const actor = text(200).describe('who acts: written to the alert\'s history');
const time = z.string().max(64).describe('an ISO time (2026-03-01T00:00:00Z) or a duration ago (24h, 7d)');
const files = z.array(text(4096)).min(1).max(1000).describe('absolute paths, read by the daemon');

const filter = z.string().max(500).optional();
/** The event search's filters (GET /events and /events.csv). */
const searchFields = {
  since: time.optional().describe('event time from (default 7d)'),
  until: time.optional().describe('event time until, exclusive (default now)'),
  user: filter.describe('user (UserId), case-insensitive exact'),
  ip: filter.describe('client IP, exact'),
  operation: filter.describe('operation, case-insensitive exact'),
  workload: filter.describe('workload, case-insensitive exact'),
  result: filter.describe('ResultStatus, case-insensitive exact'),
  tenant: filter.describe('a configured tenant name or a tenant id'),
  q: filter.describe('free text: a case-insensitive substring of the raw record'),
};

const REPORT_PARAMS = {
  name: text(100),
  from: time.optional(),
  to: time.optional(),
  period: z.string().max(40).optional().describe('last-month, this-month, last-week, last-7d, last-day, last-24h, last-30d'),
  threshold: count(1_000_000).optional(),
  limit: count(1_000_000).optional(),
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const TABLE: readonly Omit<RouteDef, 'role'>[] = [
  {
    op: 'alertsList',
    method: 'GET',
    path: '/alerts',
    summary: 'List alerts, newest first.',
    answers: 'alerts as JSON (rule, title, severity, entities, firstSeen, lastSeen, count, evidence, id, status, assignee, …)',
    input: z.strictObject({
      status: list(z.enum(ALERT_STATUSES as [string, ...string[]])).optional(),
      severity: z.enum(SEVERITIES as [string, ...string[]]).optional().describe('minimum severity'),
      rule: text(200).optional(),
      tenant: text(200).optional(),
      assignee: text(200).optional().describe('"-": unassigned only'),
      since: time.optional().describe('lastSeen at or after: an ISO time or a duration ago'),
      until: time.optional().describe('firstSeen at or before'),
      sort: z.enum(ALERT_SORTS).optional(),
      limit: count(1_000_000).optional(),
      offset: z.coerce.number().int().min(0).max(10_000_000).optional(),
    }),
  },
  { op: 'alertsShow', method: 'GET', path: '/alerts/:id', summary: 'One alert with its history.', answers: '{ alert, history }', input: z.strictObject({ id }) },
  { op: 'alertsAck', method: 'POST', path: '/alerts/:id/ack', summary: 'Acknowledge an alert.', answers: '{ id, status, assignee, revision }', input: z.strictObject({ id, actor }) },
  {
    op: 'alertsAssign',
    method: 'POST',
    path: '/alerts/:id/assign',
    summary: 'Assign an alert (assignee null unassigns).',
    answers: '{ id, status, assignee, revision }',
    input: z.strictObject({ id, actor, assignee: text(200).nullable() }),
  },
  {
    op: 'alertsComment',
    method: 'POST',
    path: '/alerts/:id/comment',
    summary: 'Comment on an alert.',
    answers: '{ id, status, assignee, revision }',
    input: z.strictObject({ id, actor, text: text(10_000) }),
  },
  {
    op: 'alertsResolve',
    method: 'POST',
    path: '/alerts/:id/resolve',
    summary: 'Resolve an alert, or mark it a false positive.',
    answers: '{ id, status, assignee, revision }',
    input: z.strictObject({ id, actor, falsePositive: z.boolean().optional(), comment: text(10_000).optional() }),
  },
  {
    op: 'alertsReopen',
    method: 'POST',
    path: '/alerts/:id/reopen',
    summary: 'Reopen a resolved alert.',
    answers: '{ id, status, assignee, revision }',
    input: z.strictObject({ id, actor, comment: text(10_000).optional() }),
  },
  {
    op: 'alertsBulk',
    method: 'POST',
    path: '/alerts/bulk',
    summary: 'One workflow action (ack, assign, resolve, suppress) on up to 1,000 alerts; each alert changes on its own.',
    answers: '{ changed: [{ id, status, assignee, revision }], failed: [{ id, error }], suppressions: [id] }',
    input: z.strictObject({
      ids: z.array(id).min(1).max(1000),
      action: z.enum(['ack', 'assign', 'resolve', 'suppress']),
      assignee: text(200).nullable().optional(),
      reason: z.string().max(2000).optional().describe('resolve: the comment; suppress: the reason (required)'),
      actor,
    }),
  },
  {
    op: 'overview',
    method: 'GET',
    path: '/overview',
    summary: 'The dashboard overview: open alerts by severity, alerts per day, collection health, skipped rules, what needs attention.',
    answers: '{ openBySeverity, alertsPerDay, collection, ruleFailures, attention }',
    input: z.strictObject({}),
  },
  {
    op: 'suppressionsList',
    method: 'GET',
    path: '/suppressions',
    summary: 'Suppression (allow-list) rules; all=true includes expired ones.',
    answers: 'suppressions (id, ruleId, tenantId, entities, reason, createdBy, createdAt, expiresAt)',
    input: z.strictObject({ all: flag.optional() }),
  },
  {
    op: 'suppressionsAdd',
    method: 'POST',
    path: '/suppressions',
    summary: 'Add a suppression rule.',
    answers: 'the suppression',
    input: z.strictObject({
      ruleId: text(200).nullable().optional(),
      tenantId: text(200).nullable().optional(),
      entities: z.array(text(500)).max(50).optional(),
      reason: z.string().max(2000),
      createdBy: actor,
      expires: z.string().max(40).nullable().optional().describe('a duration from now (12h, 7d); none: no expiry'),
    }),
  },
  { op: 'suppressionsRemove', method: 'DELETE', path: '/suppressions/:id', summary: 'Remove a suppression rule.', answers: '{ id }', input: z.strictObject({ id }) },
  { op: 'reportsList', method: 'GET', path: '/reports', summary: 'The built-in reports.', answers: 'reports (name, title, description, defaultPeriod)', input: z.strictObject({}) },
  {
    op: 'reportRuns',
    method: 'GET',
    path: '/reports/runs',
    summary: 'What the report schedules produced, newest first.',
    answers: 'report runs (schedule, report, dueAt, status, files, deliveries, …)',
    input: z.strictObject({ limit: count(100_000).optional() }),
  },
  {
    op: 'report',
    method: 'GET',
    path: '/reports/:name',
    summary: 'Run a built-in report over a period of event time.',
    answers: 'the report: name, title, period, generatedAt, engine, sections (columns, rows, truncated)',
    input: z.strictObject(REPORT_PARAMS),
    timeoutMs: 30 * MINUTE,
  },
  {
    op: 'detect',
    method: 'POST',
    path: '/detect',
    summary: 'Run the detection rules over an event-time range; new hits become alerts.',
    answers: 'the new hits (rule, title, severity, tenant, groupKey, entities, tags, firstSeen, lastSeen, count, evidence)',
    input: z.strictObject({ from: time.optional(), to: time.optional(), rules: z.array(text(200)).max(1000).optional() }),
    timeoutMs: 2 * HOUR,
  },
  {
    op: 'hunt',
    method: 'POST',
    path: '/hunt',
    summary: 'Run ad-hoc rule files over history; stores nothing.',
    answers: 'every hit',
    input: z.strictObject({ files, since: time.optional(), to: time.optional() }),
    timeoutMs: 2 * HOUR,
  },
  {
    op: 'importFiles',
    method: 'POST',
    path: '/import',
    summary: 'Import NDJSON, JSON arrays or Purview CSV exports that the daemon can read.',
    answers: '{ files: [{ file, counts }], total } with counts read, inserted, duplicates, rejected',
    input: z.strictObject({ files, tenant: text(200).optional() }),
    timeoutMs: 6 * HOUR,
  },
  { op: 'status', method: 'GET', path: '/status', summary: 'Collection status per tenant and content type.', answers: 'the status report', input: z.strictObject({}) },
  {
    op: 'query',
    method: 'POST',
    path: '/query',
    summary: 'One read-only SQL statement over the store.',
    answers: 'the rows',
    input: z.strictObject({ sql: z.string().min(1).max(1_000_000) }),
    timeoutMs: 30 * MINUTE,
  },
  { op: 'rulesList', method: 'GET', path: '/rules', summary: 'The rules loaded.', answers: '{ rules, errors }', input: z.strictObject({}) },
  { op: 'rulesValidate', method: 'POST', path: '/rules/validate', summary: 'Validate rule files.', answers: '{ rules, files, errors }', input: z.strictObject({ files }) },
  {
    op: 'rulesTest',
    method: 'POST',
    path: '/rules/test',
    summary: "Run the rules' own tests.",
    answers: '{ results, files, errors }',
    input: z.strictObject({ ids: z.array(text(200)).max(1000).optional() }),
    timeoutMs: 30 * MINUTE,
  },
  { op: 'usersList', method: 'GET', path: '/users', summary: 'Local accounts (never their password hashes).', answers: 'accounts (name, role, createdAt, changedAt)', input: z.strictObject({}) },
  {
    op: 'usersAdd',
    method: 'POST',
    path: '/users',
    summary: 'Add a local account (the password is hashed with scrypt; at least 12 characters).',
    answers: 'the account (name, role, createdAt, changedAt)',
    input: z.strictObject({ name: text(64), role: z.enum(['viewer', 'analyst', 'admin']), password: z.string().max(4096) }),
  },
  {
    op: 'usersPasswd',
    method: 'POST',
    path: '/users/:name/password',
    summary: "Set a local account's password.",
    answers: 'the account (name, role, createdAt, changedAt)',
    input: z.strictObject({ name: text(64), password: z.string().max(4096) }),
  },
  { op: 'usersRemove', method: 'DELETE', path: '/users/:name', summary: 'Remove a local account.', answers: '{ name }', input: z.strictObject({ name: text(64) }) },
  // Investigation: event search, one event with its raw record, the user and IP pages.
  {
    op: 'eventsSearch',
    method: 'GET',
    path: '/events',
    summary: 'Search events by event time, user, IP, operation, workload, result, tenant and text; newest first, paged by cursor.',
    answers: '{ events: [{ id, tenant, time, user, ip, country, asn, operation, workload, result, recordType }], nextCursor }',
    input: z.strictObject({ ...searchFields, cursor: z.string().max(2000).optional().describe("the previous page's nextCursor"), limit: count(1000).optional().describe('rows per page (default 100)') }),
  },
  {
    op: 'eventsCsv',
    method: 'GET',
    path: '/events.csv',
    summary: 'The same search as CSV (up to 100,000 events, newest first), as a download.',
    answers: 'text/csv: time, tenant, user, client IP, country, ASN, operation, workload, result, record type, id',
    input: z.strictObject({ ...searchFields, limit: count(100_000).optional().describe('at most this many rows (default 100,000)') }),
    timeoutMs: 10 * MINUTE,
    file: true,
  },
  {
    op: 'eventGet',
    method: 'GET',
    path: '/events/:tenant/:id',
    summary: 'One event by tenant (name or id) and Id, with its raw record.',
    answers: '{ id, tenant, time, user, ip, country, asn, operation, workload, result, recordType, raw }',
    input: z.strictObject({ tenant: text(200), id: text(500) }),
  },
  {
    op: 'entityUser',
    method: 'GET',
    path: '/entities/users/:user',
    summary: "A user's sign-ins by country, IP addresses, recent events and the alerts naming the user.",
    answers: '{ user, signInsByCountry: [{ country, ok, failed }], ips: [{ ip, country, asn, count }], recentEvents, alerts }',
    input: z.strictObject({ user: text(500), since: time.optional().describe('default 30d') }),
  },
  {
    op: 'entityIp',
    method: 'GET',
    path: '/entities/ips/:ip',
    summary: "An IP address's country and ASN, its users and operations, and the alerts naming it.",
    answers: '{ ip, country, asn, users: [{ user, count }], operations: [{ operation, count }], alerts }',
    input: z.strictObject({ ip: text(100), since: time.optional().describe('default 30d') }),
  },
  {
    op: 'rulesEnable',
    method: 'POST',
    path: '/rules/:id/enable',
    summary: 'Enable a rule (recorded with who and why; wins over detect.disabled).',
    answers: '{ id, title, enabled, changedBy, changedAt, reason, history }',
    input: z.strictObject({ id, changedBy: actor, reason: z.string().max(2000).optional() }),
  },
  {
    op: 'rulesDisable',
    method: 'POST',
    path: '/rules/:id/disable',
    summary: 'Disable a rule from the next detection pass on (recorded with who and why).',
    answers: '{ id, title, enabled, changedBy, changedAt, reason, history }',
    input: z.strictObject({ id, changedBy: actor, reason: z.string().max(2000).optional() }),
  },
  {
    op: 'reportFile',
    method: 'GET',
    path: '/reports/:name',
    summary: 'A built-in report as a file to download (format html, csv or json).',
    answers: 'the file (Content-Disposition: attachment)',
    input: z.strictObject({ ...REPORT_PARAMS, format: z.enum(['html', 'csv', 'json']) }),
    timeoutMs: 30 * MINUTE,
    file: true,
  },
  {
    op: 'reportRunFile',
    method: 'GET',
    path: '/report-runs/:id/download',
    summary: 'A file a scheduled report run wrote (id from GET /reports/runs), from the reports folder only.',
    answers: 'the file (Content-Disposition: attachment)',
    input: z.strictObject({ id: text(400), format: z.enum(['html', 'csv', 'json']) }),
    file: true,
  },
];

/**
 * The least role per operation: reads are the viewer's; the alert workflow and suppressions the
 * analyst's; what reads or runs files on the daemon's machine, runs detection or SQL over every table
 * is the admin's. The daemon's bearer token (the endpoint file's, readable only by the user who runs it)
 * acts as admin.
 */
export const ROUTE_ROLES: Record<OperationName, Role> = {
  alertsList: 'viewer',
  alertsShow: 'viewer',
  suppressionsList: 'viewer',
  reportsList: 'viewer',
  reportRuns: 'viewer',
  report: 'viewer',
  status: 'viewer',
  rulesList: 'viewer',
  overview: 'viewer',
  alertsAck: 'analyst',
  alertsAssign: 'analyst',
  alertsComment: 'analyst',
  alertsResolve: 'analyst',
  alertsReopen: 'analyst',
  alertsBulk: 'analyst',
  suppressionsAdd: 'analyst',
  suppressionsRemove: 'analyst',
  detect: 'admin',
  hunt: 'admin',
  importFiles: 'admin',
  query: 'admin',
  rulesValidate: 'admin',
  rulesTest: 'admin',
  usersList: 'admin',
  usersAdd: 'admin',
  usersPasswd: 'admin',
  usersRemove: 'admin',
  eventsSearch: 'viewer',
  eventsCsv: 'viewer',
  eventGet: 'viewer',
  entityUser: 'viewer',
  entityIp: 'viewer',
  rulesEnable: 'admin',
  rulesDisable: 'admin',
  reportFile: 'viewer',
  reportRunFile: 'viewer',
};

export const ROUTES: readonly RouteDef[] = TABLE.map((r) => ({ ...r, role: ROUTE_ROLES[r.op] }));

export const API_PREFIX = '/api/v1';

/** The header that carries a file answer's warnings (a JSON list of lines). */
export const WARNINGS_HEADER = 'x-auditwatch-warnings';

/**
 * Input fields that name who acts: with a signed-in session the server sets them to the user's name
 * (a client-sent value is ignored); with the bearer token (the CLI) the client's value stands.
 */
export const ACTOR_FIELDS = ['actor', 'createdBy', 'changedBy'] as const;

/** The names of a route's path parameters (`:id` → id). */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
}

export function routeOf(op: OperationName): RouteDef {
  const r = ROUTES.find((x) => x.op === op);
  if (!r) throw new Error(`no route for ${op}`);
  return r;
}
