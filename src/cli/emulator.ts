// auditwatch emulator: serves simulated tenants through a local Office 365 Management Activity API
// (token endpoints, activity feed, /_emulator/ control surface) until SIGINT or SIGTERM.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, createLogger, parseDuration, systemClock, stopOnSignals } from '../core/index.js';
import { createContentSource, startEmulator, type ContentSource, type RunningEmulator } from '../emulator/index.js';
import { parseOptions, type CliIO } from './command.js';

const HELP = `Usage: auditwatch emulator [options]

Serves simulated Microsoft 365 tenants through a local, faithful Office 365 Management Activity API:
token endpoints (/{tenant}/oauth2/v2.0/token, /{tenant}/oauth2/token), the activity feed
(/api/v1.0/{tenant}/activity/feed/...) and a control surface (/_emulator/...). Runs until Ctrl+C.

It prints each tenant's id, client id and client secret. These are the emulator's own made-up
credentials for its simulated tenants, not secrets of any real tenant, so printing them is fine.

Options:
  --port N            port to listen on (default 8080; 0 = any free port)
  --host H            address to listen on (default 127.0.0.1)
  --seed S            seed of the simulation: same seed, same bytes (default 1)
  --days D            days of history before now (default 7)
  --users U           users per tenant (default 100)
  --tenants T         number of tenants (default 1)
  --scenarios LIST    attack and benign scenarios to inject: all, none, or NAME,NAME,... (default all)
  --latency L         how long after its events a blob becomes available: a duration (0s = every
                      blob at once, 5m), a range MIN..MAX (e.g. 1m..10m), or production (the default:
                      most after 60-90 minutes, a tail up to 12 hours)
  --duplicate-rate X  share of records repeated in a later blob (default: the simulation's)
  --no-live           no new activity after start-up (a frozen tenant)
  --tls               serve HTTPS with a certificate for localhost, 127.0.0.1 and ::1 signed by a CA
                      generated at start-up; the CA's PEM is written to a file it prints, to trust
                      (e.g. NODE_EXTRA_CA_CERTS=FILE, curl --cacert FILE)
  --tls-names LIST    more names for that certificate, e.g. manage.office.com,login.microsoftonline.com
                      (DNS names, *.wildcards, IP addresses); implies --tls
  --tls-cert FILE     serve this certificate (PEM, chain allowed) instead of generating one, with
  --tls-key FILE      its private key (PEM); clients trust the CA that issued it
  --trust-forwarded   take the scheme and host of the URIs it hands out (contentUri, NextPageUri)
                      from Forwarded / X-Forwarded-Proto / X-Forwarded-Host, for a TLS-terminating
                      proxy in front; off by default, so a client cannot make it hand out other hosts
  --json              print one JSON line first: {"url", "tenants": [{"tenantId","clientId","clientSecret"}]}
  --page-size N       blobs per /subscriptions/content page before NextPageUri (default 200)
  --throttle N        requests a minute per tenant before AF429 (default 2000; 0 = unlimited)
  --fault-rate X      share of API requests answered 500, 503 or AF50000 (default 0)
`;

export interface ServeIo {
  write(text: string): void;
  /** Stops the emulator when aborted. */
  signal: AbortSignal;
  /** Builds the content source (default: the simulated tenants). */
  makeSource?: (options: Parameters<typeof createContentSource>[0]) => ContentSource;
}

function int(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new AppError('usage', `--${name} must be a whole number of at least ${min}; got "${value.slice(0, 20)}".`);
  return n;
}

function rate(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new AppError('usage', `--${name} must be a number from 0 to 1; got "${value.slice(0, 20)}".`);
  return n;
}

