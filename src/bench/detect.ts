// Bench: the whole built-in rule pack over N stored events (default 10 million, a week of a large
// tenant), and one incremental pass after a batch (with some records hours late). DuckDB, a temp file;
// with --engine=clickhouse the same events in ClickHouse + PostgreSQL (real servers on loopback, started
// for the run as in the tests), copied there from the DuckDB file before the clock starts.
// Synthetic events are generated inside DuckDB (INSERT … SELECT FROM range) so the figure is about
// detection, not about loading (store/duckdb/bench-events.ts). Targets (issue 4): whole pack ≤ 10 s, incremental ≤ 1 s.
// First-seen rules (baselines) are in the pack; the bench also times their backfill (the first pass of
// the baselines over every stored record, which learns them into the state store) and, over the same
// batch, an incremental pass of the simple detection rules alone and of the baselines alone.

import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger } from '../core/index.js';
import { builtinRulesDir, createDetector, loadRules } from '../detect/index.js';
import { clearBenchEvents, copyBenchEvents, generateBenchEvents, openDuckDbStore, trimBenchEvents } from '../store/index.js';
import { openBenchClickHouse, type BenchClickHouse } from './clickhouse-store.testing.js';
import { childCpuSeconds } from './collect.js';

export interface DetectBenchResult {
  engine: 'duckdb' | 'clickhouse';
  /** The ClickHouse server's version (engine clickhouse). */
  server?: string;
  events: number;
  rules: number;
  loadMs: number;
  /** The events came from a kept file (--keep) rather than being generated. */
  reused: boolean;
  wholePackMs: number;
  /** CPU time of the process (every DuckDB thread included) during the whole-pack run. */
  wholePackCpuMs: number;
  wholePackHits: number;
  /** Rules whose query failed in the whole-pack run (skipped; the detector reports them): id and message. */
  wholePackFailures: string[];
  /** CPU time of the ClickHouse server during the whole-pack run (engine clickhouse). */
  serverCpuMs?: number | null;
  batch: number;
  incrementalMs: number;
  incrementalCpuMs: number;
  incrementalHits: number;
  /** First-seen rules in the pack. */
  baselines: number;
  /** The baselines' first incremental pass over every stored record (state empty: learns, then alerts). */
  baselineBackfillMs: number;
  baselineBackfillCpuMs: number;
  baselineTerms: number;
  /** Over the same batch: the simple detection rules alone, and the baselines alone (state warm); wall and CPU. */
  simpleOnly: { ms: number; cpuMs: number };
  baselinesOnly: { ms: number; cpuMs: number };
  /** The baselines alone over the whole range (hunt: what they add to the whole pack). */
  baselinesRange: { ms: number; cpuMs: number };
  /** With perRule: each emitting rule's own time over the whole range (hunt, no state), slowest first. */
  perRule?: { id: string; ms: number }[];
}

const DAY = 86_400_000;

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const START = Date.UTC(2026, 2, 1);

/**
 * `keep`: a DuckDB file kept between runs (generating 10M events takes minutes). When it already holds
 * the same number of generated events it is reused: the previous run's batch and detection state are
 * removed first, so every run starts from the same stored week.
 */
