// Bench: the whole built-in rule pack over N stored events (default 10 million, a week of a large
// tenant), and one incremental pass after a batch (with some records hours late). DuckDB, a temp file.
// Synthetic events are generated inside DuckDB (INSERT … SELECT FROM range) so the figure is about
// detection, not about loading. Targets (issue 4): whole pack ≤ 10 s, incremental ≤ 1 s.

import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger } from '../core/index.js';
import { builtinRulesDir, createDetector, loadRules } from '../detect/index.js';
import { openDuckDbStore, raw, sql, type Store } from '../store/index.js';

export interface DetectBenchResult {
  events: number;
  rules: number;
  loadMs: number;
  /** The events came from a kept file (--keep) rather than being generated. */
  reused: boolean;
  wholePackMs: number;
  /** CPU time of the process (every DuckDB thread included) during the whole-pack run. */
  wholePackCpuMs: number;
  wholePackHits: number;
  batch: number;
  incrementalMs: number;
  incrementalCpuMs: number;
  incrementalHits: number;
  /** With perRule: each emitting rule's own time over the whole range (hunt, no state), slowest first. */
  perRule?: { id: string; ms: number }[];
}

const DAY = 86_400_000;

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const START = Date.UTC(2026, 2, 1);

/**
 * Synthetic events: 5,000 users each mostly at their own address; sign-ins (5% failed), file and mail
 * access, rare access requests, mailbox grants and failure bursts.
 */
function generate(store: Store, from: number, count: number, startMs: number, spanMs: number, ingestedAt: number, lateShare: number) {
  const h = raw('hash(i + 7919)');
  const pick = sql`(${h} % 1000)`;
  // 804-805: failures of a few "burst" accounts, dense enough in time to fire the threshold rules.
  // About 25 failures per burst account within five minutes of event time, whatever the count.
  const burst = sql`(${pick} BETWEEN 804 AND ${804 + Math.max(1, Math.ceil((25e6 / Math.max(1, count)) * (spanMs / (7 * DAY))))})`;
  const burstGroup = Math.max(1, Math.floor((count * 5 * 60_000) / spanMs));
  const op = sql`CASE WHEN ${pick} < 50 OR ${burst} THEN 'UserLoginFailed' WHEN ${pick} < 350 THEN 'UserLoggedIn' WHEN ${pick} < 600 THEN 'FileAccessed' WHEN ${pick} < 800 THEN 'MailItemsAccessed' WHEN ${pick} < 803 THEN 'AccessRequestCreated' WHEN ${pick} < 804 THEN 'Add-MailboxPermission' ELSE 'FileModified' END`;
  const time = sql`CAST(${startMs} + (i - ${from}) * ${spanMs} / ${Math.max(1, count)} - CASE WHEN (${h} % 1000) < ${Math.round(lateShare * 1000)} THEN 3 * 3600000 ELSE 0 END AS BIGINT)`;
  return store.execute(sql`INSERT INTO events (id, tenant_id, creation_time, record_type, record_type_name, operation, workload, organization_id, user_id, user_key, user_type, client_ip, error_number, object_id, parameters, extended_properties, operation_properties, device_properties, modified_properties, raw, source_id, ingested_at)
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
  '{}', '{}', '{}', '{}', '{}', 'bench', make_timestamp(CAST(${ingestedAt} AS BIGINT) * 1000)
FROM range(${from}, ${from + count}) t(i)`);
}

/**
 * `keep`: a DuckDB file kept between runs (generating 10M events takes minutes). When it already holds
 * the same number of generated events it is reused: the previous run's batch and detection state are
 * removed first, so every run starts from the same stored week.
 */
