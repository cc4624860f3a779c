// Bench "quota": a 7-day backfill of an emulated tenant under the API's request quota (2,000 a minute
// by default), with the collector's default budget, over real loopback HTTP into a fresh DuckDB file.
// The emulator runs in a child process on real time and counts every request it answers (its stats);
// the figures are records/s, requests per blob fetched, throttled answers (AF429) as a share of the
// requests, and wall time beside the ideal: the fewest requests the backfill needs (one subscriptions
// list, the listing pages of 24-hour windows, one request per blob) at the quota. After the timed pass
// an independent lister, with the quota lifted, counts those pages and blobs.
// Options: --users=N --days=N --quota=N --seed=S --concurrency=N --page-size=N --budget=N (collect.requestsPerMinute).

import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, systemClock, stopOnSignals } from '../core/index.js';
import { createApiClient, type ApiClient } from '../api/index.js';
import { CONTENT_TYPES } from '../records/index.js';
import { openDuckDbStore } from '../store/index.js';
import { createCollector, DEFAULT_COLLECTOR_OPTIONS } from '../collect/index.js';
import { flag, startEmulatorChild, type EmulatorInfo } from './collect.js';

const DAY = 86_400_000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface StatsSnapshot {
  detail: Record<string, number>;
  throttled: Record<string, number>;
}

