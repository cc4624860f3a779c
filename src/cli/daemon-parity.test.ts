// The CLI gives the same answers whether it opens the store itself or the collect daemon holds it and
// the command runs there through the HTTP API (issue 12's must-show): alerts list and ack, report,
// detect, import and status on two copies of one store, one of them held by a real daemon process.
// A warning raised inside the daemon (a broken user rule) reaches the CLI's stderr, and the same
// operations answer `curl` on /api/v1 with the token, 401 without it, 403 with a foreign Host header.

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { systemClock } from '../core/index.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { readEndpoint } from '../server/index.js';
import { writeDemoConfig } from './demo-steps.js';
import { entryPath, runCli, type CliResult } from './cli.testing.js';

const exec = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'aw-parity-'));
let emu: RunningEmulator;

before(async () => {
  const source = createContentSource({
    seed: 'daemon-parity', days: 1, users: 12, tenants: 1, scenarios: ['brute-force', 'mailbox-fullaccess-self-grant'],
    latency: { kind: 'fixed', ms: 0 }, live: false, startTime: systemClock.now(),
  });
  emu = await startEmulator({ source, throttlePerMinute: 0 });
});
after(async () => {
  await emu?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A config in `dir` on the emulator, with a user rule folder holding one broken rule. */
function configIn(dir: string, listen: string): string {
  const file = writeDemoConfig(dir, emu.url, emu.tenants, 'http://127.0.0.1:9/unused');
  const rules = join(dir, 'rules');
  mkdirSync(rules, { recursive: true });
  writeFileSync(join(rules, 'broken.yml'), 'title: Broken\nid: 5c3c9a53-0000-4000-8000-00000000b0b0\nlogsource: {product: m365}\ndetection:\n  sel: {Operation: X}\n  condition: missing\n');
  const text = readFileSync(file, 'utf8')
    .replace('  interval: 30s', '  interval: 1h\n  initialLookback: 2d')
    .replace('  listen: false', `  listen: ${listen}`)
    .replace(/^alerts:\n[\s\S]*?(?=^reports:)/m, '')
    .replace(/^detect:\n/m, `detect:\n  ruleDirs: [${JSON.stringify(rules)}]\n`);
  writeFileSync(file, text.includes('ruleDirs') ? text : `${text}\ndetect:\n  ruleDirs: [${JSON.stringify(rules)}]\n`);
  return file;
}

/**
 * The output that must not differ: stdout, and stderr without the line that says the daemon is used and
 * without log lines (the daemon logs to its own), each store's folder written as DIR.
 */
const same = (r: CliResult) => {
  const text = (t: string) => t.replaceAll(join(root, 'local'), 'DIR').replaceAll(join(root, 'held'), 'DIR');
  const stderr = r.stderr.split('\n').filter((l) => !/held by the collect daemon/.test(l) && !l.startsWith('{"time"'));
  return { code: r.code, stdout: text(r.stdout), stderr: text(stderr.join('\n')) };
};

test('alerts, report, detect, import and status answer the same with and without the daemon, and on /api/v1', { timeout: 240_000 }, async () => {
  const local = configIn(join(root, 'local'), 'false');
  const held = configIn(join(root, 'held'), '"127.0.0.1:0"');
  const prime = await runCli(['collect', '--once', '--config', local]);
  assert.equal(prime.code, 0, prime.stderr);
  assert.match(prime.stdout, /^collect: [1-9]\d* new records/m);
  // The same store for both: the daemon's copy then starts with nothing new to collect.
  copyFileSync(join(root, 'local', 'auditwatch.duckdb'), join(root, 'held', 'auditwatch.duckdb'));

  const daemon: ChildProcess = spawn(process.execPath, [...process.execArgv, entryPath(), 'collect', '--config', held], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  daemon.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  daemon.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => daemon.on('exit', (code) => resolve(code)));
  try {
    const storeOf = (cfg: string) => join(cfg, '..', 'auditwatch.duckdb');
    for (let i = 0; i < 600 && !readEndpoint(storeOf(held))?.url; i++) await new Promise((r) => setTimeout(r, 50));
    // Its first pass finds nothing new; wait for it so that the stores stay equal.
    for (let i = 0; i < 600 && !/Collection pass finished/.test(logs); i++) await new Promise((r) => setTimeout(r, 50));
    const ep = readEndpoint(storeOf(held));
    assert.ok(ep, `the daemon serves its API; logs: ${logs}`);

    const both = async (args: string[], stdin = ''): Promise<[CliResult, CliResult]> => {
      const a = await runCli([...args, '--config', local], stdin);
      const b = await runCli([...args, '--config', held], stdin);
      return [a, b];
    };
    const from = new Date(systemClock.now() - 2 * 86_400_000).toISOString();
    const to = new Date(systemClock.now() + 3_600_000).toISOString();

    const [dl, dh] = await both(['detect', '--from', from, '--to', to, '--format', 'json']);
    assert.equal(dl.code, 0, dl.stderr);
    assert.match(dh.stderr, /held by the collect daemon \(pid \d+\); running the command there/);
    assert.deepEqual(same(dh), same(dl));
    assert.match(dh.stderr, /warning: .*broken\.yml:\d+/, 'the broken rule, reported inside the daemon, reaches the CLI');
    // collect --once detected already: the evidence raised its alerts then, so detect reports nothing new.
    assert.equal(dl.stdout, '');

    const [ll, lh] = await both(['alerts', 'list', '--format', 'json']);
    assert.equal(ll.code, 0, ll.stderr);
    const ids = (r: CliResult) => r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id).sort();
    assert.deepEqual(ids(lh), ids(ll));
    assert.ok(ids(ll).length >= 2);

    const first = ids(ll)[0]!;
    const [al, ah] = await both(['alerts', 'ack', first]);
    assert.equal(al.code, 0, al.stderr);
    assert.deepEqual(same(ah), same(al));

    const [rl, rh] = await both(['report', 'failed-signins', '--from', from, '--to', to, '--format', 'json']);
    assert.equal(rl.code, 0, rl.stderr);
    const body = (r: CliResult) => ({ ...(JSON.parse(r.stdout) as Record<string, unknown>), generatedAt: null });
    assert.deepEqual(body(rh), body(rl));

    const file = join(root, 'extra.ndjson');
    writeFileSync(file, `${JSON.stringify({ CreationTime: '2026-01-04T00:00:00', Id: '77777777-1111-4222-8333-444455556666', Operation: 'FileDeleted', RecordType: 6, UserKey: 'k', UserType: 0, Workload: 'SharePoint', UserId: 'parity@contoso.com', OrganizationId: emu.tenants[0]!.tenantId })}\nnot json\n`);
    const [il, ih] = await both(['import', file]);
    assert.equal(il.code, 3, il.stderr);
    assert.deepEqual(same(ih), same(il));

    const [sl, sh] = await both(['status', '--format', 'json']);
    const entries = (r: CliResult) => (JSON.parse(r.stdout) as { entries: { tenant: string; contentType: string; records: number; deadLetters: number }[] }).entries.map((e) => [e.tenant, e.contentType, e.records, e.deadLetters]);
    assert.deepEqual(entries(sh), entries(sl));
    assert.equal((JSON.parse(sh.stdout) as { source: string }).source, 'daemon');

    // The same through curl: with the token, without it, and with a foreign Host header.
    const curl = async (path: string, ...extra: string[]) =>
      (await exec('curl', ['-s', '-w', '\n%{http_code}', ...extra, `${ep.url}${path}`])).stdout.split('\n');
    const withToken = await curl('/api/v1/alerts', '-H', `Authorization: Bearer ${ep.token}`);
    assert.equal(withToken.at(-1), '200');
    const listed = (JSON.parse(withToken.slice(0, -1).join('\n')) as { data: { id: string }[] }).data.map((a) => a.id).sort();
    assert.deepEqual(listed, ids(lh));
    const acked = await curl(`/api/v1/alerts/${first}`, '-H', `Authorization: Bearer ${ep.token}`);
    assert.match(acked.slice(0, -1).join('\n'), /"status":"acknowledged"/);
    const noToken = await curl('/api/v1/alerts');
    assert.equal(noToken.at(-1), '401');
    assert.match(noToken[0]!, /"code":"/);
    const foreign = await curl('/api/v1/alerts', '-H', `Authorization: Bearer ${ep.token}`, '-H', 'Host: evil.example');
    assert.equal(foreign.at(-1), '403');
  } finally {
    daemon.kill('SIGTERM');
  }
  const timer = setTimeout(() => daemon.kill('SIGKILL'), 30_000);
  assert.equal(await exited, 0, logs);
  clearTimeout(timer);
});