export async function benchDetect(options: { events?: number; batch?: number; perRule?: boolean; keep?: string } = {}): Promise<DetectBenchResult> {
  const events = options.events ?? 10_000_000;
  const batch = options.batch ?? 10_000;
  const dir = options.keep ? null : await mkdtemp(join(tmpdir(), 'aw-bench-detect-'));
  const path = options.keep ?? join(dir!, 'bench.duckdb');
  const existed = options.keep ? await access(path).then(() => true, () => false) : false;
  const store = await openDuckDbStore({ path });
  try {
    await store.migrate();
    const loadStart = performance.now();
    const ingest1 = START + 7 * DAY;
    let reuse = false;
    if (existed) {
      await store.execute(sql`DELETE FROM events WHERE ingested_at > ${new Date(ingest1)}`);
      await store.execute(sql`DELETE FROM detection_state`);
      await store.execute(sql`DELETE FROM detection_evidence`);
      const n = await store.query<{ n: number }>(sql`SELECT count(*) AS n FROM events`);
      reuse = Number(n[0]?.n ?? 0) === events;
      if (!reuse) await store.execute(sql`DELETE FROM events`);
    }
    if (!reuse) await generate(store, 0, events, START, 7 * DAY, ingest1, 0);
    const loadMs = performance.now() - loadStart;
    const loaded = await loadRules([builtinRulesDir()]);
    const clock = new ManualClock(START + 8 * DAY);
    const detector = createDetector({ store, clock, logger: silentLogger, rules: loaded.rules });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const whole = await detector.run({ from: START, to: START + 7 * DAY });
    const wholePackMs = performance.now() - t0;
    const wholePackCpuMs = cpuMs(process.cpuUsage(c0));
    const perRule: { id: string; ms: number }[] = [];
    if (options.perRule) {
      for (const r of detector.rules.filter((x) => x.kind === 'correlation' || x.emits)) {
        const t = performance.now();
        await detector.hunt({ from: START, to: START + 7 * DAY, ruleIds: [r.rule.id] });
        perRule.push({ id: `${r.rule.id} ${r.rule.title}`.slice(0, 70), ms: performance.now() - t });
      }
      perRule.sort((a, b) => b.ms - a.ms);
    }
    // The daemon's state after that pass: every rule's watermark at the first ingest.
    for (const r of detector.rules) {
      await store.execute(sql`INSERT INTO detection_state (rule_id, watermark_ms, updated_at) VALUES (${r.rule.id}, ${ingest1}, ${new Date(ingest1)}) ON CONFLICT (rule_id) DO UPDATE SET watermark_ms = excluded.watermark_ms`);
    }
    // One batch: the last 20 minutes of activity, a tenth of it three hours late.
    await generate(store, events, batch, START + 7 * DAY, 20 * 60_000, ingest1 + 30 * 60_000, 0.1);
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const incremental = await detector.runIncremental();
    const incrementalMs = performance.now() - t1;
    const incrementalCpuMs = cpuMs(process.cpuUsage(c1));
    return { events, rules: loaded.rules.length, loadMs, reused: reuse, wholePackMs, wholePackCpuMs, wholePackHits: whole.length, batch, incrementalMs, incrementalCpuMs, incrementalHits: incremental.length, ...(options.perRule ? { perRule } : {}) };
  } finally {
    await store.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- detect [--events=N] [--batch=N] [--per-rule] [--keep=FILE]` */
export async function run(args: string[]): Promise<void> {
  const opt = (name: string) => {
    const a = args.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.slice(name.length + 3)) : undefined;
  };
  const events = opt('events');
  const batch = opt('batch');
  const keep = args.find((x) => x.startsWith('--keep='))?.slice('--keep='.length);
  const r = await benchDetect({ ...(events ? { events } : {}), ...(batch ? { batch } : {}), perRule: args.includes('--per-rule'), ...(keep ? { keep } : {}) });
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    `events stored:        ${r.events.toLocaleString('en')} (${r.reused ? 'reused' : 'generated'} in ${s(r.loadMs)})\n` +
      `rules in the pack:    ${r.rules}\n` +
      `whole pack, 7 days:   ${s(r.wholePackMs)} (CPU ${s(r.wholePackCpuMs)}; ${r.wholePackHits} hits)   target <= 10 s\n` +
      `incremental pass:     ${s(r.incrementalMs)} (CPU ${s(r.incrementalCpuMs)}) after a batch of ${r.batch.toLocaleString('en')} (${r.incrementalHits} hits)   target <= 1 s\n` +
      (r.perRule ?? []).map((p) => `  ${s(p.ms).padStart(8)}  ${p.id}\n`).join(''),
  );
}
