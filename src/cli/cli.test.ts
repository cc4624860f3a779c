// End-to-end tests of the CLI against the emulator over real HTTP and a real DuckDB file: init (example
// and --emulator), validate, collect --once, status, query, import (NDJSON, JSON array, Purview CSV),
// the daemon (status, query, report and import through its HTTP API, /metrics), and the failures a user meets
// (wrong secret, missing permission, wrong tenant id, unreachable host): one line naming the fix, a
// non-zero exit, and the secret nowhere in the output.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger, systemClock } from '../core/index.js';
import { loadConfig } from '../service/index.js';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { openDuckDbStore, openStore } from '../store/index.js';
import { runDaemon } from '../service/daemon.js';
import { computeStatus } from '../service/status-report.js';
import { endpointFile, readEndpoint } from '../server/index.js';
import { createTestSource } from './fixture-source.testing.js';
import { entryPath, runCli } from './cli.testing.js';

const root = mkdtempSync(join(tmpdir(), 'aw-cli-'));
const source = createTestSource({ tenants: 2 });
let emu: RunningEmulator;
const cfg = join(root, 'emu', 'auditwatch.yaml');
const store = join(root, 'emu', 'data', 'auditwatch.duckdb');
const QUERY_COLUMNS = ['id', 'tenant_id', 'creation_time', 'record_type', 'operation', 'workload', 'user_id', 'client_ip', 'result_status', 'object_id'];

