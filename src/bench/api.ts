// Bench: the dashboard's API over the embedded store at size — 100,000 alerts and 10M events of the last
// 7 days (generated inside DuckDB, store/duckdb/bench-events.ts) — through the real HTTP server with the
// daemon's serialized operations: the queue's first page, an alert's detail, event searches over 7 days
// and the overview, each asked N times one after the other; p50, p95 and max in ms. Target (issue 13):
// p95 ≤ 300 ms.
//   --events=N (default 10,000,000)  --alerts=N (default 100,000)  --requests=N (default 200)

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { silentLogger, systemClock } from '../core/index.js';
import { configuredSessions, createOperations, openConfiguredStore, parseConfig, serialized } from '../service/index.js';
import { startApiServer } from '../server/index.js';
import { generateBenchAlerts, generateBenchEvents } from '../store/index.js';

const DAY = 86_400_000;

function flag(args: string[], name: string, fallback: number): number {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  const n = a ? Number(a.slice(name.length + 3).replace(/_/g, '')) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1`);
  return n;
}

export interface Timing {
  name: string;
  path: string;
  p50: number;
  p95: number;
  max: number;
  /** Rows (alerts or events) in the last answer. */
  rows: number;
  status: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

export async function run(args: string[]): Promise<void> {
  const events = flag(args, 'events', 10_000_000);
  const alerts = flag(args, 'alerts', 100_000);
  const requests = flag(args, 'requests', 200);
  const dir = await mkdtemp(join(tmpdir(), 'aw-bench-api-'));
  const config = parseConfig(`store:\n  path: ${join(dir, 'bench.duckdb')}\ncollect:\n  listen: 127.0.0.1:0\n`, { file: join(dir, 'auditwatch.yaml') });
  const store = await openConfiguredStore(config);
  try {
    const now = Date.now();
    const t0 = performance.now();
    await generateBenchEvents(store, { from: 0, count: events, startMs: now - 7 * DAY, spanMs: 7 * DAY - 60_000, ingestedAt: now, lateShare: 0 });
    await generateBenchAlerts(store, { count: alerts, startMs: now - 30 * DAY, spanMs: 30 * DAY - 60_000, events });
    process.stdout.write(`generated ${events.toLocaleString('en-US')} events and ${alerts.toLocaleString('en-US')} alerts in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    const operations = serialized(createOperations({ config, store, clock: systemClock, logger: silentLogger }));
    const server = await startApiServer(
      { operations, metrics: new Registry(), sessions: configuredSessions({ config, store, clock: systemClock, logger: silentLogger }) },
      { listen: { host: '127.0.0.1', port: 0 }, allowedHosts: [], auth: config.collect.auth, logger: silentLogger, clock: systemClock },
    );
    try {
      let k = 0;
      const pick = () => (k = (k * 7919 + 104729) % alerts);
      const cases: { name: string; path: () => string }[] = [
        { name: 'queue, first page (open, newest, 500)', path: () => '/alerts?status=new,acknowledged&limit=500' },
        { name: 'queue, by severity, one rule (100)', path: () => `/alerts?status=new,acknowledged&sort=severity&rule=bench-rule-${pick() % 40}&limit=100` },
        { name: 'alert detail', path: () => `/alerts/al-bench-${pick()}` },
        { name: 'events, 7 days, first page (100)', path: () => '/events?since=7d&limit=100' },
        { name: 'events, 7 days, one user', path: () => `/events?since=7d&user=user${pick() % 5000}@contoso.com&limit=100` },
        { name: 'events, 7 days, one IP', path: () => `/events?since=7d&ip=10.1.${(pick() % 5000) >> 8}.${pick() % 256}&limit=100` },
        { name: 'events, 7 days, failed sign-ins', path: () => '/events?since=7d&operation=UserLoginFailed&limit=100' },
        { name: 'overview', path: () => '/overview' },
      ];
      const results: Timing[] = [];
      for (const c of cases) {
        const times: number[] = [];
        let rows = 0;
        let status = 0;
        let path = '';
        for (let i = 0; i < requests + 5; i++) {
          path = c.path();
          const start = performance.now();
          const res = await fetch(`${server.url}/api/v1${path}`, { headers: { authorization: `Bearer ${server.token}` } });
          const body = (await res.json()) as { data?: unknown };
          const ms = performance.now() - start;
          status = res.status;
          const d = body.data as { events?: unknown[] } | unknown[] | undefined;
          rows = Array.isArray(d) ? d.length : Array.isArray(d?.events) ? d.events.length : d ? 1 : 0;
          if (i >= 5) times.push(ms);
          if (status !== 200) break;
        }
        times.sort((a, b) => a - b);
        results.push(times.length ? { name: c.name, path, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: times[times.length - 1]!, rows, status } : { name: c.name, path, p50: NaN, p95: NaN, max: NaN, rows, status });
      }
      process.stdout.write(`\n${'request'.padEnd(40)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'rows'.padStart(6)}\n`);
      for (const r of results) {
        if (r.status !== 200) process.stdout.write(`${r.name.padEnd(40)} answered ${r.status} (${r.path})\n`);
        else process.stdout.write(`${r.name.padEnd(40)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)} ${String(r.rows).padStart(6)}\n`);
      }
      const worst = Math.max(...results.filter((r) => r.status === 200).map((r) => r.p95));
      process.stdout.write(`\nworst p95 ${worst.toFixed(0)} ms (target ≤ 300 ms), ${requests} requests each, one at a time, over loopback HTTP\n`);
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
