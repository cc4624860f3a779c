// Synthetic events for `npm run bench -- detect`, generated inside DuckDB (INSERT … SELECT FROM range)
// so that the figure is about detection, not about loading. Bench only; DuckDB only.

import { AppError } from '../../core/index.js';
import { raw, sql } from '../sql/index.js';
import type { Store } from '../types.js';
import { DuckDbStore } from './store.js';

const DAY = 86_400_000;

export interface BenchEvents {
  /** First row number (ids are md5 of it). */
  from: number;
  count: number;
  /** Event times spread over [startMs, startMs + spanMs). */
  startMs: number;
  spanMs: number;
  ingestedAt: number;
  /** Share of the records (0..1) whose event time is three hours earlier (late arrivals). */
  lateShare: number;
}

function duck(store: Store): DuckDbStore {
  if (!(store instanceof DuckDbStore)) throw new AppError('bench_store', 'Bench events are generated inside DuckDB; open a DuckDB store for the bench.');
  return store;
}

/**
 * Synthetic events: 5,000 users each mostly at their own address; sign-ins (5% failed), file and mail
 * access, rare access requests, mailbox grants and failure bursts. Each user is in one country and has
 * two user agents (a desktop, a phone); about one record in 20,000 comes from another country and one
 * in 5,000 with another agent (what first-seen rules and impossible travel look at).
 */
export async function generateBenchEvents(store: Store, o: BenchEvents): Promise<void> {
  const { from, count, startMs, spanMs, ingestedAt, lateShare } = o;
  const h = raw('hash(i + 7919)');
  const pick = sql`(${h} % 1000)`;
  // 804-805: failures of a few "burst" accounts, dense enough in time to fire the threshold rules.
  // About 25 failures per burst account within five minutes of event time, whatever the count.
  const burst = sql`(${pick} BETWEEN 804 AND ${804 + Math.max(1, Math.ceil((25e6 / Math.max(1, count)) * (spanMs / (7 * DAY))))})`;
  const burstGroup = Math.max(1, Math.floor((count * 5 * 60_000) / spanMs));
  const op = sql`CASE WHEN ${pick} < 50 OR ${burst} THEN 'UserLoginFailed' WHEN ${pick} < 350 THEN 'UserLoggedIn' WHEN ${pick} < 600 THEN 'FileAccessed' WHEN ${pick} < 800 THEN 'MailItemsAccessed' WHEN ${pick} < 803 THEN 'AccessRequestCreated' WHEN ${pick} < 804 THEN 'Add-MailboxPermission' ELSE 'FileModified' END`;
  const time = sql`CAST(${startMs} + (i - ${from}) * ${spanMs} / ${Math.max(1, count)} - CASE WHEN (${h} % 1000) < ${Math.round(lateShare * 1000)} THEN 3 * 3600000 ELSE 0 END AS BIGINT)`;
  await duck(store).execute(sql`INSERT INTO events (id, tenant_id, creation_time, record_type, record_type_name, operation, workload, organization_id, user_id, user_key, user_type, client_ip, error_number, object_id, parameters, extended_properties, operation_properties, device_properties, modified_properties, raw, source_id, ingested_at, country, user_agent)
SELECT md5(CAST(i AS VARCHAR)), 'bench', make_timestamp(${time} * 1000),
  CASE WHEN ${pick} < 350 OR ${burst} THEN 15 WHEN ${pick} < 600 THEN 6 WHEN ${pick} < 800 THEN 50 WHEN ${pick} < 803 THEN 14 WHEN ${pick} < 804 THEN 1 ELSE 6 END,
  'bench', ${op},
  CASE WHEN ${pick} < 350 OR ${burst} THEN 'AzureActiveDirectory' WHEN ${pick} < 600 THEN 'SharePoint' WHEN ${pick} < 800 THEN 'Exchange' WHEN ${pick} < 803 THEN 'SharePoint' WHEN ${pick} < 804 THEN 'Exchange' ELSE 'OneDrive' END,
  'bench-org', CASE WHEN ${burst} THEN 'burst' || CAST(i // ${burstGroup} AS VARCHAR) ELSE 'user' || CAST((${h} >> 10) % 5000 AS VARCHAR) END || '@contoso.com', '', 0,
  -- Most of a user's activity comes from the user's own address (home / office), some from anywhere.
  CASE WHEN (${h} >> 44) % 100 < 97 THEN '10.1.' || CAST(((${h} >> 10) % 5000) // 256 AS VARCHAR) || '.' || CAST(((${h} >> 10) % 5000) % 256 AS VARCHAR)
       ELSE '10.' || CAST((${h} >> 20) % 256 AS VARCHAR) || '.' || CAST((${h} >> 28) % 256 AS VARCHAR) || '.' || CAST((${h} >> 36) % 200 AS VARCHAR) END,
  CASE WHEN ${pick} < 50 OR ${burst} THEN '50126' ELSE NULL END,
  'https://contoso.sharepoint.com/sites/s' || CAST((${h} >> 12) % 300 AS VARCHAR) || '/f.docx',
  CASE WHEN ${pick} = 803 THEN '{"Identity":"ceo@contoso.com","User":"user' || CAST((${h} >> 14) % 5000 AS VARCHAR) || '@contoso.com","AccessRights":"FullAccess"}' ELSE '{}' END,
  '{}', '{}', '{}', '{}', '{}', 'bench', make_timestamp(CAST(${ingestedAt} AS BIGINT) * 1000),
  CASE WHEN (${h} >> 30) % 20000 = 0 THEN ['IN', 'BR', 'CN', 'RU', 'NG'][CAST((${h} >> 50) % 5 AS INTEGER) + 1]
       ELSE ['US', 'GB', 'DE', 'FR', 'NL'][CAST(((${h} >> 10) % 5000) % 5 AS INTEGER) + 1] END,
  CASE WHEN (${h} >> 34) % 5000 = 0 THEN 'tool/' || CAST((${h} >> 40) % 100 AS VARCHAR)
       ELSE 'agent-' || CAST(((${h} >> 10) % 5000) % 7 AS VARCHAR) || CASE WHEN (${h} >> 52) % 4 = 0 THEN '-phone' ELSE '-desktop' END END
FROM range(${from}, ${from + count}) t(i)`);
}


