// `collect --once` is one pass of the daemon (issue 15 item 4), as cron runs it: on a tenant with an
// attack it collects, detects, delivers every alert to a real webhook receiver and fires the report
// that is due; a second run collects nothing new and delivers nothing twice; a destination that is down
// fails the run with a line that says the delivery is left for the next run.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { systemClock } from '../core/index.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { openDuckDbStore } from '../store/index.js';
import { startWebhookReceiver, writeDemoConfig, type WebhookReceiver } from './demo-steps.js';
import { runCli } from './cli.testing.js';

const root = mkdtempSync(join(tmpdir(), 'aw-once-'));
let emu: RunningEmulator;
let rx: WebhookReceiver;

before(async () => {
  const source = createContentSource({
    seed: 'collect-once', days: 1, users: 12, tenants: 1, scenarios: ['brute-force'],
    latency: { kind: 'fixed', ms: 0 }, live: false, startTime: systemClock.now(),
  });
  emu = await startEmulator({ source, throttlePerMinute: 0 });
  rx = await startWebhookReceiver(join(root, 'webhook.log'));
});
after(async () => {
  await rx?.close();
  await emu?.close();
  rmSync(root, { recursive: true, force: true });
});

const stateOf = async (file: string) => {
  const store = await openDuckDbStore({ path: file, readOnly: true });
  try {
    const outbox = await store.state.outbox.list({ limit: 10_000 });
    return {
      reports: (await store.state.reportRuns.list()).filter((r) => r.status === 'done').length,
      alerts: (await store.state.alerts.list()).length,
      delivered: outbox.filter((r) => r.status === 'delivered').length,
      pending: outbox.filter((r) => r.status === 'pending').length,
    };
  } finally {
    await store.close();
  }
};

test('collect --once collects, detects, delivers the alerts and fires the due report; again, nothing twice', { timeout: 180_000 }, async () => {
  const dir = join(root, 'cron');
  const file = writeDemoConfig(dir, emu.url, emu.tenants, rx.url);
  // A schedule due every minute, delivered to the webhook too; the first pass looks back two days.
  appendFileSync(file, `  schedules:\n    - name: every-minute\n      report: mailbox-self-grants\n      cron: "* * * * *"\n      formats: [json]\n`);
  const config = readFileSync(file, 'utf8').replace('interval: 30s', 'interval: 30s\n  initialLookback: 2d');
  rmSync(file);
  appendFileSync(file, config);
  // The schedule was set up two minutes ago (its baseline), so a due time has passed since.
  const pre = await openDuckDbStore({ path: join(dir, 'auditwatch.duckdb') });
  await pre.migrate();
  await pre.state.reportRuns.claim({ schedule: 'every-minute', dueAt: systemClock.now() - 120_000, report: 'mailbox-self-grants', status: 'baseline', at: systemClock.now() - 120_000 });
  await pre.close();

  const first = await runCli(['collect', '--once', '--config', file]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^collect: [1-9]\d* new records/m);
  const state = await stateOf(join(dir, 'auditwatch.duckdb'));
  assert.ok(state.alerts > 0, 'the brute force was alerted');
  assert.equal(state.pending, 0, 'nothing left in the outbox');
  assert.ok(state.delivered >= state.alerts, 'every alert delivered by the same run');
  assert.equal(rx.received(), state.delivered, 'each delivery reached the receiver once');
  assert.ok(readdirSync(join(dir, 'reports', 'every-minute')).some((f) => f.endsWith('.json')), 'the due report was written');

  assert.ok(state.reports >= 1, 'the report run is recorded as done');
  const second = await runCli(['collect', '--once', '--config', file]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /^collect: 0 new records/m);
  assert.equal(rx.received(), state.delivered, 'nothing delivered twice');
  const again = await stateOf(join(dir, 'auditwatch.duckdb'));
  assert.deepEqual({ ...again, reports: 0 }, { ...state, reports: 0 }, 'no new alert, no delivery repeated');
});

test('collect --once with its destination down exits 1 and says the delivery waits for the next run', { timeout: 180_000 }, async () => {
  const dir = join(root, 'down');
  const file = writeDemoConfig(dir, emu.url, emu.tenants, 'http://127.0.0.1:9/hook');
  const r = await runCli(['collect', '--once', '--config', file]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^collect: [1-9]\d* new records/m);
  assert.match(r.stderr, /auditwatch collect: detect\+alerts: [1-9]\d* alert deliveries to demo-webhook are not done yet .*the next run or the daemon delivers them/);
});