/** Parses the options, starts the emulator, prints how to use it, and resolves when stopped. */
export async function serve(args: string[], io: ServeIo): Promise<number> {
  const parsed = parseOptions(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    days: { type: 'string' },
    users: { type: 'string' },
    tenants: { type: 'string' },
    scenarios: { type: 'string' },
    latency: { type: 'string' },
    'duplicate-rate': { type: 'string' },
    'no-live': { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
    'tls-names': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-forwarded': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'page-size': { type: 'string' },
    throttle: { type: 'string' },
    'fault-rate': { type: 'string' },
  }, HELP, { out: (t) => io.write(t), err: (t) => void process.stderr.write(t), errIsTTY: false, stdin: process.stdin });
  if (!parsed) return 0;
  const v = parsed.values;
  const port = int(v.port, 'port', 8080);
  if (port > 65535) throw new AppError('usage', '--port must be at most 65535.');
  const seedText = v.seed ?? '1';
  const seed: number | string = /^\d+$/.test(seedText) ? Number(seedText) : seedText;
  const scenariosText = (v.scenarios ?? 'all').trim();
  const scenarios: 'all' | string[] =
    scenariosText === 'all' ? 'all' : scenariosText === 'none' || scenariosText === '' ? [] : scenariosText.split(',').map((s) => s.trim()).filter(Boolean);
  const latency = v.latency === undefined ? undefined : parseLatency(v.latency);
  const duplicateRate = rate(v['duplicate-rate'], 'duplicate-rate');
  const faultRate = rate(v['fault-rate'], 'fault-rate') ?? 0;
  const clock = systemClock;
  const sourceOptions: Parameters<typeof createContentSource>[0] = {
    seed,
    days: int(v.days, 'days', 7, 1),
    users: int(v.users, 'users', 100, 1),
    tenants: int(v.tenants, 'tenants', 1, 1),
    scenarios,
    live: !v['no-live'],
    startTime: clock.now(),
    ...(latency !== undefined ? { latency } : {}),
    ...(duplicateRate !== undefined ? { duplicateRate } : {}),
  };
  const tlsNames = v['tls-names'] === undefined ? [] : v['tls-names'].split(',').map((n) => n.trim()).filter(Boolean);
  if (v['tls-names'] !== undefined && tlsNames.length === 0) throw new AppError('usage', '--tls-names needs at least one name, e.g. --tls-names manage.office.com,login.microsoftonline.com.');
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) throw new AppError('usage', '--tls-cert and --tls-key go together: give both PEM files.');
  if (v['tls-cert'] !== undefined && tlsNames.length > 0) throw new AppError('usage', '--tls-names names the generated certificate; with --tls-cert the names are those of your certificate, so drop --tls-names.');
  const tlsCertificate = v['tls-cert'] === undefined ? undefined : { certPem: readPem(v['tls-cert'], '--tls-cert'), keyPem: readPem(v['tls-key']!, '--tls-key') };
  const source = (io.makeSource ?? createContentSource)(sourceOptions);
  const emulator = await startEmulator({
    source,
    clock,
    port,
    host: v.host ?? '127.0.0.1',
    tls: v.tls,
    tlsNames,
    ...(tlsCertificate ? { tlsCertificate } : {}),
    trustForwarded: v['trust-forwarded'] ?? false,
    pageSize: int(v['page-size'], 'page-size', 200, 1),
    throttlePerMinute: int(v.throttle, 'throttle', 2000),
    faults: { rate500: faultRate / 3, rate503: faultRate / 3, rateAf50000: faultRate / 3 },
    seed,
    logger: createLogger({ level: 'warn' }),
  });
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(v.host ?? '127.0.0.1')) {
    process.stderr.write(`auditwatch emulator: listening on ${v.host}, beyond this machine; /_emulator/ has no authentication and hands out the simulated tenants' keys.\n`);
  }
  let caFile: string | null = null;
  let caDir: string | null = null;
  if (emulator.caPem) {
    caDir = mkdtempSync(join(tmpdir(), 'auditwatch-emulator-'));
    caFile = join(caDir, 'emulator-ca.pem');
    writeFileSync(caFile, emulator.caPem, { mode: 0o644 });
  }
  if (v.json) {
    const line: Record<string, unknown> = {
      url: emulator.url,
      tenants: emulator.tenants.map((t) => ({ tenantId: t.tenantId, clientId: t.clientId, clientSecret: t.clientSecret })),
    };
    if (caFile) line.caFile = caFile;
    io.write(`${JSON.stringify(line)}\n`);
  } else {
    io.write(describe(emulator, caFile, seed));
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  if (caDir) rmSync(caDir, { recursive: true, force: true });
  if (!v.json) io.write('The emulator stopped.\n');
  return 0;
}

