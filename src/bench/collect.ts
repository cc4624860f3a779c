// Bench "collect": an end-to-end backfill from the emulator (a child process, so the RSS measured is the
// collector's) over loopback HTTP into a fresh DuckDB file — records/s and peak RSS — beside the
// in-process ceiling: the same blobs parsed, normalised and committed with no HTTP in the timing; and
// side by side, the same backfill from a fresh emulator into ClickHouse + PostgreSQL
// (collect-clickhouse.testing.ts; skipped with the reason when clickhouse-server is not installed), into
// one node and into a cluster of two shards (--clickhouse-shards=1,2; sharding is by tenant, so a
// cluster spreads the work only with --tenants of 2 or more). With --collectors=N, then `auditwatch
// backfill` processes into one ClickHouse node: one for N tenants, N for one each.
// Options: --users=N --days=N --tenants=N --seed=S --concurrency=N --batch=N --duckdb-memory=SIZE --threads=N --collectors=N --skip-ceiling --skip-clickhouse --clickhouse-shards=LIST.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Secret, systemClock, stopOnSignals } from '../core/index.js';
import { createApiClient, splitJsonArray, type ApiClient } from '../api/index.js';
import { CONTENT_TYPES, normalize, type EventRow, type Rejection } from '../records/index.js';
import { openDuckDbStore, type BlobCommit } from '../store/index.js';
import { createCollector, DEFAULT_COLLECTOR_OPTIONS } from '../collect/index.js';
import { clickhouseEndToEnd, clickhouseProcesses } from './collect-clickhouse.testing.js';
import { completenessLine } from './complete.js';

export interface EmulatorInfo {
  url: string;
  tenants: { tenantId: string; clientId: string; clientSecret: string }[];
}

export function flag(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the bench');
    dir = up;
  }
  return dir;
}

export async function startEmulatorChild(args: string[]): Promise<{ child: ChildProcess; info: EmulatorInfo }> {
  const bin = join(repoRoot(), 'bin', 'auditwatch.js');
  // Heap limits in NODE_OPTIONS are meant for the collector measured here, not for the emulator, which
  // holds the whole simulated tenant and its ground truth.
  const nodeOptions = (process.env['NODE_OPTIONS'] ?? '').replace(/--max-(old|semi)-space-size[= ]\d+/g, '').trim();
  const child = spawn(process.execPath, [bin, 'emulator', '--json', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<EmulatorInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as EmulatorInfo));
  });
  return { child, info };
}

function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    const r = process.memoryUsage.rss();
    if (r > peak) peak = r;
  }, 100);
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

