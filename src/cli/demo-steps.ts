// The pieces of `auditwatch demo`: a local webhook receiver appending to webhook.log, the config written
// for the in-process emulator, identity learning over stored records, one collect → detect → alert cycle,
// and writing every report. demo.ts strings them together.

import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { DAY, HOUR, ensurePrivateDir, safeLine, writePrivateFile, type Clock, type Logger } from '../core/index.js';
import type { Config } from '../service/index.js';
import type { ContentSourceOptions } from '../emulator/index.js';
import { learnIdentitiesFromStore } from '../detect/index.js';
import { countryLookup, REPORTS, runReport, writeReportFiles } from '../reports/index.js';
import type { Store } from '../store/index.js';
import { configuredCollector } from '../service/index.js';
import type { Pipeline } from '../service/index.js';

/** The demo's simulated tenant. Live, it is busy around the clock (a night shift and service desk: an
 *  event every 15 s at any hour) in 30-second blobs, so every 30-second cycle collects records. */
export function demoSourceOptions(o: { users: number; days: number; started: number; live: boolean }): ContentSourceOptions {
  return {
    seed: 1,
    days: o.days,
    users: o.users,
    tenants: 1,
    scenarios: 'all',
    live: o.live,
    startTime: o.started,
    latency: { kind: 'uniform', minMs: 1_000, maxMs: 5_000 },
    blobMinutes: 0.5,
    ...(o.live ? { floorPerMinute: 4 } : {}),
  };
}

export interface WebhookReceiver {
  url: string;
  received(): number;
  close(): Promise<void>;
}

/** An HTTP receiver on 127.0.0.1 (ephemeral port) that appends each POSTed body, on one line, to `file`. */
export async function startWebhookReceiver(file: string): Promise<WebhookReceiver> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 4_000_000) chunks.push(c);
    });
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8').replace(/[\r\n]+/g, ' ');
      appendFileSync(file, `${body}\n`);
      count += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/auditwatch`,
    received: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface DemoTenant {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  domain: string;
}

/** Writes DIR/auditwatch.yaml for the emulator's tenants (secrets in files, mode 0600). */
export function writeDemoConfig(dir: string, emulatorUrl: string, tenants: DemoTenant[], webhookUrl: string): string {
  const secrets = join(dir, 'auditwatch.secrets');
  ensurePrivateDir(secrets);
  const entries = tenants.map((t, i) => {
    const name = t.domain.split('.')[0]!.toLowerCase().replace(/[^a-z0-9._-]+/g, '-') || `tenant-${i + 1}`;
    const file = join(secrets, `${name}.secret`);
    writePrivateFile(file, `${t.clientSecret}\n`);
    return `  - name: ${name}
    tenantId: ${t.tenantId}
    clientId: ${t.clientId}
    clientSecret: { file: ./auditwatch.secrets/${name}.secret }
    apiUrl: ${JSON.stringify(emulatorUrl)}     # the demo's emulator (gone when the demo stops)
    loginUrl: ${JSON.stringify(emulatorUrl)}
`;
  });
  const text = `# Written by "auditwatch demo": the emulator's simulated tenant, the store, alerts to a local webhook.
# Commands that only read the store (alerts, query, report, status) work after the demo has stopped.
tenants:
${entries.join('')}
store:
  path: ./auditwatch.duckdb
collect:
  interval: 30s
  overlap: 1h
  maxConcurrency: 8
  requestsPerMinute: 60000        # the local emulator has no quota; a real tenant's is 2000
  listen: false
alerts:
  destinations:
    - name: demo-webhook
      type: webhook
      url: ${JSON.stringify(webhookUrl)}   # the demo's receiver, appending to webhook.log
      backoffMin: 1s
      backoffMax: 10s
reports:
  folder: ./reports
`;
  const file = join(dir, 'auditwatch.yaml');
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

export { createPipeline, type Pipeline } from '../service/index.js';

export interface CycleResult {
  records: number;
  blobs: number;
  identities: number;
  hits: number;
  delivered: number;
  ok: boolean;
  errors: string[];
}

/** One cycle: collect (from `since` on the first), learn identities, detect, deliver alerts. */
export async function runCycle(
  o: { config: Config; store: Store; clock: Clock; logger: Logger; pipeline: Pipeline; signal: AbortSignal },
  first: { since: number } | null,
): Promise<CycleResult> {
  const { config, store, clock, logger, pipeline } = o;
  const collector = await configuredCollector({ config, store, clock, logger });
  const pass = await collector.runOnce({ ...(first ? { since: first.since } : {}), signal: o.signal });
  const identities = await learnIdentitiesFromStore(store, clock.now());
  const hits = first ? await pipeline.detector.run({ from: first.since - DAY, to: clock.now() + HOUR }) : await pipeline.detector.runIncremental();
  let delivered = 0;
  for (let i = 0; i < 20; i++) {
    const r = await pipeline.outbox.runOnce(o.signal);
    delivered += r.delivered;
    if (r.delivered === 0 && r.retrying === 0) break;
  }
  return {
    records: pass.records,
    blobs: pass.blobs,
    identities,
    hits: hits.length,
    delivered,
    ok: pass.ok,
    errors: pass.errors.map((e) => safeLine(e.error.message, 300)),
  };
}

/** Writes every report (HTML and CSV) over [from, to) to `folder`; returns the paths. */
export async function writeAllReports(store: Store, folder: string, period: { from: number; to: number }, now: number, threshold: number): Promise<string[]> {
  const countryOf = await countryLookup();
  const paths: string[] = [];
  for (const def of REPORTS) {
    const result = await runReport(def, { store, period, now, params: { threshold, ...(countryOf ? { countryOf } : {}) } });
    paths.push(...writeReportFiles(result, ['html', 'csv'], folder, def.name).map((f) => f.path));
  }
  return paths;
}