function readPem(path: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('usage', `Cannot read ${option} ${path.slice(0, 200)} (${(err as NodeJS.ErrnoException).code ?? 'error'}); give a readable PEM file.`);
  }
  if (!text.includes('-----BEGIN ')) throw new AppError('usage', `${option} ${path.slice(0, 200)} is not a PEM file; give the certificate or key in PEM form.`);
  return text;
}

type Latency = NonNullable<Parameters<typeof createContentSource>[0]['latency']>;

/** --latency: "production" (the default), one duration ("0s" = every blob at once) or a range "MIN..MAX". */
function parseLatency(text: string): Latency {
  const t = text.trim();
  if (t === 'production') return { kind: 'production' };
  const range = t.split('..');
  if (range.length === 2) return { kind: 'uniform', minMs: parseDuration(range[0]!, 'latency'), maxMs: parseDuration(range[1]!, 'latency') };
  return { kind: 'fixed', ms: parseDuration(t, 'latency') };
}

function describe(em: RunningEmulator, caFile: string | null, seed: number | string): string {
  const lines = [
    `auditwatch emulator listening on ${em.url} (seed ${seed}, ${em.tenants.length} tenant${em.tenants.length === 1 ? '' : 's'})`,
    "The credentials below are the emulator's own, made up for its simulated tenants; they are not real secrets.",
    '',
  ];
  for (const t of em.tenants) {
    lines.push(`Tenant ${t.domain}`, `  tenant id:     ${t.tenantId}`, `  client id:     ${t.clientId}`, `  client secret: ${t.clientSecret}`, '');
  }
  const t = em.tenants[0]!;
  const curl = caFile ? `curl -s --cacert ${caFile}` : 'curl -s';
  const feed = `${em.url}/api/v1.0/${t.tenantId}/activity/feed`;
  lines.push(
    'Try it:',
    `  TOKEN=$(${curl} ${em.url}/${t.tenantId}/oauth2/v2.0/token -d grant_type=client_credentials -d client_id=${t.clientId} --data-urlencode 'client_secret=${t.clientSecret}' --data-urlencode scope=https://manage.office.com/.default | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  ${curl} -X POST -H "Authorization: Bearer $TOKEN" "${feed}/subscriptions/start?contentType=Audit.AzureActiveDirectory&PublisherIdentifier=${t.tenantId}"`,
    `  ${curl} -H "Authorization: Bearer $TOKEN" "${feed}/subscriptions/content?contentType=Audit.AzureActiveDirectory&PublisherIdentifier=${t.tenantId}"`,
    `  ${curl} -H "Authorization: Bearer $TOKEN" "<a contentUri from the listing>?PublisherIdentifier=${t.tenantId}"`,
    '',
    `Control surface (no auth): ${em.url}/_emulator/ground-truth, /_emulator/stats, /_emulator/tenants, /_emulator/scenarios`,
  );
  if (caFile) lines.push(`CA to trust for HTTPS: ${caFile} (e.g. NODE_EXTRA_CA_CERTS=${caFile}, curl --cacert ${caFile})`);
  else if (em.url.startsWith('https:')) lines.push('HTTPS with your certificate (--tls-cert): clients trust the CA that issued it.');
  lines.push('Press Ctrl+C to stop.', '');
  return lines.join('\n');
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const stop = stopOnSignals();
  try {
    return await serve(args, { write: (text) => process.stdout.write(text), signal: stop.signal });
  } finally {
    stop.dispose();
  }
}
