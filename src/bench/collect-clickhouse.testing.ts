// Bench "collect", the ClickHouse side (a .testing file: it starts the tests' clickhouse-server and
// PostgreSQL, as nobody in temporary folders on loopback ports): the same end-to-end backfill from a
// fresh emulator child into ClickHouse + PostgreSQL, records/s and CPU per record of the collector, the
// emulator and clickhouse-server; then what the FINAL view costs reads over the stored records.

import { CONTENT_TYPES } from '../records/index.js';
import { measureFinalCost, openStore } from '../store/index.js';
import { Secret } from '../core/index.js';
import type { ApiClient } from '../api/index.js';
import { createCollector } from '../collect/index.js';
import { clickhouseSkipReason, startTestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres } from '../store/postgres/server.testing.js';

export interface SideResult {
  records: number;
  seconds: number;
  rate: number;
  collectorCpuUs: number;
  emulatorCpuUs: number | null;
  serverCpuUs: number | null;
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
  since: number;
  concurrency: number;
  batch: number;
  out(line: string): void;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Null when clickhouse-server is not installed (the reason is printed). */
export async function clickhouseEndToEnd(d: Deps): Promise<SideResult | null> {
  const absent = clickhouseSkipReason();
  if (absent) {
    d.out(`clickhouse: skipped (${absent})\n`);
    return null;
  }
  const [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  const emu = await d.startEmulator();
  try {
    const store = await openStore({
      engine: 'clickhouse',
      clickhouse: { url: ch.url, database: await ch.createDatabase(), user: ch.user, password: new Secret(ch.password) },
      stateStore: { engine: 'postgres', connection: { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: await pg.createDatabase() } },
    });
    d.out(`clickhouse: server ${ch.version} on loopback (parts ZSTD-compressed), ledger and cursors in PostgreSQL\n`);
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
      const ch0 = d.cpuSeconds(ch.pid);
      const t0 = performance.now();
      const summary = await collector.runOnce({ since: d.since });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const emu1 = d.cpuSeconds(emu.pid);
      const ch1 = d.cpuSeconds(ch.pid);
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
        peakRss: Math.max(peak, process.memoryUsage.rss()),
      };
      d.out(`clickhouse end to end: ${fmt(result.records)} records in ${seconds.toFixed(1)} s = ${fmt(result.rate)} records/s; peak RSS ${fmt(result.peakRss / 1048576)} MB\n`);
      d.out(`  CPU per record: collector ${result.collectorCpuUs.toFixed(1)} µs${result.emulatorCpuUs !== null ? `, emulator ${result.emulatorCpuUs.toFixed(1)} µs` : ''}${result.serverCpuUs !== null ? `, clickhouse-server ${result.serverCpuUs.toFixed(1)} µs` : ''}\n`);
      d.out('  reads through the FINAL view (events) against the rows as stored (events_rows), median of 5:\n');
      for (const c of await measureFinalCost(store, Date.now())) d.out(`    ${c.read}: ${c.finalMs.toFixed(0)} ms with FINAL, ${c.rowsMs.toFixed(0)} ms without (x${(c.finalMs / Math.max(0.1, c.rowsMs)).toFixed(1)})\n`);
      return result;
    } finally {
      await store.close();
    }
  } finally {
    await emu.stop();
    await Promise.all([ch.stop(), pg.stop()]);
  }
}