async function control(url: string, op: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/_emulator/${op}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`emulator ${op}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res.json();
}

/** The tenant's Management API requests by endpoint (tokens and the control surface left out). */
function apiRequests(stats: StatsSnapshot, tenantId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(stats.detail)) {
    const [tenant, endpoint] = k.split(' ');
    if (tenant !== tenantId || !endpoint || endpoint.startsWith('Token') || endpoint.startsWith('_emulator')) continue;
    out[endpoint] = (out[endpoint] ?? 0) + n;
  }
  return out;
}

/** The fewest requests the backfill needs: listing pages of 24-hour windows over [since, end) and one per blob. */
async function idealRequests(api: ApiClient, since: number, end: number): Promise<{ pages: number; blobs: number }> {
  let pages = 0;
  let blobs = 0;
  for (const ct of CONTENT_TYPES) {
    for (let s = since; s < end; s += DAY) {
      for await (const page of api.listContent(ct, s, Math.min(s + DAY, end))) {
        pages++;
        blobs += page.blobs.length;
      }
    }
  }
  return { pages, blobs };
}

export async function run(args: string[]): Promise<void> {
  const users = flag(args, 'users', '1000');
  const days = Number(flag(args, 'days', '7'));
  const quota = Number(flag(args, 'quota', '2000'));
  const seed = flag(args, 'seed', '1');
  const pageSize = flag(args, 'page-size', '200');
  const concurrency = Number(flag(args, 'concurrency', String(DEFAULT_COLLECTOR_OPTIONS.maxConcurrency)));
  const budget = Number(flag(args, 'budget', String(DEFAULT_COLLECTOR_OPTIONS.requestsPerMinute)));
  const emuArgs = ['--seed', seed, '--days', String(days), '--users', users, '--tenants', '1', '--latency', '0s', '--no-live', '--scenarios', 'none', '--throttle', String(quota), '--page-size', pageSize];
  process.stdout.write(`emulator: auditwatch emulator ${emuArgs.join(' ')} (child process, real time)\n`);
  process.stdout.write(`collector: budget ceiling ${fmt(budget)}/min (collect.requestsPerMinute, default 2,000), ${concurrency} blobs at once, since ${days} days back (the API's 167 h at most)\n`);
  const { child, info } = await startEmulatorChild(emuArgs);
  // Ctrl+C must not leave the emulator running.
  const stop = stopOnSignals(() => {
    child.kill('SIGTERM');
    process.exit(130);
  });
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-bench-quota-'));
  try {
    const t = info.tenants[0]!;
    const makeApi = (e: EmulatorInfo['tenants'][number]): ApiClient =>
      createApiClient({
        tenantId: e.tenantId, clientId: e.clientId, credential: { kind: 'secret', secret: new Secret(e.clientSecret) },
        cloud: 'enterprise', apiHost: info.url, loginHost: info.url, clock: systemClock,
      });
    const store = await openDuckDbStore({ path: join(dir, 'quota.duckdb') });
    await store.migrate();
    const collector = createCollector({
      tenants: [{ tenantId: t.tenantId, contentTypes: CONTENT_TYPES, api: makeApi(t) }],
      store,
      options: { maxConcurrency: concurrency, requestsPerMinute: budget },
    });
    // Counted from here: the collector's requests only.
    await control(info.url, 'reset-stats', {});
    const since = Date.now() - days * DAY;
    const load0 = loadavg();
    const timeline: string[] = [];
    const t0 = performance.now();
    let lastThrottles = 0;
    const sampler = setInterval(() => {
      const s = collector.status()[0];
      if (!s) return;
      timeline.push(`${Math.round((performance.now() - t0) / 1000)}s ${s.requestsPerMinute}/min${s.throttled > lastThrottles ? ` (${s.throttled - lastThrottles} AF429)` : ''}`);
      lastThrottles = s.throttled;
    }, 10_000);
    const summary = await collector.runOnce({ since });
    const wall = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const stats = (await control(info.url, 'stats')) as StatsSnapshot;
    await store.close();
    if (!summary.ok) process.stdout.write(`  the pass reported errors: ${summary.errors.map((e) => e.error.message).join(' | ').slice(0, 500)}\n`);

    const byEndpoint = apiRequests(stats, t.tenantId);
    const requests = Object.values(byEndpoint).reduce((a, b) => a + b, 0);
    const throttled = stats.throttled[`tenant:${t.tenantId}`] ?? 0;
    // The ideal, listed independently with the quota lifted (the span the backfill listed: 167 h at most).
    await control(info.url, 'throttle', { perTenantPerMinute: 0 });
    const end = summary.startedAt;
    const start = Math.max(since, end - DEFAULT_COLLECTOR_OPTIONS.maxLookbackMs);
    const ideal = await idealRequests(makeApi(t), Math.floor(start / 1000) * 1000, Math.floor(end / 1000) * 1000);
    const idealCount = 1 + ideal.pages + ideal.blobs;
    const idealSeconds = (idealCount / quota) * 60;
    // A quota counted per minute lets a minute's worth go at once: n requests need at least ⌈n/q⌉ − 1 whole minutes.
    const floorSeconds = (Math.ceil(idealCount / quota) - 1) * 60;

    process.stdout.write(`requests by endpoint: ${Object.entries(byEndpoint).map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}\n`);
    process.stdout.write(`budget every 10 s: ${timeline.join(', ')}\n`);
    process.stdout.write(
      `backfill: ${fmt(summary.records)} records in ${fmt(summary.blobs)} blobs, wall ${wall.toFixed(1)} s = ${fmt(summary.records / wall)} records/s\n` +
        `  requests: ${fmt(requests)} = ${(requests / Math.max(1, summary.blobs)).toFixed(3)} per blob fetched; throttled (AF429) ${fmt(throttled)} = ${((100 * throttled) / Math.max(1, requests)).toFixed(2)} %\n` +
        `  ideal: ${fmt(idealCount)} requests (1 subscriptions list + ${fmt(ideal.pages)} listing pages + ${fmt(ideal.blobs)} blobs) at ${fmt(quota)}/min = ${idealSeconds.toFixed(1)} s; wall / ideal = ${(wall / idealSeconds).toFixed(2)}\n` +
        `  (the first minute's quota goes at once, so ${fmt(idealCount)} requests need at least ${floorSeconds} s: wall / that = ${(wall / Math.max(1, floorSeconds)).toFixed(2)})\n` +
        `  load average before ${load0.map((x) => x.toFixed(1)).join(' ')}, after ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`,
    );
    if (ideal.blobs !== summary.blobs) process.stdout.write(`  note: the independent listing found ${fmt(ideal.blobs)} blobs, the backfill committed ${fmt(summary.blobs)}\n`);
    process.stdout.write(`targets: <= 1.1 requests per blob, < 2 % throttled, wall <= 1.25 x ideal\n`);
  } finally {
    stop.dispose();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}