const MB = 1048576;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(args: string[]): Promise<void> {
  // Defaults give about 1 million records (19,000 users × 2 days, ~26 records per user-day).
  const users = flag(args, 'users', '19000');
  const days = Number(flag(args, 'days', '2'));
  const tenantsN = flag(args, 'tenants', '1');
  const seed = flag(args, 'seed', '1');
  const concurrency = Number(flag(args, 'concurrency', '6'));
  const batch = Number(flag(args, 'batch', String(DEFAULT_COLLECTOR_OPTIONS.batchRecords)));
  const skipCeiling = args.includes('--skip-ceiling');
  const clickhouseShards = flag(args, 'clickhouse-shards', '1,2').split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 1);
  const emulatorArgs = (tenants: string, perTenant: string) => ['--seed', seed, '--days', String(days), '--users', perTenant, '--tenants', tenants, '--latency', '0s', '--no-live', '--scenarios', 'none', '--throttle', '0', '--page-size', '1000'];
  const emuArgs = emulatorArgs(tenantsN, users);
  process.stdout.write(`emulator: auditwatch emulator ${emuArgs.join(' ')} (child process)\n`);
  const { child, info } = await startEmulatorChild(emuArgs);
  // Ctrl+C must not leave the emulator running.
  const stop = stopOnSignals(() => {
    child.kill('SIGTERM');
    process.exit(130);
  });
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-bench-'));
  try {
    const since = Date.now() - days * 86_400_000 - 3_600_000;
    const makeApiAt = (url: string, t: EmulatorInfo['tenants'][number]): ApiClient =>
      createApiClient({
        tenantId: t.tenantId, clientId: t.clientId, credential: { kind: 'secret', secret: new Secret(t.clientSecret) },
        cloud: 'enterprise', apiHost: url, loginHost: url, clock: systemClock,
      });
    const makeApi = (t: EmulatorInfo['tenants'][number]): ApiClient => makeApiAt(info.url, t);

    // ---- end to end ----
    // The RSS target is for collection: measured with DuckDB capped as an ingest-only process would be.
    const memoryLimit = flag(args, 'duckdb-memory', '128MB');
    const threads = Number(flag(args, 'threads', '0'));
    const store = await openDuckDbStore({ path: join(dir, 'e2e.duckdb'), ...(memoryLimit ? { memoryLimit } : {}), ...(threads > 0 ? { threads } : {}) });
    await store.migrate();
    const collector = createCollector({
      tenants: info.tenants.map((t) => ({ tenantId: t.tenantId, contentTypes: CONTENT_TYPES, api: makeApi(t) })),
      store,
      // Throughput, not quota: the emulator runs with --throttle 0 and the budget is lifted to match.
      options: { maxConcurrency: concurrency, batchRecords: batch, requestsPerMinute: 1_000_000 },
    });
    process.stdout.write(`  RSS before the pass: ${fmt(process.memoryUsage.rss() / MB)} MB\n`);
    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const emuCpu0 = childCpuSeconds(child.pid);
    const passStart = Date.now();
    const t0 = performance.now();
    let lastPrint = 0;
    const summary = await collector.runOnce({
      since,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastPrint > 2000) {
          lastPrint = now;
          const gc = (globalThis as { gc?: () => void }).gc;
          if (gc) {
            gc();
            process.stdout.write(`  (after gc: JS heap ${fmt(process.memoryUsage().heapUsed / MB)} MB, RSS ${fmt(process.memoryUsage.rss() / MB)} MB)\n`);
          }
          process.stdout.write(`  … ${fmt(p.records)} records, ${fmt(p.blobs)} blobs, ${fmt(p.records / ((now - t0) / 1000))} records/s, RSS ${fmt(process.memoryUsage.rss() / MB)} MB (JS heap ${fmt(process.memoryUsage().heapUsed / MB)} of ${fmt(process.memoryUsage().heapTotal / MB)} MB, external ${fmt(process.memoryUsage().external / MB)} MB)\n`);
        }
      },
    });
    const e2eSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const emuCpu = childCpuSeconds(child.pid);
    const peakRss = rss.stop();
    process.stdout.write(await completenessLine('DuckDB', store, info.url, since, passStart));
    await store.close();
    if (!summary.ok) process.stdout.write(`  the pass reported errors: ${summary.errors.map((e) => e.error.message).join(' | ').slice(0, 500)}\n`);
    const e2eRate = summary.records / e2eSeconds;
    process.stdout.write(
      `end to end: ${fmt(summary.records)} records (${fmt(summary.blobs)} blobs, ${fmt(summary.bytes / MB)} MB) in ${e2eSeconds.toFixed(1)} s = ${fmt(e2eRate)} records/s; peak RSS ${fmt(peakRss / MB)} MB\n`,
    );
    const perRecord = (seconds: number) => ((seconds * 1e6) / Math.max(1, summary.records)).toFixed(1);
    process.stdout.write(
      `  CPU per record: collector ${perRecord((cpu.user + cpu.system) / 1e6)} µs (all its threads)${emuCpu0 !== null && emuCpu !== null ? `, emulator ${perRecord(emuCpu - emuCpu0)} µs` : ''}\n`,
    );

    // ---- the same backfill into ClickHouse + PostgreSQL, from a fresh emulator (none of its blobs cached) ----
    for (const shards of args.includes('--skip-clickhouse') ? [] : clickhouseShards) {
      if (shards > 1 && Number(tenantsN) < shards) process.stdout.write(`clickhouse ${shards} shards: --tenants=${tenantsN}, so the records go to ${tenantsN} shard(s) (sharded by tenant)\n`);
      const side = await clickhouseEndToEnd({
        startEmulator: async () => {
          const e = await startEmulatorChild(emuArgs);
          return { info: e.info, pid: e.child.pid, stop: async () => void (e.child.kill('SIGTERM'), await new Promise((r) => e.child.once('exit', r))) };
        },
        makeApi: (url, t) => makeApiAt(url, t),
        cpuSeconds: childCpuSeconds,
        treeCpuSeconds,
        since,
        concurrency,
        batch,
        out: (line) => process.stdout.write(line),
      }, shards);
      if (side) process.stdout.write(`side by side: DuckDB ${fmt(e2eRate)} records/s, ClickHouse${shards === 1 ? '' : ` ${shards} shards`} ${fmt(side.rate)} records/s (x${(side.rate / e2eRate).toFixed(2)}${shards === 1 ? '; target x2' : ''})\n`);
    }
    const collectors = Number(flag(args, 'collectors', '0'));
    if (collectors >= 2 && !args.includes('--skip-clickhouse')) {
      // The same records (users × tenants) split among the emulator's tenants, one tenant per process.
      const perTenant = String(Math.max(1, Math.round((Number(users) * Number(tenantsN)) / collectors)));
      await clickhouseProcesses({
        startEmulator: async (tenants) => {
          const e = await startEmulatorChild(emulatorArgs(String(tenants), perTenant));
          return { info: e.info, pid: e.child.pid, stop: async () => void (e.child.kill('SIGTERM'), await new Promise((r) => e.child.once('exit', r))) };
        },
        cpuSeconds: childCpuSeconds,
        treeCpuSeconds,
        bin: join(repoRoot(), 'bin', 'auditwatch.js'),
        sinceHours: Math.ceil((Date.now() - since) / 3_600_000),
        concurrency,
        processes: collectors,
        out: (line) => process.stdout.write(line),
      });
    }

    // ---- in-process ceiling: the same blobs, fetched untimed, then parse + normalise + commit timed ----
    if (!skipCeiling) {
      const ceiling = await measureCeiling(info, makeApi, since, join(dir, 'ceiling.duckdb'), batch);
      process.stdout.write(`ceiling (no HTTP): ${fmt(ceiling.records)} records in ${ceiling.seconds.toFixed(1)} s = ${fmt(ceiling.rate)} records/s (split + normalise alone ${fmt(ceiling.normaliseRate)}/s, commitBlobs alone ${fmt(ceiling.commitRate)}/s)\n`);
      process.stdout.write(`ratio end-to-end / ceiling: ${(e2eRate / ceiling.rate).toFixed(2)}\n`);
    }
    process.stdout.write(`targets: >= 100,000 records/s end to end, >= 0.6 of the ceiling, peak RSS <= 400 MB\n`);
  } finally {
    stop.dispose();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureCeiling(
  info: EmulatorInfo,
  makeApi: (t: EmulatorInfo['tenants'][number]) => ApiClient,
  since: number,
  path: string,
  batchRecords: number,
): Promise<{ records: number; seconds: number; rate: number; normaliseRate: number; commitRate: number }> {
  const store = await openDuckDbStore({ path });
  await store.migrate();
  let timed = 0;
  let normaliseMs = 0;
  let commitMs = 0;
  let records = 0;
  const now = Date.now();
  for (const t of info.tenants) {
    const api = makeApi(t);
    const token = await rawToken(info.url, t);
    for (const contentType of CONTENT_TYPES) {
      let pending: { body: string; blob: BlobCommit['blob'] }[] = [];
      let pendingBytes = 0;
      const commitPending = async () => {
        if (pending.length === 0) return;
        const start = performance.now();
        const commits: BlobCommit[] = pending.map(({ body, blob }) => {
          const rows: EventRow[] = [];
          const rejects: Rejection[] = [];
          const source = { tenantId: t.tenantId, contentType, sourceId: blob.contentId };
          // As the collector does: each record's text split out, parsed once by the normaliser.
          for (const rec of splitJsonArray(body) ?? (JSON.parse(body) as unknown[])) {
            const n = normalize(rec, source);
            if (n.ok) rows.push(n.row);
            else rejects.push(n.rejection);
          }
          return { blob, rows, rejects, ingestedAt: Date.now() };
        });
        const mid = performance.now();
        const res = await store.commitBlobs(commits);
        const end = performance.now();
        timed += end - start;
        normaliseMs += mid - start;
        commitMs += end - mid;
        records += res.inserted;
        pending = [];
        pendingBytes = 0;
      };
      for (let s = Math.floor(since / 1000) * 1000; s < now; s += 3_600_000) {
        for await (const page of api.listContent(contentType, s, Math.min(s + 3_600_000, now))) {
          for (const b of page.blobs) {
            const res = await fetch(`${b.contentUri}?PublisherIdentifier=${t.tenantId}`, { headers: { authorization: `Bearer ${token}` } });
            const body = await res.text();
            pending.push({ body, blob: { tenantId: t.tenantId, contentType, contentId: b.contentId, contentUri: b.contentUri, contentCreated: b.contentCreated, contentExpiration: b.contentExpiration } });
            pendingBytes += body.length;
            // Same transaction size as the collector (about batchRecords records, at ~1 KB each).
            if (pendingBytes > batchRecords * 1000) await commitPending();
          }
        }
      }
      await commitPending();
    }
  }
  await store.close();
  const seconds = timed / 1000;
  return { records, seconds, rate: records / seconds, normaliseRate: records / (normaliseMs / 1000), commitRate: records / (commitMs / 1000) };
}

/** CPU seconds a child process has used so far (Linux /proc), or null where that cannot be read. */
export function childCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of a process and every process below it (PostgreSQL's backends), with what its children
 * that ended had used (Linux /proc), or null where that cannot be read.
 */
function treeCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const stats = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      stats.set(Number(entry), stat.slice(stat.lastIndexOf(')') + 2).split(' '));
    } catch {
      // ended meanwhile
    }
  }
  const root = stats.get(pid);
  if (!root) return null;
  // Fields after the command name: ppid is the 2nd, utime/stime the 12th/13th, cutime/cstime the 14th/15th.
  let ticks = Number(root[11]) + Number(root[12]) + Number(root[13]) + Number(root[14]);
  const below = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, f] of stats) {
      if (below.has(p) || !below.has(Number(f[1]))) continue;
      below.add(p);
      ticks += Number(f[11]) + Number(f[12]);
      grew = true;
    }
  }
  return ticks / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

async function rawToken(url: string, t: EmulatorInfo['tenants'][number]): Promise<string> {
  const res = await fetch(`${url}/${t.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.clientId, client_secret: t.clientSecret, scope: 'https://manage.office.com/.default' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
