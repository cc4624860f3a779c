// Bench "collect", the ClickHouse side (a .testing file: it starts the tests' clickhouse-server and
// PostgreSQL, as nobody in temporary folders on loopback ports): the same end-to-end backfill from a
// fresh emulator child into ClickHouse + PostgreSQL, records/s and CPU per record of the collector, the
// emulator, clickhouse-server (all shards' together on a cluster) and PostgreSQL; then what the FINAL
// view costs reads over the stored records. One node, or a cluster of `shards` servers
// (clickhouse/target.testing.ts). With --collectors=N, `auditwatch backfill` processes on the same
// servers: one process collecting N tenants, then N processes collecting one tenant each (disjoint tenant
// sets, one config each), records/s and CPU per record of each process and each server.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_TYPES } from '../records/index.js';
import { measureFinalCost, openStore } from '../store/index.js';
import type { ApiClient } from '../api/index.js';
import { createCollector } from '../collect/index.js';
import { clickhouseSkipReason, startTestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres } from '../store/postgres/server.testing.js';
import { clickhouseTarget } from '../store/clickhouse/target.testing.js';
import { completenessLine } from './complete.js';

export interface SideResult {
  records: number;
  seconds: number;
  rate: number;
  collectorCpuUs: number;
  emulatorCpuUs: number | null;
  serverCpuUs: number | null;
  postgresCpuUs: number | null;
  peakRss: number;
}

export interface BenchEmulator {
  info: { url: string; tenants: { tenantId: string; clientId: string; clientSecret: string }[] };
  pid: number | undefined;
  stop(): Promise<void>;
}

