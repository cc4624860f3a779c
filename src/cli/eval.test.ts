// `auditwatch eval` end to end: a 7-day emulated tenant with every scenario (16 users, records published
// a minute after their events) served over real HTTP, collected into a temporary DuckDB store, the
// built-in pack run over it, and the JSON report checked: every attack found, no alert on a benign
// look-alike, no alert on baseline activity.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../core/index.js';
import { createContentSource, startEmulator } from '../emulator/index.js';
import { runCli } from './testing.js';

interface Report {
  scenarios: { name: string; label: string; found: boolean; coverage: number; stored: number; records: number; rules: string[] }[];
  recall: number;
  precision: number;
  falsePositives: { rule: string; reason: string; scenario: string | null }[];
  alerts: number;
}

test('eval on a 7-day tenant with every scenario: recall 100 %, no alert on benign look-alikes or baseline', async () => {
  const start = Date.UTC(2026, 2, 9, 12, 0, 0);
  const source = createContentSource({ seed: 'eval-test', days: 7, users: 16, tenants: 1, scenarios: 'all', latency: { kind: 'fixed', ms: 60_000 }, live: false, startTime: start });
  const names = source.scenarioNames();
  const em = await startEmulator({ source, clock: new ManualClock(start), port: 0, throttlePerMinute: 0 });
  try {
    const res = await runCli(['eval', '--emulator', em.url, '--format', 'json']);
    const lines = res.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON object');
    const report = JSON.parse(lines[0]!) as Report;
    assert.deepEqual(Object.keys(report).slice(0, 3), ['scenarios', 'recall', 'falsePositives']);
    for (const s of report.scenarios) assert.deepEqual(Object.keys(s).slice(0, 3), ['name', 'label', 'found']);
    // Every scenario the emulator can inject was injected, and every record of it was collected.
    assert.deepEqual([...new Set(report.scenarios.map((s) => s.name))].sort(), [...names].sort());
    for (const s of report.scenarios) assert.equal(s.stored, s.records, `${s.name}: records collected`);
    const attacks = report.scenarios.filter((s) => s.label === 'attack');
    assert.ok(attacks.length >= 20);
    assert.deepEqual(attacks.filter((s) => !s.found).map((s) => s.name), [], 'attacks missed');
    assert.equal(report.recall, 1);
    const benign = report.scenarios.filter((s) => s.label === 'benign');
    assert.ok(benign.length >= 6);
    assert.deepEqual(benign.filter((s) => s.found).map((s) => s.name), [], 'alerts on benign look-alikes');
    assert.deepEqual(report.falsePositives, [], 'no false positive on benign look-alikes or baseline activity');
    // Most attacks are covered record for record (a consent's "Add service principal." is not an alert).
    assert.ok(attacks.filter((s) => s.coverage === 1).length >= attacks.length - 2);
    assert.equal(res.code, 0);
  } finally {
    await em.close();
  }
});

test('eval: option mistakes name the fix', async () => {
  const none = await runCli(['eval']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs --emulator URL/);
  const bad = await runCli(['eval', '--emulator', 'ftp://x']);
  assert.match(bad.stderr, /http:\/\/ or https:\/\//);
  const down = await runCli(['eval', '--emulator', 'http://127.0.0.1:9']);
  assert.match(down.stderr, /Cannot reach the emulator at http:\/\/127\.0\.0\.1:9/);
});

test('eval against a real-time emulator with a tight request quota: every published record is collected, the quota restored', async () => {
  // A real-time emulator (its clock is the host's) throttling at 60 requests a minute: skipped waits or
  // a throttled pass would leave records out; eval lifts the quota meanwhile and puts it back.
  const source = createContentSource({ seed: 'eval-realtime', days: 7, users: 16, tenants: 1, scenarios: 'all', latency: { kind: 'fixed', ms: 60_000 }, live: false, startTime: Date.now() });
  const em = await startEmulator({ source, port: 0, throttlePerMinute: 60 });
  try {
    const res = await runCli(['eval', '--emulator', em.url, '--format', 'json']);
    const report = JSON.parse(res.stdout.trim()) as Report & { collected: number; missing: Record<string, number> };
    assert.deepEqual(report.missing, {});
    const available = Object.values(em.control.groundTruth().available).flatMap((t) => Object.values(t).flatMap((ids) => ids));
    assert.equal(report.collected, new Set(available).size, 'every published record collected once');
    for (const s of report.scenarios) assert.equal(s.stored, s.records, `${s.name}: records collected`);
    assert.equal(report.recall, 1);
    const quota = (await (await fetch(`${em.url}/_emulator/throttle`, { method: 'POST', body: '{}' })).json()) as { perTenantPerMinute: number };
    assert.equal(quota.perTenantPerMinute, 60, 'the emulator\'s quota is back');
  } finally {
    await em.close();
  }
});

test('eval --config on a store that lacks the emulator\'s records warns and names the content types', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aw-eval-config-'));
  const start = Date.UTC(2026, 2, 9, 12, 0, 0);
  const source = createContentSource({ seed: 'eval-config', days: 1, users: 4, tenants: 1, scenarios: [], latency: { kind: 'fixed', ms: 60_000 }, live: false, startTime: start });
  const em = await startEmulator({ source, clock: new ManualClock(start), port: 0, throttlePerMinute: 0 });
  try {
    const config = join(dir, 'auditwatch.yaml');
    await writeFile(config, `store:\n  path: ${join(dir, 'store.duckdb')}\n`);
    const res = await runCli(['eval', '--emulator', em.url, '--config', config, '--format', 'json']);
    const report = JSON.parse(res.stdout.trim()) as { missing: Record<string, number> };
    assert.ok((report.missing['Audit.AzureActiveDirectory'] ?? 0) > 0, JSON.stringify(report.missing));
    assert.match(res.stderr, /warning: the store lacks records the emulator has published \(.*Audit\.AzureActiveDirectory \d+/);
  } finally {
    await em.close();
    await rm(dir, { recursive: true, force: true });
  }
});
