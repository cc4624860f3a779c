// Each tenant's request budget is visible while the collect daemon runs: a tenant whose quota is below
// the configured ceiling meets AF429, and `auditwatch status` (table and JSON) and the daemon's /metrics
// show its lowered rate and its throttled answers, beside an unthrottled tenant at its ceiling.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { readEndpoint } from '../server/index.js';
import { createTestSource } from './fixture-source.testing.js';
import { entryPath, runCli } from './cli.testing.js';

const root = mkdtempSync(join(tmpdir(), 'aw-budget-'));
let emu: RunningEmulator;

before(async () => {
  emu = await startEmulator({ source: createTestSource({ tenants: 2 }), throttlePerMinute: 0 });
});
after(async () => {
  await emu?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Entry {
  tenant: string;
  tenantId: string;
  budget: { perMinute: number; ceilingPerMinute: number; throttled: number } | null;
}

test('status (table and JSON) and /metrics show each tenant\'s request rate now and its AF429 count', { timeout: 90_000 }, async () => {
  const cfg = join(root, 'auditwatch.yaml');
  const store = join(root, 'data', 'auditwatch.duckdb');
  assert.equal((await runCli(['init', '--config', cfg, '--emulator', emu.url])).code, 0);
  const text = readFileSync(cfg, 'utf8');
  assert.match(text, /requestsPerMinute: 2000/);
  writeFileSync(cfg, text.replace('listen: 127.0.0.1:9464', 'listen: 127.0.0.1:0').replace('initialLookback: 7d', 'initialLookback: 3h').replace(/requestsPerMinute: 2000/, 'requestsPerMinute: 60'));
  const [throttled, steady] = [emu.tenants[0]!, emu.tenants[1]!];
  // The first tenant's quota is 8 a minute, under its budget's ceiling of 60: its first pass meets AF429.
  emu.control.setThrottle({ tenants: { [throttled.tenantId]: 8 } });

  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, entryPath(), 'collect', '--config', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 600 && !readEndpoint(store)?.url; i++) await new Promise((r) => setTimeout(r, 50));
    const ep = readEndpoint(store);
    assert.ok(ep, `the daemon is serving; logs: ${logs}`);
    let entries: Entry[] = [];
    const budgetOf = (id: string) => entries.find((e) => e.tenantId === id)?.budget ?? null;
    for (let i = 0; i < 300; i++) {
      const r = await runCli(['status', '--config', cfg, '--format', 'json']);
      assert.equal(r.code, 0, r.stderr);
      entries = (JSON.parse(r.stdout) as { entries: Entry[] }).entries;
      if ((budgetOf(throttled.tenantId)?.throttled ?? 0) > 0 && (emu.control.stats().byTenant[steady.tenantId] ?? 0) > 20) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const low = budgetOf(throttled.tenantId);
    const high = budgetOf(steady.tenantId);
    assert.ok(low && low.throttled > 0, `the throttled tenant's AF429 answers are counted: ${JSON.stringify(low)}; logs: ${logs.slice(-2000)}`);
    assert.ok(low.perMinute < 60 && low.perMinute >= 1, `its rate came down from the ceiling: ${low.perMinute}`);
    assert.equal(low.ceilingPerMinute, 60);
    assert.deepEqual(high, { perMinute: 60, ceilingPerMinute: 60, throttled: 0 }, 'the other tenant runs at its ceiling, never throttled');
    // Every content type of a tenant shares its budget.
    for (const e of entries) assert.deepEqual(e.budget?.ceilingPerMinute, 60);

    const table = await runCli(['status', '--config', cfg]);
    assert.equal(table.code, 0, table.stderr);
    const name = (id: string) => entries.find((e) => e.tenantId === id)!.tenant;
    assert.match(table.stdout, /request budget \(per tenant; halves on AF429, grows back while answers succeed\):/);
    const lowLine = table.stdout.split('\n').find((l) => l.startsWith(`  ${name(throttled.tenantId)}: `));
    assert.match(lowLine ?? '', /^ {2}\S+: (\d+) requests\/min now \(ceiling 60\), ([1-9]\d*) throttled \(AF429\)$/, table.stdout);
    assert.ok(Number(/: (\d+) requests/.exec(lowLine!)![1]) < 60);
    assert.ok(table.stdout.includes(`  ${name(steady.tenantId)}: 60 requests/min now (ceiling 60), 0 throttled (AF429)`), table.stdout);
    assert.equal(table.stdout.split('\n').filter((l) => / requests\/min now /.test(l)).length, 2, 'one line per tenant, not per content type');

    const metrics = await (await fetch(`${ep.url}/metrics`)).text();
    const value = (name: string, id: string) => Number(new RegExp(`^${name}\\{tenant="${id}"\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    assert.ok(value('auditwatch_api_throttled_total', throttled.tenantId) >= 1, metrics.slice(0, 3000));
    assert.ok(value('auditwatch_request_budget_per_minute', throttled.tenantId) < 60);
    assert.equal(value('auditwatch_request_budget_per_minute', steady.tenantId), 60);
    assert.ok(!new RegExp(`auditwatch_api_throttled_total\\{tenant="${steady.tenantId}"\\} [1-9]`).test(metrics), 'no AF429 counted for the other tenant');
  } finally {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  assert.equal(await exited, 0, logs.slice(-2000));
  clearTimeout(timer);
});