interface Deps {
  startEmulator(): Promise<BenchEmulator>;
  makeApi(url: string, t: BenchEmulator['info']['tenants'][number]): ApiClient;
  cpuSeconds(pid: number | undefined): number | null;
  /** CPU seconds of a process and its children (PostgreSQL's backends). */
  treeCpuSeconds(pid: number | undefined): number | null;
  since: number;
  concurrency: number;
  batch: number;
  out(line: string): void;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Null when clickhouse-server is not installed (the reason is printed). */
export async function clickhouseEndToEnd(d: Deps, shards = 1): Promise<SideResult | null> {
  const absent = clickhouseSkipReason();
  if (absent) {
    d.out(`clickhouse: skipped (${absent})\n`);
    return null;
  }
  const target = clickhouseTarget(shards);
  await target.start();
  const ch = target.clickhouse;
  const serverCpu = () => {
    const each = target.pids.map((pid) => d.cpuSeconds(pid));
    return each.some((s) => s === null) ? null : each.reduce((a: number, s) => a + s!, 0);
  };
  let started: BenchEmulator | undefined;
  try {
    const emu = (started = await d.startEmulator());
    const config = await target.config();
    const store = await openStore(config);
    d.out(`clickhouse: ${shards === 1 ? `server ${ch.version}` : `${shards} shards of ${ch.version} (store.clickhouse.cluster)`} on loopback (parts ZSTD-compressed), ledger and cursors in PostgreSQL\n`);
    try {
      const collector = createCollector({
        tenants: emu.info.tenants.map((t) => ({ tenantId: t.tenantId, contentTypes: CONTENT_TYPES, api: d.makeApi(emu.info.url, t) })),
        store,
        options: { maxConcurrency: d.concurrency, batchRecords: d.batch, requestsPerMinute: 1_000_000 },
      });
      let peak = process.memoryUsage.rss();
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
      const cpu0 = process.cpuUsage();
      const emu0 = d.cpuSeconds(emu.pid);
      const ch0 = serverCpu();
      const pg0 = d.treeCpuSeconds(target.postgres.pid);
      const passStart = Date.now();
      const t0 = performance.now();
      const summary = await collector.runOnce({ since: d.since });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const emu1 = d.cpuSeconds(emu.pid);
      const ch1 = serverCpu();
      const pg1 = d.treeCpuSeconds(target.postgres.pid);
      clearInterval(timer);
      if (!summary.ok) d.out(`  the pass reported errors: ${summary.errors.map((e) => e.error.message).join(' | ').slice(0, 500)}\n`);
      const per = (s: number) => (s * 1e6) / Math.max(1, summary.records);
      const result: SideResult = {
        records: summary.records,
        seconds,
        rate: summary.records / seconds,
        collectorCpuUs: per((cpu.user + cpu.system) / 1e6),
        emulatorCpuUs: emu0 !== null && emu1 !== null ? per(emu1 - emu0) : null,
        serverCpuUs: ch0 !== null && ch1 !== null ? per(ch1 - ch0) : null,
        postgresCpuUs: pg0 !== null && pg1 !== null ? per(pg1 - pg0) : null,
        peakRss: Math.max(peak, process.memoryUsage.rss()),
      };
      d.out(`clickhouse${shards === 1 ? '' : ` ${shards} shards`} end to end: ${fmt(result.records)} records in ${seconds.toFixed(1)} s = ${fmt(result.rate)} records/s; peak RSS ${fmt(result.peakRss / 1048576)} MB\n`);
      d.out(await completenessLine(`ClickHouse${shards === 1 ? '' : ` ${shards} shards`}`, store, emu.info.url, d.since, passStart));
      d.out(`  CPU per record: collector ${result.collectorCpuUs.toFixed(1)} µs${result.emulatorCpuUs !== null ? `, emulator ${result.emulatorCpuUs.toFixed(1)} µs` : ''}${result.serverCpuUs !== null ? `, clickhouse-server ${result.serverCpuUs.toFixed(1)} µs${shards === 1 ? '' : ` (${shards} servers together)`}` : ''}${result.postgresCpuUs !== null ? `, PostgreSQL ${result.postgresCpuUs.toFixed(1)} µs` : ''}\n`);
      const table = shards === 1 ? 'events_rows' : 'events_rows_local';
      const stats = (await target.runOnEach(`SELECT count(), sum(bytes_on_disk) FROM system.parts WHERE database = '${config.clickhouse.database}' AND table = '${table}' AND active FORMAT TabSeparated`)).map((r) => r.trim().split('\t').map(Number));
      const parts = stats.reduce((a, [n]) => a + (n ?? 0), 0);
      const bytes = stats.reduce((a, [, b]) => a + (b ?? 0), 0);
      d.out(`  on disk: ${fmt(bytes / 1048576)} MB in ${parts} active parts (${fmt(bytes / Math.max(1, result.records))} bytes a record)\n`);
      d.out('  reads through the FINAL view (events) against the rows as stored (events_rows), median of 5:\n');
      for (const c of await measureFinalCost(store, Date.now())) d.out(`    ${c.read}: ${c.finalMs.toFixed(0)} ms with FINAL, ${c.rowsMs.toFixed(0)} ms without (x${(c.finalMs / Math.max(0.1, c.rowsMs)).toFixed(1)})\n`);
      return result;
    } finally {
      await store.close();
    }
  } finally {
    await started?.stop();
    await target.stop();
  }
}

interface ProcessesDeps {
  /** A fresh emulator child serving `tenants` tenants, the bench's records split among them. */
  startEmulator(tenants: number): Promise<BenchEmulator>;
  cpuSeconds(pid: number | undefined): number | null;
  treeCpuSeconds(pid: number | undefined): number | null;
  /** The auditwatch CLI script. */
  bin: string;
  /** How far back the backfill goes (hours). */
  sinceHours: number;
  concurrency: number;
  processes: number;
  out(line: string): void;
}

/**
 * `auditwatch backfill` processes into one ClickHouse node and PostgreSQL: one process for N tenants,
 * then N processes for one tenant each (each with its own config, so disjoint tenant sets), from fresh
 * emulators and into fresh databases. Null when clickhouse-server is not installed.
 */
export async function clickhouseProcesses(d: ProcessesDeps): Promise<void> {
  const absent = clickhouseSkipReason();
  if (absent) {
    d.out(`clickhouse processes: skipped (${absent})\n`);
    return;
  }
  const [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-bench-procs-'));
  try {
    await writeFile(join(dir, 'ch.secret'), `${ch.password}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'pg.secret'), `${pg.password}\n`, { mode: 0o600 });
    for (const split of [false, true]) {
      const emu = await d.startEmulator(d.processes);
      try {
        const [database, pgDatabase] = await Promise.all([ch.createDatabase(), pg.createDatabase()]);
        const tenants = emu.info.tenants;
        const groups = split ? tenants.map((t) => [t]) : [tenants];
        const configs: string[] = [];
        for (const [i, group] of groups.entries()) {
          for (const t of group) await writeFile(join(dir, `${t.tenantId}.secret`), `${t.clientSecret}\n`, { mode: 0o600 });
          const file = join(dir, `collector-${split ? 'split' : 'one'}-${i + 1}.yaml`);
          await writeFile(file, backfillConfig(group, emu.info.url, { url: ch.url, database, user: ch.user }, { host: pg.host, port: pg.port, database: pgDatabase, user: pg.user }, d.concurrency));
          configs.push(file);
        }
        const ch0 = d.cpuSeconds(ch.pid);
        const pg0 = d.treeCpuSeconds(pg.pid);
        const emu0 = d.cpuSeconds(emu.pid);
        const t0 = performance.now();
        const runs = await Promise.all(configs.map((file) => runBackfill(d, file, t0)));
        const seconds = (performance.now() - t0) / 1000;
        const [ch1, pg1, emu1] = [d.cpuSeconds(ch.pid), d.treeCpuSeconds(pg.pid), d.cpuSeconds(emu.pid)];
        const byTenant = new Map<string, number>();
        for (const line of (await ch.run('SELECT tenant_id, count() FROM events GROUP BY tenant_id FORMAT TabSeparated', database)).trim().split('\n')) {
          const [tenant, n] = line.split('\t');
          if (tenant) byTenant.set(tenant, Number(n));
        }
        const records = [...byTenant.values()].reduce((a, b) => a + b, 0);
        const per = (a: number | null, b: number | null) => (a !== null && b !== null ? `${(((b - a) * 1e6) / Math.max(1, records)).toFixed(1)} µs` : 'n/a');
        const label = split ? `${groups.length} processes, 1 tenant each` : `1 process, ${tenants.length} tenants`;
        d.out(`clickhouse, ${label}: ${fmt(records)} records in ${seconds.toFixed(1)} s = ${fmt(records / seconds)} records/s (process start and store open included)\n`);
        const own = (group: typeof tenants) => group.reduce((a, t) => a + (byTenant.get(t.tenantId.toLowerCase()) ?? 0), 0);
        d.out(`  CPU per record: ${runs.map((r, i) => `collector ${i + 1} ${((r.cpu * 1e6) / Math.max(1, own(groups[i]!))).toFixed(1)} µs of its ${fmt(own(groups[i]!))} (${r.seconds.toFixed(1)} s)`).join(', ')}; clickhouse-server ${per(ch0, ch1)}, PostgreSQL ${per(pg0, pg1)}, emulator ${per(emu0, emu1)}\n`);
        for (const r of runs) if (r.code !== 0) d.out(`  a backfill exited ${r.code}: ${r.stderr.slice(0, 500)}\n`);
      } finally {
        await emu.stop();
      }
    }
  } finally {
    await Promise.all([ch.stop(), pg.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

function backfillConfig(
  tenants: BenchEmulator['info']['tenants'],
  apiUrl: string,
  c: { url: string; database: string; user: string },
  p: { host: string; port: number; database: string; user: string },
  concurrency: number,
): string {
  const q = (s: string | number) => JSON.stringify(String(s));
  return `tenants:
${tenants.map((t) => `  - name: ${q(t.tenantId.slice(0, 8))}
    tenantId: ${q(t.tenantId)}
    clientId: ${q(t.clientId)}
    clientSecret: { file: ${q(`./${t.tenantId}.secret`)} }
    apiUrl: ${q(apiUrl)}
    loginUrl: ${q(apiUrl)}`).join('\n')}
store:
  engine: clickhouse
  clickhouse:
    url: ${q(c.url)}
    database: ${q(c.database)}
    user: ${q(c.user)}
    password: { file: ./ch.secret }
  state: postgres
  postgres:
    host: ${q(p.host)}
    port: ${p.port}
    database: ${q(p.database)}
    user: ${q(p.user)}
    password: { file: ./pg.secret }
collect:
  maxConcurrency: ${concurrency}
  requestsPerMinute: 60000
  listen: false
enrich:
  enabled: false                   # as the in-process pass: no GeoIP/ASN lookups
log:
  level: warn
`;
}

/** One `auditwatch backfill` child: its CPU seconds (sampled until it exits), wall time, exit code. */
function runBackfill(d: ProcessesDeps, config: string, t0: number): Promise<{ cpu: number; seconds: number; code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [d.bin, 'backfill', '--since', `${d.sinceHours}h`, '--no-progress', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    let cpu = 0;
    const sample = () => (cpu = d.cpuSeconds(child.pid) ?? cpu);
    const timer = setInterval(sample, 50);
    child.once('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearInterval(timer);
      resolve({ cpu, seconds: (performance.now() - t0) / 1000, code: code ?? 1, stderr });
    });
  });
}