before(async () => {
  // Unthrottled: the tests below make several first passes (7 days of listings each) within a minute.
  emu = await startEmulator({ source, throttlePerMinute: 0 });
});
after(async () => {
  await emu?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function secretsOf(e: RunningEmulator): string[] {
  return e.tenants.map((t) => t.clientSecret);
}

function assertNoSecret(text: string, secrets: string[]): void {
  for (const s of secrets) assert.ok(!text.includes(s), 'a client secret appeared in the output');
}

describe('auditwatch init and validate', () => {
  it('writes a commented example that validates once its secret is set, and refuses to overwrite', async () => {
    const file = join(root, 'example', 'auditwatch.yaml');
    const r = await runCli(['init', '--config', file]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /# .*default 5m/);
    const missing = await runCli(['validate', '--config', file]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /auditwatch\.yaml:\d+: tenants\[0\]\.clientSecret names the environment variable AUDITWATCH_CONTOSO_SECRET, which is not set/);
    process.env.AUDITWATCH_CONTOSO_SECRET = 'example-secret-value';
    try {
      const ok = await runCli(['validate', '--config', file]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^config OK/);
      assertNoSecret(ok.stdout + ok.stderr, ['example-secret-value']);
    } finally {
      delete process.env.AUDITWATCH_CONTOSO_SECRET;
    }
    const again = await runCli(['init', '--config', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; pass --force to overwrite it/);
    assert.equal((await runCli(['init', '--config', file, '--force'])).code, 0);
  });

  it('init --emulator writes a config for the emulator\'s tenants with secrets in 0600 files', async () => {
    const r = await runCli(['init', '--config', cfg, '--emulator', emu.url]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(cfg, 'utf8');
    for (const t of emu.tenants) assert.ok(text.includes(t.tenantId) && text.includes(t.clientId));
    assertNoSecret(text + r.stdout + r.stderr, secretsOf(emu));
    const files = readdirSync(join(root, 'emu', 'auditwatch.secrets'));
    assert.equal(files.length, emu.tenants.length);
    for (const f of files) assert.equal(statSync(join(root, 'emu', 'auditwatch.secrets', f)).mode & 0o777, 0o600);
    // The daemon test below needs a free port; the blobs are all from the last two hours.
    writeFileSync(cfg, text.replace('listen: 127.0.0.1:9464', 'listen: 127.0.0.1:0').replace('initialLookback: 7d', 'initialLookback: 3h'));
    const v = await runCli(['validate', '--config', cfg]);
    assert.equal(v.code, 0, v.stderr);
  });
});

describe('collect, status, query, import', () => {
  it('collect --once stores every unique record of every tenant × type', async () => {
    const r = await runCli(['collect', '--once', '--config', cfg]);
    assertNoSecret(r.stdout + r.stderr, secretsOf(emu));
    assert.equal(r.code, 0, r.stderr);
    const unique = source.uniqueIds().size;
    assert.match(r.stdout, new RegExp(`collect: ${unique} new records from 40 blobs \\(30 duplicates`));
  });

  it('backfill --since re-lists the past, stores nothing twice and reports progress on stderr', async () => {
    const tooFar = await runCli(['backfill', '--config', cfg, '--since', '8d']);
    assert.equal(tooFar.code, 2);
    assert.match(tooFar.stderr, /beyond the API's 7 days; use --since 7d, and "auditwatch import" a Purview export/);
    const r = await runCli(['backfill', '--config', cfg, '--since', '1d']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^backfill: 0 new records from 0 blobs/, "blobs in the ledger are not fetched again");
    // stderr is not a TTY here: plain lines, the last one the final count with records/s.
    const progress = r.stderr.split('\n').filter((l) => /records\/s/.test(l));
    assert.ok(progress.length >= 1, r.stderr);
    assert.match(progress.at(-1)!, /^\[#{20}\] 100% 0 records, 0 blobs, \d+ records\/s$/);
  });

  it('query --format json returns one object per row with the documented columns', async () => {
    const r = await runCli(['query', '--config', cfg, '--format', 'json', `SELECT ${QUERY_COLUMNS.join(', ')} FROM events ORDER BY id`]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, source.uniqueIds().size);
    assert.deepEqual(Object.keys(rows[0]!), QUERY_COLUMNS);
    assert.deepEqual(new Set(rows.map((x) => x.id)), source.uniqueIds());
    const refused = await runCli(['query', '--config', cfg, 'DELETE FROM events']);
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  });

  it('status shows every tenant × content type', async () => {
    const r = await runCli(['status', '--config', cfg, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { source: string; entries: { tenantId: string; contentType: string; records: number; cursor: string | null; subscription: string }[] };
    assert.equal(report.source, 'store');
    assert.equal(report.entries.length, emu.tenants.length * 5);
    for (const e of report.entries) {
      assert.equal(e.records, 12, `${e.tenantId} ${e.contentType}`);
      assert.ok(e.cursor, 'a cursor after a pass');
    }
    const table = await runCli(['status', '--config', cfg]);
    assert.equal(table.code, 0);
    for (const name of ['contoso-1', 'contoso-2']) assert.ok(table.stdout.includes(name), table.stdout);
    assert.ok(table.stdout.includes('DLP.All') && table.stdout.includes('Audit.AzureActiveDirectory'));
  });

  it('import adds NDJSON, JSON array and Purview CSV records once, and collected ones never', async () => {
    const tenantId = emu.tenants[0]!.tenantId;
    const rec = (n: number) => ({
      CreationTime: '2026-01-02T03:04:05',
      Id: `0000000${n}-1111-4222-8333-444455556666`,
      Operation: 'FileDownloaded',
      OrganizationId: tenantId,
      RecordType: 6,
      UserKey: 'k',
      UserType: 0,
      Workload: 'SharePoint',
      UserId: 'old@contoso.com',
      ClientIP: '198.51.100.1',
    });
    const collected = (await runCli(['query', '--config', cfg, '--format', 'json', 'SELECT raw FROM events LIMIT 1'])).stdout;
    const collectedRecord = JSON.parse(JSON.parse(collected.split('\n')[0]!).raw as string) as unknown;
    const nd = join(root, 'a.ndjson');
    writeFileSync(nd, `${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\nnot json\n`);
    const arr = join(root, 'b.json');
    writeFileSync(arr, JSON.stringify([rec(3), collectedRecord]));
    const csvFile = join(root, 'c.csv');
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(csvFile, `CreationDate,UserIds,Operations,AuditData\r\n2026-01-02T03:04:05,old@contoso.com,FileDownloaded,${q(JSON.stringify(rec(4)))}\r\n`);
    const first = await runCli(['import', '--config', cfg, nd, arr, csvFile]);
    assert.equal(first.code, 3, 'exit 3: done, with rejections');
    assert.match(first.stdout, /a\.ndjson: 3 read, 2 inserted, 0 duplicates, 1 rejected/);
    assert.match(first.stdout, /rejected: .*a\.ndjson: line 3: not valid JSON/);
    assert.match(first.stdout, /b\.json: 2 read, 1 inserted, 1 duplicates, 0 rejected/);
    assert.match(first.stdout, /c\.csv: 1 read, 1 inserted, 0 duplicates, 0 rejected/);
    const second = await runCli(['import', '--config', cfg, nd, arr, csvFile]);
    assert.match(second.stdout, /total: 6 read, 0 inserted, 5 duplicates, 1 rejected/);
    const count = await runCli(['query', '--config', cfg, '--format', 'csv', "SELECT count(*) AS n FROM events WHERE user_id = 'old@contoso.com'"]);
    assert.match(count.stdout, /"n"\r\n"4"\r\n/);
  });

  it('import - reads stdin, and --tenant names the tenant of records without OrganizationId', async () => {
    const record = { CreationTime: '2026-01-03T00:00:00', Id: '99999999-1111-4222-8333-444455556666', Operation: 'FileDeleted', RecordType: 6, UserKey: 'k', UserType: 0, Workload: 'SharePoint', UserId: 'stdin@contoso.com' };
    const child = spawn(process.execPath, [...process.execArgv, entryPath(), 'import', '--config', cfg, '--tenant', 'contoso-2', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdin!.end(`${JSON.stringify(record)}\n`);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, err);
    assert.match(out, /^stdin: 1 read, 1 inserted, 0 duplicates, 0 rejected/);
    const q = await runCli(['query', '--config', cfg, '--format', 'json', "SELECT tenant_id, source_id FROM events WHERE user_id = 'stdin@contoso.com'"]);
    assert.deepEqual(JSON.parse(q.stdout), { tenant_id: emu.tenants[1]!.tenantId, source_id: 'import:stdin' });
  });

  it('status warns about content that expired before it was collected', async () => {
    const s = await openDuckDbStore({ path: store });
    const t = emu.tenants[1]!.tenantId;
    await s.recordGap({ tenantId: t, contentType: 'Audit.Exchange', contentId: 'expired-blob-1', windowStart: Date.now() - 8 * 86_400_000, windowEnd: Date.now() - 8 * 86_400_000 + 3_600_000, code: 'AF20051', reason: 'expired', detectedAt: Date.now() });
    await s.close();
    const r = await runCli(['status', '--config', cfg]);
    assert.match(r.stdout, /warning: contoso-2 Audit\.Exchange: 1 blob\(s\) expired before they were collected/);
    // Eight hours later with no new blob, every type is silent for longer than usual.
    const s2 = await openDuckDbStore({ path: store });
    try {
      const later = await computeStatus(s2, loadConfig(cfg, { readSecrets: false }).tenants, Date.now() + 8 * 3_600_000);
      assert.equal(later.entries.length, 10);
      for (const e of later.entries) assert.ok(e.warnings.some((w) => w.startsWith('silent for 8h')), JSON.stringify(e.warnings));
    } finally {
      await s2.close();
    }
  });
});

describe('the collect daemon', () => {
  it('answers status and query for other commands, serves /metrics, and stops on SIGTERM', { timeout: 120_000 }, async () => {
    const child: ChildProcess = spawn(process.execPath, [...process.execArgv, entryPath(), 'collect', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 600 && !readEndpoint(store)?.url; i++) await new Promise((r) => setTimeout(r, 50));
      const ep = readEndpoint(store);
      assert.ok(ep, `the daemon wrote ${endpointFile(store)}; logs: ${logs}`);
      assert.equal(statSync(endpointFile(store)).mode & 0o777, 0o600);
      const status = await runCli(['status', '--config', cfg, '--format', 'json']);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stderr, /held by the collect daemon \(pid \d+\); asking it/);
      const report = JSON.parse(status.stdout) as { source: string; entries: unknown[] };
      assert.equal(report.source, 'daemon');
      assert.equal(report.entries.length, 10);
      const q = await runCli(['query', '--config', cfg, '--format', 'json', 'SELECT count(*) AS n FROM events']);
      assert.equal(q.code, 0, q.stderr);
      assert.match(q.stderr, /asking it/);
      assert.ok(Number(JSON.parse(q.stdout).n) >= source.uniqueIds().size);
      // Commands that work on the store run inside the daemon that holds it.
      const alerts = await runCli(['alerts', 'list', '--config', cfg, '--format', 'json']);
      assert.equal(alerts.code, 0, alerts.stderr);
      assert.match(alerts.stderr, /held by the collect daemon \(pid \d+\); running the command there/);
      const rep = await runCli(['report', 'collection-completeness', '--config', cfg, '--format', 'json', '--from', '7d']);
      assert.equal(rep.code, 0, rep.stderr);
      assert.match(rep.stderr, /running the command there/);
      assert.ok(rep.stdout.startsWith('{'), `the report as JSON: ${rep.stdout.slice(0, 300)} ${rep.stderr.slice(0, 300)}`);
      const doc = JSON.parse(rep.stdout) as { report: string; sections: { id: string; rows: { records: number }[] }[] };
      assert.equal(doc.report, 'collection-completeness');
      const total = doc.sections.find((x) => x.id === 'summary')!.rows.reduce((n, r) => n + Number(r.records), 0);
      assert.equal(total, source.uniqueIds().size, 'the report ran on the daemon\'s store');
      // An import runs there too: the daemon reads the file (its relative path made absolute), stdin cannot go.
      const file = join(root, 'while-daemon.ndjson');
      const record = { CreationTime: '2026-01-04T00:00:00', Id: '77777777-1111-4222-8333-444455556666', Operation: 'FileDeleted', RecordType: 6, UserKey: 'k', UserType: 0, Workload: 'SharePoint', UserId: 'daemon-import@contoso.com' };
      writeFileSync(file, `${JSON.stringify(record)}\n`);
      const imported = await runCli(['import', '--config', cfg, '--tenant', 'contoso-2', relative(process.cwd(), file)]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stderr, /held by the collect daemon \(pid \d+\); running the command there/);
      assert.match(imported.stdout, /while-daemon\.ndjson: 1 read, 1 inserted, 0 duplicates, 0 rejected/);
      const again = await runCli(['import', '--config', cfg, '--tenant', 'contoso-2', file]);
      assert.match(again.stdout, /1 read, 0 inserted, 1 duplicates/);
      const seen = await runCli(['query', '--config', cfg, '--format', 'json', "SELECT tenant_id FROM events WHERE user_id = 'daemon-import@contoso.com'"]);
      assert.deepEqual(JSON.parse(seen.stdout), { tenant_id: emu.tenants[1]!.tenantId });
      const piped = await runCli(['import', '--config', cfg, '-']);
      assert.equal(piped.code, 1);
      assert.match(piped.stderr, /cannot read this stdin; save it to a file/);
      const missing = await runCli(['alerts', 'ack', 'no-such-alert', '--config', cfg]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^auditwatch alerts: .*no-such-alert/m);
      let metrics = '';
      for (let i = 0; i < 200 && !/auditwatch_api_requests_total\{/.test(metrics); i++) {
        metrics = await (await fetch(`${ep.url}/metrics`)).text();
        if (!/auditwatch_api_requests_total\{/.test(metrics)) await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(metrics, /auditwatch_api_requests_total\{[^}]*status="200"[^}]*\} \d+/);
      assert.match(metrics, /process_cpu_user_seconds_total/);
    } finally {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 0, logs);
    assert.ok(!existsSync(endpointFile(store)), 'the endpoint file is removed on exit');
    assertNoSecret(logs, secretsOf(emu));
  });
});

describe('daemon plug-ins', () => {
  it('get every committed batch and every pass, in order, and are closed at shutdown', async () => {
    const config = loadConfig(cfg);
    config.store.path = join(root, 'plugins', 'store.duckdb');
    config.collect.listen = null;
    const s = await openStore({ engine: 'duckdb', path: config.store.path });
    const events: string[] = [];
    const controller = new AbortController();
    try {
      await runDaemon({
        config,
        store: s,
        logger: silentLogger,
        clock: systemClock,
        signal: controller.signal,
        plugins: [
          (ctx) => {
            assert.equal(ctx.store, s);
            return {
              name: 'probe',
              afterCommit: (b) => {
                events.push(`commit ${b.tenantId} ${b.contentType} ${b.inserted}`);
              },
              afterPass: (p) => {
                events.push(`pass ${p.records}`);
                controller.abort();
              },
              close: async () => {
                events.push('close');
              },
            };
          },
        ],
      });
    } finally {
      await s.close();
    }
    const commits = events.filter((e) => e.startsWith('commit'));
    const inserted = commits.reduce((n, e) => n + Number(e.split(' ').at(-1)), 0);
    assert.equal(inserted, source.uniqueIds().size, 'every record was announced in a commit');
    assert.deepEqual(events.slice(commits.length), [`pass ${source.uniqueIds().size}`, 'close']);
  });
});

describe('graceful shutdown', () => {
  it('a daemon backing off from throttling stops when told to', { timeout: 60_000 }, async () => {
    const throttled = await startEmulator({ source: createTestSource({ tenants: 1 }), throttlePerMinute: 20 });
    try {
      const file = join(root, 'throttled', 'auditwatch.yaml');
      assert.equal((await runCli(['init', '--config', file, '--emulator', throttled.url])).code, 0);
      const config = loadConfig(file);
      config.collect.listen = null;
      const s = await openStore({ engine: 'duckdb', path: config.store.path });
      const controller = new AbortController();
      let passes = 0;
      try {
        const done = runDaemon({ config, store: s, logger: silentLogger, clock: systemClock, signal: controller.signal, plugins: [() => ({ name: 'count', afterPass: () => void passes++ })] });
        // 20 requests a minute cannot list a week: the first pass is throttled and backing off by now.
        while (Object.keys(throttled.control.stats().throttled).length === 0) await new Promise((r) => setTimeout(r, 50));
        controller.abort();
        await done;
      } finally {
        await s.close();
      }
      assert.equal(passes, 0, 'the interrupted pass is not reported as a pass');
    } finally {
      await throttled.close();
    }
  });
});

describe('failures give one line naming the fix', () => {
  let bad: RunningEmulator;
  before(async () => {
    bad = await startEmulator({ source: createTestSource({ tenants: 1, roles: () => [] }) });
  });
  after(async () => bad?.close());

  const edit = (file: string, fn: (text: string) => string) => writeFileSync(file, fn(readFileSync(file, 'utf8')));
  const runFailing = async (name: string, emulator: () => RunningEmulator, prepare: (file: string) => void) => {
    const file = join(root, name, 'auditwatch.yaml');
    assert.equal((await runCli(['init', '--config', file, '--emulator', emulator().url])).code, 0);
    edit(file, (t) => t.replace('initialLookback: 7d', 'initialLookback: 3h'));
    prepare(file);
    const r = await runCli(['collect', '--once', '--config', file]);
    assertNoSecret(r.stdout + r.stderr, [...secretsOf(emu), ...secretsOf(bad), 'wrong-secret-value-123']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('auditwatch collect:'));
    assert.equal(lines.length, 1, r.stderr);
    return lines[0]!;
  };

  it('a wrong secret', async () => {
    const line = await runFailing('wrong-secret', () => emu, (file) => {
      writeFileSync(join(file, '..', 'auditwatch.secrets', 'contoso-1.secret'), 'wrong-secret-value-123\n', { mode: 0o600 });
    });
    assert.match(line, /^auditwatch collect: tenant contoso-1: The client secret of app .* is wrong or expired: create a new one in Entra ID/);
    // The daemon is not running: status reads the error the pass saved in the store.
    const file = join(root, 'wrong-secret', 'auditwatch.yaml');
    const status = await runCli(['status', '--config', file, '--format', 'json']);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { source: string; entries: { tenant: string; lastError: { message: string } | null; warnings: string[] }[] };
    assert.equal(report.source, 'store');
    const failed = report.entries.filter((e) => e.tenant === 'contoso-1');
    assert.ok(failed.length > 0);
    for (const e of failed) {
      assert.match(e.lastError?.message ?? '', /client secret .* wrong or expired/);
      assert.ok(e.warnings.some((w) => /^last error \(.*\): The client secret/.test(w)), e.warnings.join('\n'));
    }
    assert.ok(report.entries.filter((e) => e.tenant !== 'contoso-1').every((e) => e.lastError === null), 'the other tenant collected fine');
    const table = await runCli(['status', '--config', file]);
    assert.match(table.stdout, /warning: contoso-1 Audit\.\S+: last error .*client secret/);
    assertNoSecret(status.stdout + table.stdout, ['wrong-secret-value-123']);
  });

  it('a missing permission', async () => {
    const line = await runFailing('no-permission', () => bad, () => {});
    assert.match(line, /^auditwatch collect: tenant contoso-1: .*ActivityFeed\.Read/);
  });

  it('a wrong tenant id', async () => {
    const line = await runFailing('wrong-tenant', () => emu, (file) =>
      edit(file, (t) => t.replace(`tenantId: ${emu.tenants[1]!.tenantId}`, 'tenantId: 12345678-90ab-4cde-8f01-234567890abc')),
    );
    assert.match(line, /^auditwatch collect: tenant contoso-2: .*(tenant|tenantId)/);
    assert.match(line, /check the tenantId|set tenantId/);
  });

  it('an unreachable host', async () => {
    const port = await closedPort();
    const line = await runFailing('unreachable', () => bad, (file) =>
      edit(file, (t) => t.split(JSON.stringify(bad.url)).join(`"http://127.0.0.1:${port}"`)),
    );
    assert.match(line, new RegExp(`^auditwatch collect: tenant contoso-1: Cannot connect to 127\\.0\\.0\\.1:${port} .*ECONNREFUSED.*check`));
  });

  it('a config mistake, with its line', async () => {
    const file = join(root, 'broken.yaml');
    writeFileSync(file, `tenants:\n  - name: x\n    tenantId: nope\n    clientId: ${emu.tenants[0]!.clientId}\n    clientSecret: { env: AW_NOT_READ }\n`);
    const r = await runCli(['collect', '--once', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.yaml:3: tenants\[0\]\.tenantId must be a GUID/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
