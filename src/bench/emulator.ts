// Bench "emulator": how fast the simulated tenant makes and serves blobs on one core, with no client in
// the way — every blob of a fresh tenant listed and fetched (first-time generation), then the same walk
// again (bodies from the LRU where they fit), then `groundTruth(now)`; then a fresh tenant served over
// loopback HTTP to a client in a child process (the emulator's own CPU time per record served). Prints
// records/s by wall and by CPU time and peak RSS. Default: 16,000 users over 2 working days, about one
// million records, as the collect bench backfills. Options: --users=N --days=N --seed=S
// --latency=production|fixed --cache-mb=N (the blob-body cache, default 64) --skip-http --http-only.

import { spawn } from 'node:child_process';
import { ManualClock } from '../core/index.js';
import { CONTENT_TYPES } from '../records/index.js';
import { createContentSource, startEmulator } from '../emulator/index.js';

const DAY = 86_400_000;
const MB = 1048576;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function flag(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

interface Pass {
  records: number;
  blobs: number;
  bytes: number;
  wall: number;
  cpu: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export async function run(args: string[]): Promise<void> {
  const users = Number(flag(args, 'users', '16000'));
  const days = Number(flag(args, 'days', '2'));
  const seed = flag(args, 'seed', '1');
  const latencyKind = flag(args, 'latency', 'fixed');
  const cacheChars = Number(flag(args, 'cache-mb', '64')) * 1_000_000;
  const startTime = Date.UTC(2026, 2, 19, 18, 0, 0); // a Thursday evening: two working days behind it
  let peakRss = process.memoryUsage.rss();
  const sample = () => {
    const r = process.memoryUsage.rss();
    if (r > peakRss) peakRss = r;
  };
  const source = createContentSource({
    seed, days, users, tenants: 1, scenarios: [], live: false, startTime, cacheChars,
    latency: latencyKind === 'production' ? { kind: 'production' } : { kind: 'fixed', ms: 0 },
  });
  const tenantId = source.tenants()[0]!.tenantId;
  const now = startTime + (latencyKind === 'production' ? DAY : 0);
  process.stdout.write(`tenant: ${users} users, ${days} days, latency ${latencyKind}, seed ${seed}\n`);

  const walk = (): Pass => {
    const w0 = performance.now();
    const c0 = cpuSeconds();
    const p: Pass = { records: 0, blobs: 0, bytes: 0, wall: 0, cpu: 0 };
    for (const ct of CONTENT_TYPES) {
      for (let from = startTime - (days + 1) * DAY; from <= now; from += DAY) {
        for (const meta of source.listBlobs(tenantId, ct, from, from + DAY, now)) {
          const blob = source.blobContent(tenantId, meta.contentId)!;
          p.records += meta.recordCount;
          p.blobs++;
          p.bytes += blob.body.length;
          if ((p.blobs & 63) === 0) sample();
        }
      }
    }
    sample();
    p.wall = (performance.now() - w0) / 1000;
    p.cpu = cpuSeconds() - c0;
    return p;
  };
  const line = (label: string, p: Pass) =>
    process.stdout.write(
      `${label}: ${fmt(p.records)} records (${fmt(p.blobs)} blobs, ${fmt(p.bytes / MB)} MB) in ${p.wall.toFixed(2)} s = ${fmt(p.records / p.wall)} records/s, ${fmt(p.records / p.cpu)} records per CPU-second; RSS now ${fmt(process.memoryUsage.rss() / MB)} MB\n`,
    );
  if (!args.includes('--http-only')) {
    line('first-time', walk());
    line('again (LRU)', walk());
    const g0 = performance.now();
    const truth = source.groundTruth(now);
    const ids = Object.values(truth.available[tenantId]!).reduce((n, l) => n + l.length, 0);
    sample();
    process.stdout.write(`groundTruth(now): ${fmt(ids)} unique ids in ${((performance.now() - g0) / 1000).toFixed(2)} s\n`);
  }
  if (!args.includes('--skip-http')) {
    const [first, again] = await overHttp({ seed, days, users, startTime, now, cacheChars, latencyKind });
    const show = (label: string, p: HttpPass) =>
      process.stdout.write(
        `${label}: ${fmt(p.records)} records (${fmt(p.blobs)} blobs) in ${p.wall.toFixed(2)} s = ${fmt(p.records / p.wall)} records/s; the emulator used ${p.cpu.toFixed(2)} CPU-s (${p.system.toFixed(2)} in the kernel) = ${fmt(p.records / p.cpu)} records per CPU-second\n`,
      );
    show('over HTTP, first-time (client in a child process)', first!);
    show('over HTTP, again (LRU)', again!);
    sample();
  }
  process.stdout.write(`peak RSS ${fmt(peakRss / MB)} MB; target: well over 150,000 records/s first-time on one core\n`);
}

// A client with no dependencies (run with `node --input-type=module -e`): token, subscriptions, listing
// with NextPageUri paging in 24-hour windows, blobs fetched 8 at a time; prints {records, blobs}.
const CLIENT = `
const [url, tenantId, clientId, clientSecret, from, to] = JSON.parse(process.argv[1]);
const tok = await (await fetch(url + '/' + tenantId + '/oauth2/v2.0/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'https://manage.office.com/.default' }) })).json();
const headers = { authorization: 'Bearer ' + tok.access_token };
const base = url + '/api/v1.0/' + tenantId + '/activity/feed/subscriptions';
let records = 0, blobs = 0;
for (const ct of ${JSON.stringify(CONTENT_TYPES)}) {
  await (await fetch(base + '/start?contentType=' + ct + '&PublisherIdentifier=' + tenantId, { method: 'POST', headers })).text();
  const uris = [];
  for (let s = from; s < to; s += 86400000) {
    let next = base + '/content?contentType=' + ct + '&PublisherIdentifier=' + tenantId + '&startTime=' + new Date(s).toISOString().slice(0, 19) + '&endTime=' + new Date(Math.min(s + 86400000, to)).toISOString().slice(0, 19);
    while (next) {
      const res = await fetch(next, { headers });
      if (res.status !== 200) throw new Error('listing: ' + res.status + ' ' + (await res.text()));
      for (const b of await res.json()) uris.push(b.contentUri);
      next = res.headers.get('nextpageuri');
    }
  }
  let k = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (k < uris.length) {
      const body = await (await fetch(uris[k++] + '?PublisherIdentifier=' + tenantId, { headers })).text();
      blobs++;
      for (let i = body.indexOf('{"CreationTime"'); i >= 0; i = body.indexOf('{"CreationTime"', i + 15)) records++;
    }
  }));
}
process.stdout.write(JSON.stringify({ records, blobs }));
`;

interface HttpPass {
  records: number;
  blobs: number;
  wall: number;
  cpu: number;
  system: number;
}

/** A fresh tenant behind the real HTTP server; the child client walks it twice (the second time from the LRU where bodies fit). */
async function overHttp(o: { seed: string; days: number; users: number; startTime: number; now: number; cacheChars: number; latencyKind: string }): Promise<HttpPass[]> {
  const source = createContentSource({
    seed: o.seed, days: o.days, users: o.users, tenants: 1, scenarios: [], live: false, startTime: o.startTime, cacheChars: o.cacheChars,
    latency: o.latencyKind === 'production' ? { kind: 'production' } : { kind: 'fixed', ms: 0 },
  });
  const emulator = await startEmulator({ source, clock: new ManualClock(o.now), throttlePerMinute: 0, pageSize: 1000 });
  try {
    const t = emulator.tenants[0]!;
    const argv = JSON.stringify([emulator.url, t.tenantId, t.clientId, t.clientSecret, o.now - 7 * DAY + 60_000, o.now + 1]);
    const passes: HttpPass[] = [];
    for (let pass = 0; pass < 2; pass++) {
      const u0 = process.cpuUsage();
      const w0 = performance.now();
      const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, argv], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const wall = (performance.now() - w0) / 1000;
      const used = process.cpuUsage(u0);
      if (code !== 0) throw new Error(`the bench client exited with ${code}`);
      const r = JSON.parse(out) as { records: number; blobs: number };
      passes.push({ ...r, wall, cpu: (used.user + used.system) / 1e6, system: used.system / 1e6 });
    }
    return passes;
  } finally {
    await emulator.close();
  }
}
