// auditwatch demo: the whole system in one command, without a tenant. Starts the emulator in-process
// (a simulated tenant with every attack scenario and short latency), writes a config for it under
// --data-dir, collects (backfill), detects, alerts (console + a local webhook receiver appending to
// webhook.log), writes every report (HTML + CSV) to DIR/reports/, and prints what to look at. Without
// --once it keeps going with live activity (a cycle every 30 s) until Ctrl+C, then exits 0.

import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { AppError, DAY, HOUR, createLogger, errorMessage, safeLine, systemClock, stopOnSignals } from '../core/index.js';
import { loadConfig } from '../service/index.js';
import { createContentSource, startEmulator } from '../emulator/index.js';
import { parseOptions, type CliIO } from './command.js';
import { createPipeline, demoSourceOptions, runCycle, startWebhookReceiver, writeAllReports, writeDemoConfig, type CycleResult } from './demo-steps.js';
import { openConfiguredStore } from '../service/index.js';

const HELP = `Usage: auditwatch demo [--data-dir DIR] [--once]

Runs the whole system against a local emulator of the Management Activity API: a simulated tenant
(60 users, 2 days of history) with every attack scenario and its benign look-alikes. It collects,
detects, raises alerts (printed here and POSTed to a local webhook receiver that appends to
DIR/webhook.log) and writes every report to DIR/reports/ (HTML and CSV). No network, no tenant needed.
  --data-dir DIR  where the config, store, reports and webhook.log go (default ./data/demo; a previous
                  demo's store there is replaced)
  --once          one full cycle, then exit 0; without it, live activity is collected every 30 s
                  until Ctrl+C
  --users N       users in the simulated tenant (default 60)
  --days D        days of history (default 2)`;

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(
    args,
    { 'data-dir': { type: 'string', default: './data/demo' }, once: { type: 'boolean', default: false }, users: { type: 'string' }, days: { type: 'string' } },
    HELP,
    io,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  const dir = resolve(v['data-dir'] ?? './data/demo');
  const users = v.users === undefined ? 60 : Number(v.users);
  const days = v.days === undefined ? 2 : Number(v.days);
  if (!Number.isInteger(users) || users < 5 || users > 5000) throw new AppError('usage', '--users must be a whole number from 5 to 5000.');
  if (!(days >= 1 && days <= 7)) throw new AppError('usage', '--days must be from 1 to 7.');
  const once = v.once ?? false;
  const clock = systemClock;
  const logger = createLogger({ level: 'error' });
  const say = (text: string) => io.out(`${text}\n`);

  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new AppError('demo_dir', `Cannot create ${dir} (${errorMessage(err)}); pass --data-dir to a folder you can write.`);
  }
  // A fresh store and log each run: the emulator's tenant is new each time.
  for (const f of ['auditwatch.duckdb', 'auditwatch.duckdb.wal', 'webhook.log']) rmSync(join(dir, f), { force: true });
  rmSync(join(dir, 'reports'), { recursive: true, force: true });

  const stop = stopOnSignals();
  const started = clock.now();
  const source = createContentSource(demoSourceOptions({ users, days, started, live: !once }));
  const emulator = await startEmulator({ source, clock, port: 0, throttlePerMinute: 0, logger });
  const receiver = await startWebhookReceiver(join(dir, 'webhook.log'));
  let store: Awaited<ReturnType<typeof openConfiguredStore>> | null = null;
  let pipeline: Awaited<ReturnType<typeof createPipeline>> | null = null;
  try {
    say(`auditwatch demo: emulator on ${emulator.url} with ${emulator.tenants.length} simulated tenant (${users} users, ${days} days, every scenario).`);
    const configFile = writeDemoConfig(dir, emulator.url, emulator.tenants, receiver.url);
    const config = loadConfig(configFile);
    store = await openConfiguredStore(config, { logger });
    pipeline = await createPipeline(config, store, clock, logger, (t) => io.err(`auditwatch demo: ${t}\n`));
    const ctx = { config, store, clock, logger, pipeline, signal: stop.signal };

    const since = started - days * DAY;
    let seen = new Set<string>();
    const report = async (cycle: CycleResult, label: string) => {
      say(`${label}: ${cycle.records} records from ${cycle.blobs} blobs, ${cycle.identities} identities learned, ${cycle.hits} new detections, ${cycle.delivered} webhook deliveries.`);
      for (const e of cycle.errors.slice(0, 5)) say(`  collection problem: ${e}`);
      seen = await printAlerts(pipeline!, seen, say);
    };
    const first = await runCycle(ctx, { since });
    await report(first, 'Backfill');
    const reportsDir = join(dir, 'reports');
    const writeReports = () => writeAllReports(store!, reportsDir, { from: since - HOUR, to: clock.now() + HOUR }, clock.now(), config.reports.threshold);
    const paths = await writeReports();
    say(`Reports: ${paths.length} files in ${rel(reportsDir)}/`);
    printNext(dir, configFile, receiver.received(), say);
    if (once) return first.ok ? 0 : 1;

    say('Live: collecting new activity every 30 s. Press Ctrl+C to stop.');
    while (!stop.signal.aborted) {
      await clock.sleep(30_000, stop.signal).catch(() => undefined);
      if (stop.signal.aborted) break;
      const cycle = await runCycle(ctx, null).catch((err: unknown) => {
        if (stop.signal.aborted) return null;
        throw err;
      });
      if (!cycle) break;
      await report(cycle, new Date(clock.now()).toISOString().slice(11, 19));
      await writeReports();
    }
    say('auditwatch demo: stopped.');
    return 0;
  } finally {
    stop.dispose();
    await pipeline?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await receiver.close();
    await emulator.close();
  }
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith('..') ? r : path;
}

