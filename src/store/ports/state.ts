// The state port: the small transactional state beside the records — alerts with their evidence,
// history and comments, the outbox, suppressions, detection watermarks and evidence, first-seen
// baselines, identities, report runs, collector state, local accounts and rule settings — as typed
// methods, with a unit of work for what must commit together (an alert, its history and its outbox
// rows). Times are epoch milliseconds (UTC).
//
// State tables are separable from events: none of these methods reads the events table, so a
// deployment can keep state in PostgreSQL and records in ClickHouse. The one table read from both
// sides is `identities`: compiled "same person" rules join it with events, so such a deployment keeps
// a copy where the analytics engine can join it (ClickHouse: store/clickhouse/identities.ts, brought up
// to date from PostgreSQL's revisions before a query reads it).
//
// What each engine guarantees:
// - DuckDB (embedded, the default): a unit of work is one transaction on the store's single writer
//   connection; every method that writes several rows is one transaction of its own. Writes in the
//   process are serialised by that writer and other processes are excluded by the file lock, so the
//   read-then-write steps below (the next history seq, insert-if-absent) cannot interleave.
// - PostgreSQL (store/postgres, the state store of the scale-out setup): a unit of work is one
//   transaction (READ COMMITTED) on one pooled connection, and so is every method that writes several
//   rows; several processes may share the database. A rollback — `fn` throwing, or a statement failing —
//   undoes everything the unit wrote. Other connections see a unit's writes only once it commits; calls on
//   the port itself (not `tx`) inside `fn` run on other connections and do not see them either.
//   `appendHistory` takes the next number from a per-alert counter row with one INSERT … ON CONFLICT DO
//   UPDATE … RETURNING (no MAX()+1 read): concurrent writers get distinct numbers, gap-free because a
//   rolled-back number is given back. Insert-if-absent methods (`enqueue`, report-run `claim`,
//   `addEvidence`, `recordEvidence`, identities' `add`) are INSERT … ON CONFLICT DO NOTHING and count the
//   rows inserted, so of racing callers exactly one wins a claim or queues a row. `markDelivered` and
//   `markFailed` are conditional updates (WHERE status = 'pending'): a second worker waits for the first
//   to commit, then finds the row no longer pending and gets false. `markFailed`'s back-off of the
//   destination first takes a transaction advisory lock on the destination, and multi-row writes go in
//   key order, so concurrent writers do not deadlock; a deadlock or serialisation failure that still
//   happens is AppError `state_conflict` (retryable). `setWatermarks` and collector `save` are upserts
//   (the last writer wins); baselines' `observe` is an upsert that keeps the earliest first and the latest
//   last sighting (so concurrent writers merge), `startLearning` an insert-if-absent (the first one
//   stays). Migrations run at open in one transaction under an advisory lock. Text holding U+0000
//   (which PostgreSQL text cannot store) is encoded reversibly, so every string round-trips.
// - ClickHouse holds no state: it has no transactions or unique keys, so it is never the state store.

/** An alert as the state store keeps it (the alerts part maps its own model onto this). */
export interface AlertRecord {
  id: string;
  ruleId: string;
  title: string;
  severity: string;
  /** Orders severities for the minimum-severity filter (higher is more severe). */
  severityRank: number;
  tags: string[];
  tenantId: string;
  groupKey: string;
  /** The de-duplication key of (rule, tenant, grouping key). */
  groupHash: string;
  entities: Record<string, string[] | undefined>;
  firstSeen: number;
  lastSeen: number;
  count: number;
  evidence: string[];
  evidenceTotal: number;
  status: string;
  assignee: string | null;
  revision: number;
  suppressedBy: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One line of an alert's history (a comment is an entry with action 'comment' and its text as detail). */
export interface AlertHistoryRecord {
  at: number;
  actor: string;
  action: string;
  from: string | null;
  to: string;
  detail: string | null;
}

export interface AlertQuery {
  statuses?: readonly string[];
  minSeverityRank?: number;
  ruleId?: string;
  tenantId?: string;
  /** The assignee; null: unassigned alerts only. */
  assignee?: string | null;
  /** Alerts whose lastSeen is at or after this (epoch ms). */
  lastSeenFrom?: number;
  /** Alerts whose firstSeen is at or before this (epoch ms). */
  firstSeenTo?: number;
  /** Default newest (lastSeen descending); ties go by id. */
  sort?: AlertSort;
  /** Default 1000. */
  limit?: number;
  /** Skip this many (paging); default 0. */
  offset?: number;
}

export const ALERT_SORTS = ['newest', 'oldest', 'severity', 'count'] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];

