// Bench "collect", the ClickHouse side (a .testing file: it starts the tests' clickhouse-server and
// PostgreSQL, as nobody in temporary folders on loopback ports): the same end-to-end backfill from a
// fresh emulator child into ClickHouse + PostgreSQL, records/s and CPU per record of the collector, the
// emulator and clickhouse-server (all shards' together on a cluster); then what the FINAL view costs
// reads over the stored records. One node, or a cluster of `shards` servers (clickhouse/target.testing.ts).

import { CONTENT_TYPES } from '../records/index.js';
import { measureFinalCost, openStore } from '../store/index.js';
import type { ApiClient } from '../api/index.js';
import { createCollector } from '../collect/index.js';
import { clickhouseSkipReason } from '../store/clickhouse/server.testing.js';
import { clickhouseTarget } from '../store/clickhouse/target.testing.js';

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
    const store = await openStore(await target.config());
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
      const t0 = performance.now();
      const summary = await collector.runOnce({ since: d.since });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const emu1 = d.cpuSeconds(emu.pid);
      const ch1 = serverCpu();
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
      d.out(`clickhouse${shards === 1 ? '' : ` ${shards} shards`} end to end: ${fmt(result.records)} records in ${seconds.toFixed(1)} s = ${fmt(result.rate)} records/s; peak RSS ${fmt(result.peakRss / 1048576)} MB\n`);
      d.out(`  CPU per record: collector ${result.collectorCpuUs.toFixed(1)} µs${result.emulatorCpuUs !== null ? `, emulator ${result.emulatorCpuUs.toFixed(1)} µs` : ''}${result.serverCpuUs !== null ? `, clickhouse-server ${result.serverCpuUs.toFixed(1)} µs${shards === 1 ? '' : ` (${shards} servers together)`}` : ''}\n`);
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