/** Deletes the events ingested after `ingestedAt` (a previous run's batch); returns how many are left. */
export async function trimBenchEvents(store: Store, ingestedAt: number): Promise<number> {
  const s = duck(store);
  await s.execute(sql`DELETE FROM events WHERE ingested_at > ${new Date(ingestedAt)}`);
  const n = await s.query<{ n: number }>(sql`SELECT count(*) AS n FROM events`);
  return Number(n[0]?.n ?? 0);
}

/** Deletes every event. */
export async function clearBenchEvents(store: Store): Promise<void> {
  await duck(store).execute(sql`DELETE FROM events`);
}

/** The bytes the store file holds (blocks in use), for the ingest bench's file-size figure. */
export async function benchFileBytes(store: Store): Promise<number | null> {
  const rows = await duck(store).query<{ bytes: number }>(sql`SELECT total_blocks * block_size AS bytes FROM pragma_database_size() WHERE database_name = current_database()`);
  return rows[0] ? Number(rows[0].bytes) : null;
}

export interface BenchAlerts {
  count: number;
  /** Alerts' lastSeen spread over [startMs, startMs + spanMs). */
  startMs: number;
  spanMs: number;
  /** Evidence ids point at the generated events 0 … events-1. */
  events: number;
}

/**
 * Synthetic alerts for `npm run bench -- api`, generated inside DuckDB: 70% new, 10% acknowledged, 20%
 * resolved, five severities, three evidence records each (in alert_evidence too) and one history line.
 * Ids are `al-bench-N`.
 */
export async function generateBenchAlerts(store: Store, o: BenchAlerts): Promise<void> {
  const s = duck(store);
  const h = raw('hash(i + 104729)');
  const ev = (k: number) => sql`md5(CAST((i * 7 + ${k}) % ${Math.max(1, o.events)} AS VARCHAR))`;
  const last = sql`make_timestamp(CAST(${o.startMs} + i * ${o.spanMs} / ${Math.max(1, o.count)} AS BIGINT) * 1000)`;
  await s.execute(sql`INSERT INTO alerts (id, rule_id, title, severity, severity_rank, tags, tenant_id, group_key, group_hash, entities, first_seen,
  last_seen, count, evidence, evidence_total, status, assignee, revision, suppressed_by, created_at, updated_at)
SELECT 'al-bench-' || CAST(i AS VARCHAR), 'bench-rule-' || CAST((${h} >> 16) % 40 AS VARCHAR), 'Bench alert ' || CAST(i AS VARCHAR),
  ['informational', 'low', 'medium', 'high', 'critical'][CAST((${h} >> 8) % 5 AS INTEGER) + 1], CAST((${h} >> 8) % 5 AS INTEGER), '["attack.t1110"]', 'bench',
  'user' || CAST(i % 5000 AS VARCHAR) || '@contoso.com', md5('g' || CAST(i AS VARCHAR)),
  '{"users":["user' || CAST(i % 5000 AS VARCHAR) || '@contoso.com"],"ips":["10.1.' || CAST((i % 5000) // 256 AS VARCHAR) || '.' || CAST((i % 5000) % 256 AS VARCHAR) || '"]}',
  ${last} - INTERVAL 10 MINUTE, ${last}, 3,
  '["' || ${ev(0)} || '","' || ${ev(1)} || '","' || ${ev(2)} || '"]', 3,
  CASE WHEN ${h} % 10 < 7 THEN 'new' WHEN ${h} % 10 < 8 THEN 'acknowledged' ELSE 'resolved' END,
  CASE WHEN ${h} % 10 < 7 THEN NULL ELSE 'analyst' || CAST(${h} % 7 AS VARCHAR) END, 1, NULL, ${last}, ${last}
FROM range(0, ${o.count}) t(i)`);
  await s.execute(sql`INSERT INTO alert_evidence (alert_id, record_id)
SELECT 'al-bench-' || CAST(i AS VARCHAR), ${ev(0)} FROM range(0, ${o.count}) t(i) UNION ALL
SELECT 'al-bench-' || CAST(i AS VARCHAR), ${ev(1)} FROM range(0, ${o.count}) t(i) UNION ALL
SELECT 'al-bench-' || CAST(i AS VARCHAR), ${ev(2)} FROM range(0, ${o.count}) t(i)`);
  await s.execute(sql`INSERT INTO alert_history (alert_id, seq, changed_at, actor, action, from_status, to_status, detail)
SELECT 'al-bench-' || CAST(i AS VARCHAR), 1, ${last}, 'detection', 'opened', NULL, 'new', NULL FROM range(0, ${o.count}) t(i)`);
}