/** Alerts counted for the overview: open ones by severity and those first seen per UTC day by severity. */
export interface AlertSummary {
  openBySeverity: { severity: string; count: number }[];
  /** `day` is YYYY-MM-DD (UTC) of firstSeen. */
  perDay: { day: string; severity: string; count: number }[];
}

export interface AlertsState {
  get(id: string): Promise<AlertRecord | null>;
  /** The latest alert of a group (by lastSeen, then createdAt) whose [firstSeen, lastSeen] overlaps [from, to]. */
  latestOverlapping(groupHash: string, from: number, to: number): Promise<AlertRecord | null>;
  insert(alert: AlertRecord): Promise<void>;
  /** Writes what can change: severity, tags, entities, span, count, evidence, workflow and updatedAt. */
  update(alert: AlertRecord): Promise<void>;
  /** In the query's order (default newest lastSeen first), then by id. */
  list(query?: AlertQuery): Promise<AlertRecord[]>;
  /** How many alerts match the query's filters (limit, offset and sort ignored). */
  count(query?: AlertQuery): Promise<number>;
  /** Open alerts (new, acknowledged) by severity, and alerts first seen at or after `since` per day and severity. */
  summary(since: number): Promise<AlertSummary>;
  /** Which of `recordIds` are recorded as evidence of the alert. */
  knownEvidence(alertId: string, recordIds: readonly string[]): Promise<Set<string>>;
  /** Records evidence of the alert; an Id already recorded is kept once. */
  addEvidence(alertId: string, recordIds: readonly string[]): Promise<void>;
  /** Appends a history entry with the alert's next sequence number (1, 2, …) and returns it. */
  appendHistory(alertId: string, entry: AlertHistoryRecord): Promise<number>;
  /** The alert's history, oldest first. */
  history(alertId: string): Promise<AlertHistoryRecord[]>;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxKey {
  alertId: string;
  destination: string;
  revision: number;
}

export interface OutboxRecord extends OutboxKey {
  idempotencyKey: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  firstFailedAt: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface NewOutboxRow extends OutboxKey {
  idempotencyKey: string;
  payload: string;
  /** Created and first due at. */
  at: number;
}

export interface OutboxFailure {
  at: number;
  attempts: number;
  error: string;
  /** Given up: the row becomes 'failed'. Otherwise it stays pending until nextAttemptAt. */
  giveUp: boolean;
  nextAttemptAt: number;
}

export interface OutboxState {
  /** Queues each row whose (alert, destination, revision) is not queued yet; returns how many were new. */
  enqueue(rows: readonly NewOutboxRow[]): Promise<number>;
  /** Oldest first (created, then key). */
  list(filter?: { status?: OutboxStatus; alertId?: string; dueBy?: number; limit?: number }): Promise<OutboxRecord[]>;
  /** Marks a pending row delivered; false when it was not pending (someone else marked it). */
  markDelivered(key: OutboxKey, delivery: { at: number; attempts: number }): Promise<boolean>;
  /**
   * Records a failed attempt on a pending row and, when it is retried, defers every other pending row
   * of the destination to the same time (a destination that is down backs off as a whole). Atomic.
   * False when the row was not pending.
   */
  markFailed(key: OutboxKey, failure: OutboxFailure): Promise<boolean>;
  /** The earliest next attempt among pending rows, or null. */
  nextDue(): Promise<number | null>;
  /** Per destination and status, how many rows; and every row not delivered or delivered since `deliveredSince`. */
  stats(deliveredSince: number): Promise<{ totals: { destination: string; status: OutboxStatus; count: number }[]; recent: OutboxRecord[] }>;
}

/** An allow-list rule: hits it matches are recorded but not notified, until it expires. */
export interface SuppressionRecord {
  id: string;
  ruleId: string | null;
  tenantId: string | null;
  /** Entity values (any kind unless written kind:value, e.g. users:alice@contoso.com); all must match. */
  entities: string[];
  reason: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface SuppressionsState {
  insert(s: SuppressionRecord): Promise<void>;
  /** Not removed, oldest first; with `activeAt`, only those not expired then. */
  list(activeAt?: number): Promise<SuppressionRecord[]>;
  /** Removes a suppression; false when none with the id is in force (unknown or removed already). */
  remove(id: string, at: number): Promise<boolean>;
}

export interface DetectionEvidence {
  tenantId: string;
  eventId: string;
  groupKey: string;
}

export interface DetectionState {
  /** Every watermark (epoch ms of ingest time) by key (a rule id, or a learner's key). */
  watermarks(): Promise<Map<string, number>>;
  watermark(key: string): Promise<number | null>;
  /** Sets the watermark of each key (created or moved). */
  setWatermarks(keys: readonly string[], watermark: number, at: number): Promise<void>;
  /** The evidence among `eventIds` that already produced a hit of the rule. */
  knownEvidence(ruleId: string, eventIds: readonly string[]): Promise<{ tenantId: string; eventId: string }[]>;
  /** Records evidence of the rule's hits (idempotent per rule, tenant and event). */
  recordEvidence(ruleId: string, evidence: readonly DetectionEvidence[], at: number): Promise<void>;
  /** Forgets every watermark and every recorded evidence (detection starts over). */
  reset(): Promise<void>;
}

/**
 * One value (a term: a field's value, or a combination) known for an entity by a first-seen rule
 * (`type: first_seen`): when it was first and last seen (event time). Terms of an entity are read
 * together; an entity is '' for a rule without group-by (the tenant is the entity).
 */
export interface BaselineTerm {
  tenantId: string;
  entity: string;
  term: string;
  firstSeen: number;
  lastSeen: number;
}

/**
 * The state of first-seen rules, kept incrementally: per rule, tenant and entity the terms seen within
 * the rule's history, and per rule and tenant when its learning period ends. A pass reads the terms of
 * the entities it saw, writes what it saw and drops terms last seen before the history window.
 */
export interface BaselineState {
  /** The known terms of these entities of a tenant, for a rule. */
  terms(ruleId: string, tenantId: string, entities: readonly string[]): Promise<BaselineTerm[]>;
  /** Records sightings: a new term is added; a known one keeps the earliest firstSeen and the latest lastSeen. */
  observe(ruleId: string, terms: readonly BaselineTerm[]): Promise<void>;
  /** Drops a tenant's terms of the rule last seen before `before`; how many. */
  expire(ruleId: string, tenantId: string, before: number): Promise<number>;
  /** When the rule's learning period ends, per tenant that has one. */
  learningEnds(ruleId: string): Promise<Map<string, number>>;
  /** Sets the end of a tenant's learning period unless one is set (the first one stays); returns the one in force. */
  startLearning(ruleId: string, tenantId: string, until: number, at: number): Promise<number>;
  /** Forgets every term and learning period of the rule (every rule without an id). */
  reset(ruleId?: string): Promise<void>;
}

export interface IdentityRecord {
  /** Normalised (trimmed, lower case). */
  value: string;
  kind: string;
  /** '' marks an ambiguous identifier, which resolves to no one. */
  personId: string;
}

export interface IdentityChange {
  /** Identifiers to add; one already known is kept as it is. */
  add: IdentityRecord[];
  /** People merged: every identifier of `from` now belongs to `to`. */
  relabel: { from: string; to: string }[];
  /** Identifiers that became ambiguous. */
  ambiguous: string[];
}

export interface IdentitiesState {
  /** The known identifiers among `values` in a tenant. */
  lookup(tenantId: string, values: readonly string[]): Promise<IdentityRecord[]>;
  /** Applies one change of a tenant's identities atomically. */
  apply(tenantId: string, change: IdentityChange, at: number): Promise<void>;
  /** The person id stored for an identifier ('' when ambiguous), or null when unknown. */
  personOf(tenantId: string, value: string): Promise<string | null>;
}

export type ReportRunStatus = 'baseline' | 'running' | 'retrying' | 'done' | 'failed';

export interface ReportDeliveryState {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  error?: string;
  deliveredAt?: string;
}

export interface ReportRunRecord {
  schedule: string;
  dueAt: number;
  report: string;
  status: ReportRunStatus;
  periodFrom: number | null;
  periodTo: number | null;
  files: { format: string; path: string; filename: string; mediaType: string }[];
  deliveries: Record<string, ReportDeliveryState>;
  attempts: number;
  nextAttemptAt: number | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}

export interface ReportRunsState {
  /** The newest due time recorded for a schedule (baseline included), or null. */
  lastDue(schedule: string): Promise<number | null>;
  /** Claims a due time: true only for the caller that created the run (a due time fires once). */
  claim(run: { schedule: string; dueAt: number; report: string; status: ReportRunStatus; at: number }): Promise<boolean>;
  /** Writes the run's progress (status, period, files, deliveries, attempts, retry, error, end). */
  save(run: ReportRunRecord): Promise<void>;
  /** Runs interrupted while running, or waiting to retry with the retry due by `now`; oldest due first. */
  unfinished(now: number): Promise<ReportRunRecord[]>;
  /** Runs (baselines left out), newest due first. Default limit 100. */
  list(options?: { schedule?: string; limit?: number }): Promise<ReportRunRecord[]>;
  /** The earliest retry due among runs waiting to retry, or null. */
  nextRetry(): Promise<number | null>;
}

export interface CollectorStateRecord {
  tenantId: string;
  contentType: string;
  subscription: string;
  lastError: { code: string; message: string; at: number } | null;
  lastSuccess: number | null;
  updatedAt: number;
}

export interface CollectorState {
  /** Saves each worker's state (one per tenant × content type); a null lastSuccess keeps the saved one. */
  save(states: readonly Omit<CollectorStateRecord, 'updatedAt'>[], at: number): Promise<void>;
  load(): Promise<CollectorStateRecord[]>;
}

export type AccountRole = 'viewer' | 'analyst' | 'admin';

/** A local account of the dashboard and the HTTP API: a name, a role and a password hash (never the password). */
export interface AccountRecord {
  name: string;
  role: AccountRole;
  /** Self-describing (e.g. `scrypt$N$r$p$salt$hash`); the service layer makes and checks it. */
  passwordHash: string;
  createdAt: number;
  /** When the role or the password last changed. */
  changedAt: number;
}

export interface AccountsState {
  /** Adds the account, or replaces the role and hash of one with the name (its createdAt is kept); true when it was new. */
  put(account: AccountRecord): Promise<boolean>;
  get(name: string): Promise<AccountRecord | null>;
  /** By name. */
  list(): Promise<AccountRecord[]>;
  /** False when no account has the name. */
  remove(name: string): Promise<boolean>;
  /** Sets the password hash and changedAt; false when no account has the name. */
  setPassword(name: string, passwordHash: string, at: number): Promise<boolean>;
}

/**
 * A signed-in session of the dashboard or the HTTP API. The store keeps only the SHA-256 of the session
 * id (the cookie's value), so reading the table gives no usable cookie.
 */
export interface SessionRecord {
  /** Hex SHA-256 of the session id. */
  idHash: string;
  /** The account name (local) or the provider's user name (OIDC). */
  user: string;
  role: AccountRole;
  /** How the user signed in: 'local' or 'oidc'. */
  method: string;
  /** The synchronizer token the session's writes must carry (X-CSRF-Token). */
  csrfToken: string;
  createdAt: number;
  /** The last request of the session (idle expiry counts from it). */
  lastSeenAt: number;
  /** The absolute end of the session. */
  expiresAt: number;
}

export interface SessionsState {
  /** Saves a new session (ids are random: a clash is a bug and may throw). */
  put(session: SessionRecord): Promise<void>;
  get(idHash: string): Promise<SessionRecord | null>;
  /** Moves lastSeenAt forward (never back); false when the session is gone. */
  touch(idHash: string, at: number): Promise<boolean>;
  /** False when there was no such session. */
  remove(idHash: string): Promise<boolean>;
  /** Ends every session of a user (an account removed or its password changed); how many ended. */
  removeUser(user: string): Promise<number>;
  /** Deletes sessions whose expiresAt is at or before `at`, or whose lastSeenAt is at or before `idleBefore`; how many. */
  purge(at: number, idleBefore: number): Promise<number>;
}

/** A rule's enabled setting as an admin last set it (it wins over config detect.disabled). */
export interface RuleSettingRecord {
  ruleId: string;
  enabled: boolean;
  changedBy: string;
  changedAt: number;
  reason: string | null;
}

/** Per rule, from its alerts: the latest lastSeen, and how many alerts were active (lastSeen) since a time. */
export interface RuleAlertStats {
  ruleId: string;
  lastHitAt: number;
  hitsSince: number;
}

export interface RuleSettingsState {
  /** Sets a rule's setting (replacing the one before) and appends it to the rule's history, together. */
  set(setting: RuleSettingRecord): Promise<void>;
  /** Every rule's current setting, by rule id. */
  list(): Promise<RuleSettingRecord[]>;
  /** The changes of one rule (or of every rule), newest first; default limit 100. */
  history(options?: { ruleId?: string; limit?: number }): Promise<RuleSettingRecord[]>;
  /** Aggregated in the store from the alerts table, one row per rule that has an alert, by rule id. */
  alertStats(since: number): Promise<RuleAlertStats[]>;
}

/** Every state repository; inside a unit of work they all write to its transaction. */
export interface StateRepositories {
  readonly alerts: AlertsState;
  readonly outbox: OutboxState;
  readonly suppressions: SuppressionsState;
  readonly detection: DetectionState;
  readonly baselines: BaselineState;
  readonly identities: IdentitiesState;
  readonly reportRuns: ReportRunsState;
  readonly collector: CollectorState;
  readonly accounts: AccountsState;
  readonly sessions: SessionsState;
  readonly rules: RuleSettingsState;
}

export interface StatePort extends StateRepositories {
  /**
   * Runs `fn` as one unit of work: what it writes through `tx` commits together when it returns and
   * not at all when it throws (see the engine guarantees above). Inside `fn` use only `tx`: the
   * store's other writes wait for the unit to end.
   */
  unitOfWork<T>(fn: (tx: StateRepositories) => Promise<T>): Promise<T>;
}