export async function benchDetect(options: { events?: number; batch?: number; perRule?: boolean; keep?: string; engine?: 'duckdb' | 'clickhouse' } = {}): Promise<DetectBenchResult> {
  const events = options.events ?? 10_000_000;
  const batch = options.batch ?? 10_000;
  const engine = options.engine ?? 'duckdb';
  const dir = await mkdtemp(join(tmpdir(), 'aw-bench-detect-'));
  const path = options.keep ?? join(dir, 'bench.duckdb');
  const existed = options.keep ? await access(path).then(() => true, () => false) : false;
  const duck = await openDuckDbStore({ path });
  let servers: BenchClickHouse | null = null;
  try {
    const store = duck;
    await store.migrate();
    const loadStart = performance.now();
    const ingest1 = START + 7 * DAY;
    let reuse = false;
    if (existed) {
      const left = await trimBenchEvents(store, ingest1);
      await store.state.detection.reset();
      reuse = left === events;
      if (!reuse) await clearBenchEvents(store);
    }
    if (!reuse) await generateBenchEvents(store, { from: 0, count: events, startMs: START, spanMs: 7 * DAY, ingestedAt: ingest1, lateShare: 0 });
    if (engine === 'clickhouse') {
      servers = await openBenchClickHouse();
      await copyBenchEvents(duck, servers.store);
    }
    const click = servers?.store ?? null;
    const target = click ?? duck;
    const loadMs = performance.now() - loadStart;
    const loaded = await loadRules([builtinRulesDir()]);
    const clock = new ManualClock(START + 8 * DAY);
    const detector = createDetector({ store: target, clock, logger: silentLogger, rules: loaded.rules });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const s0 = servers ? childCpuSeconds(servers.pid) : null;
    const whole = await detector.run({ from: START, to: START + 7 * DAY });
    const s1 = servers ? childCpuSeconds(servers.pid) : null;
    const serverCpuMs = s0 !== null && s1 !== null ? (s1 - s0) * 1000 : null;
    const wholePackMs = performance.now() - t0;
    const wholePackCpuMs = cpuMs(process.cpuUsage(c0));
    const wholePackFailures = detector.failures().map((f) => `${f.ruleId}: ${f.message}`.slice(0, 300));
    const perRule: { id: string; ms: number }[] = [];
    if (options.perRule) {
      for (const r of detector.rules.filter((x) => x.kind !== 'rule' || x.emits)) {
        const t = performance.now();
        await detector.hunt({ from: START, to: START + 7 * DAY, ruleIds: [r.rule.id] });
        perRule.push({ id: `${r.rule.id} ${r.rule.title}`.slice(0, 70), ms: performance.now() - t });
      }
      perRule.sort((a, b) => b.ms - a.ms);
    }
    // The daemon's state after that pass: every rule's watermark at the first ingest, and the baselines
    // learned by their first incremental pass over everything stored (timed: the backfill's cost).
    const baselineIds = detector.rules.filter((r) => r.kind === 'baseline').map((r) => r.rule.id);
    const otherIds = detector.rules.filter((r) => r.kind !== 'baseline').map((r) => r.rule.id);
    await target.state.baselines.reset();
    await target.state.detection.setWatermarks(otherIds, ingest1, ingest1);
    const timed = async (fn: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> => {
      const t = performance.now();
      const c = process.cpuUsage();
      await fn();
      return { ms: performance.now() - t, cpuMs: cpuMs(process.cpuUsage(c)) };
    };
    const baselinesRange = await timed(() => detector.hunt({ from: START, to: START + 7 * DAY, ruleIds: baselineIds }));
    const backfill = await timed(() => detector.runIncremental());
    let baselineTerms = 0;
    for (const id of baselineIds) baselineTerms += (await target.state.baselines.terms(id, 'bench', Array.from({ length: 5000 }, (_, i) => `user${i}@contoso.com`))).length;
    // One batch: the last 20 minutes of activity, a tenth of it three hours late.
    await generateBenchEvents(store, { from: events, count: batch, startMs: START + 7 * DAY, spanMs: 20 * 60_000, ingestedAt: ingest1 + 30 * 60_000, lateShare: 0.1 });
    if (click) await copyBenchEvents(duck, click, ingest1);
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const incremental = await detector.runIncremental();
    const incrementalMs = performance.now() - t1;
    const incrementalCpuMs = cpuMs(process.cpuUsage(c1));
    // The same batch again, for the simple detection rules alone and for the baselines alone (the others
    // switched off for the pass): what a baseline's incremental pass costs beside the simple rules'.
    const alone = async (keep: (kind: string) => boolean) => {
      const off = new Set(detector.rules.filter((r) => !keep(r.kind)).map((r) => r.rule.id));
      const only = createDetector({ store: target, clock, logger: silentLogger, rules: loaded.rules, disabledNow: async () => off });
      await target.state.detection.setWatermarks(detector.rules.map((r) => r.rule.id), ingest1, ingest1);
      return timed(() => only.runIncremental());
    };
    const simpleOnly = await alone((kind) => kind === 'rule');
    const baselinesOnly = await alone((kind) => kind === 'baseline');
    return { engine, ...(servers ? { server: servers.version } : {}), ...(servers ? { serverCpuMs } : {}), baselines: baselineIds.length, baselineBackfillMs: backfill.ms, baselineBackfillCpuMs: backfill.cpuMs, baselineTerms, simpleOnly, baselinesOnly, baselinesRange, events, rules: loaded.rules.length, loadMs, reused: reuse, wholePackMs, wholePackCpuMs, wholePackHits: whole.length, wholePackFailures, batch, incrementalMs, incrementalCpuMs, incrementalHits: incremental.length, ...(options.perRule ? { perRule } : {}) };
  } finally {
    await servers?.stop();
    await duck.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `npm run bench -- detect [--events=N] [--batch=N] [--per-rule] [--keep=FILE] [--engine=duckdb|clickhouse]` */
export async function run(args: string[]): Promise<void> {
  const opt = (name: string) => {
    const a = args.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.slice(name.length + 3)) : undefined;
  };
  const events = opt('events');
  const batch = opt('batch');
  const keep = args.find((x) => x.startsWith('--keep='))?.slice('--keep='.length);
  const engine = args.find((x) => x.startsWith('--engine='))?.slice('--engine='.length) ?? 'duckdb';
  if (engine !== 'duckdb' && engine !== 'clickhouse') throw new Error(`--engine=${engine.slice(0, 20)}: choose duckdb or clickhouse`);
  const r = await benchDetect({ ...(events ? { events } : {}), ...(batch ? { batch } : {}), perRule: args.includes('--per-rule'), ...(keep ? { keep } : {}), engine });
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    `engine:               ${r.engine}${r.server ? ` ${r.server} (+ PostgreSQL state), on loopback` : ''}\n` +
      `events stored:        ${r.events.toLocaleString('en')} (${r.reused ? 'reused' : 'generated'}${r.engine === 'clickhouse' ? ' and copied' : ''} in ${s(r.loadMs)})\n` +
      `rules in the pack:    ${r.rules}\n` +
      `whole pack, 7 days:   ${s(r.wholePackMs)} (CPU ${s(r.wholePackCpuMs)}${r.serverCpuMs != null ? `, ClickHouse server CPU ${s(r.serverCpuMs)}` : ''}; ${r.wholePackHits} hits)   target <= 10 s\n` +
      r.wholePackFailures.map((f) => `  rule failed:        ${f}\n`).join('') +
      `incremental pass:     ${s(r.incrementalMs)} (CPU ${s(r.incrementalCpuMs)}) after a batch of ${r.batch.toLocaleString('en')} (${r.incrementalHits} hits)   target <= 1 s\n` +
      `  same batch, alone:  simple detection rules ${s(r.simpleOnly.ms)} (CPU ${s(r.simpleOnly.cpuMs)}); the ${r.baselines} baselines ${s(r.baselinesOnly.ms)} (CPU ${s(r.baselinesOnly.cpuMs)})\n` +
      `baselines, 7 days:    ${s(r.baselinesRange.ms)} (CPU ${s(r.baselinesRange.cpuMs)}) of the whole pack (hunt of the baselines alone)\n` +
      `baseline backfill:    ${s(r.baselineBackfillMs)} (CPU ${s(r.baselineBackfillCpuMs)}; first incremental pass of the baselines over every stored record, ${r.baselineTerms.toLocaleString('en')} terms learned)\n` +
      (r.perRule ?? []).map((p) => `  ${s(p.ms).padStart(8)}  ${p.id}\n`).join(''),
  );
}
