// `npm run bench [-- NAME…]`: the benchmarks, a table of named benches each in its own file, loaded only
// when it runs. With no name every bench runs in turn. Benches print figures; they never fail a build.

export interface Bench {
  name: string;
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<void> }>;
}

export const BENCHES: Bench[] = [
  { name: 'collect', summary: 'end-to-end backfill from the emulator over loopback HTTP into DuckDB, beside the in-process ceiling and the same into ClickHouse + PostgreSQL', load: () => import('./collect.js') },
  { name: 'quota', summary: 'a 7-day backfill of a 1,000-user tenant under a 2,000/min quota over loopback HTTP into DuckDB: requests per blob, throttled share, wall time beside the ideal', load: () => import('./quota.js') },
  { name: 'emulator', summary: 'the simulated tenant alone: blobs made and served first-time and again, in-process and over loopback HTTP (records per CPU-second)', load: () => import('./emulator.js') },
  { name: 'api', summary: 'the dashboard API over 100,000 alerts and 10M events (DuckDB): queue page, alert detail, 7-day event searches, overview; p50/p95 over loopback HTTP', load: () => import('./api.js') },
  { name: 'detect', summary: 'the whole built-in rule pack over 10M stored events, and one incremental pass after a batch (DuckDB; --engine=clickhouse: ClickHouse + PostgreSQL)', load: () => import('./detect.js') },
  { name: 'store-ingest', summary: 'Store.commitBlobs alone into DuckDB: records/s, CPU-µs per record and peak RSS', load: () => import('./store-ingest.js') },
];

async function main(argv: string[]): Promise<number> {
  const names = argv.filter((a) => !a.startsWith('-'));
  const flags = argv.filter((a) => a.startsWith('-'));
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(`Usage: npm run bench [-- NAME… [--OPTION=VALUE…]]\n\n${BENCHES.map((b) => `  ${b.name.padEnd(14)} ${b.summary}`).join('\n')}\n`);
    return 0;
  }
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown bench "${unknown[0]!.slice(0, 40)}"; choose from ${BENCHES.map((b) => b.name).join(', ')}.\n`);
    return 2;
  }
  const chosen = names.length > 0 ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  for (const b of chosen) {
    process.stdout.write(`\n== bench ${b.name}: ${b.summary}\n`);
    const mod = await b.load();
    await mod.run(flags);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