/** Prints alerts not printed before, one compact escaped line each; returns the ids printed so far. */
async function printAlerts(pipeline: { alerts: { list(f?: object): Promise<{ id: string; severity: string; title: string; count: number; entities: { users?: string[]; ips?: string[] } }[]> } }, seen: Set<string>, say: (t: string) => void): Promise<Set<string>> {
  const all = await pipeline.alerts.list({ limit: 1000 });
  const fresh = all.filter((a) => !seen.has(a.id)).sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.title.localeCompare(b.title));
  if (fresh.length) say(`Alerts (${fresh.length} new):`);
  for (const a of fresh) {
    const who = [...(a.entities.users ?? []), ...(a.entities.ips ?? [])].slice(0, 3).join(', ');
    say(`  ${a.severity.toUpperCase().padEnd(8)} ${safeLine(a.title, 70).padEnd(70)} ${safeLine(who, 80)}${a.count > 1 ? ` (${a.count} events)` : ''}`);
  }
  return new Set(all.map((a) => a.id));
}

function printNext(dir: string, configFile: string, webhooks: number, say: (t: string) => void): void {
  const c = rel(configFile);
  say('');
  say('What to look at:');
  say(`  reports:      ${rel(join(dir, 'reports'))}/*.html (open in a browser) and *.csv (open in Excel)`);
  say(`  webhook log:  ${rel(join(dir, 'webhook.log'))} (${webhooks} alert${webhooks === 1 ? '' : 's'} POSTed)`);
  say(`  store:        ${rel(join(dir, 'auditwatch.duckdb'))}`);
  say('Commands to try:');
  say(`  npx auditwatch alerts list --config ${c}`);
  say(`  npx auditwatch query --config ${c} "SELECT operation, count(*) AS n FROM events GROUP BY operation ORDER BY n DESC LIMIT 10"`);
  say(`  npx auditwatch report mailbox-self-grants --config ${c} --from 7d --format html --out self-grants.html`);
  say(`  npx auditwatch report failed-signins --config ${c} --from 7d --threshold 3`);
  say('');
}
