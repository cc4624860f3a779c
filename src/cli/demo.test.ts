// `auditwatch demo --once` end to end in a temp dir: exit 0, every report written (HTML + CSV), alerts for
// the scenarios on the console and in webhook.log; then `report list` and `report NAME` on its config.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPORTS } from '../reports/index.js';
import { runCli } from './cli.testing.js';

const dir = mkdtempSync(join(tmpdir(), 'auditwatch-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('demo --once: collects, detects, alerts to the console and webhook.log, writes every report', async () => {
  const res = await runCli(['demo', '--once', '--data-dir', dir, '--users', '40']);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /Backfill: \d+ records/);
  assert.match(res.stdout, /Alerts \(\d+ new\):/);
  assert.match(res.stdout, /Admin gave themself access to another user's mailbox/i);
  assert.match(res.stdout, /auditwatch alerts list --config /);
  const files = readdirSync(join(dir, 'reports')).sort();
  for (const r of REPORTS) {
    assert.ok(files.includes(`${r.name}.html`) && files.includes(`${r.name}.csv`), `${r.name} written`);
  }
  const lines = readFileSync(join(dir, 'webhook.log'), 'utf8').trim().split('\n');
  assert.ok(lines.length >= 5, `webhook.log has ${lines.length} lines`);
  const alerts = lines.map((l) => JSON.parse(l) as { rule: string; severity: string; evidence: string[] });
  assert.ok(alerts.every((a) => a.rule && a.severity && Array.isArray(a.evidence)));
  assert.ok(existsSync(join(dir, 'auditwatch.yaml')));
});

test('report list and report NAME run on the demo\'s config', async () => {
  const list = await runCli(['report', 'list', '--format', 'json']);
  assert.equal(list.code, 0);
  const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; title: string; description: string });
  assert.deepEqual(rows.map((r) => r.name), REPORTS.map((r) => r.name));
  assert.ok(rows.every((r) => r.title && r.description));

  const csv = await runCli(['report', 'mailbox-self-grants', '--config', join(dir, 'auditwatch.yaml'), '--from', '7d', '--format', 'csv']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.ok(csv.stdout.startsWith('\uFEFF'));
  assert.match(csv.stdout, /"Admin","Tenant","Grants"/);
  const out = join(dir, 'fs.html');
  const html = await runCli(['report', 'failed-signins', '--config', join(dir, 'auditwatch.yaml'), '--from', '7d', '--threshold', '3', '--out', out]);
  assert.equal(html.code, 0, html.stderr);
  assert.match(readFileSync(out, 'utf8'), /<h1>Failed sign-ins<\/h1>/);

  const bad = await runCli(['report', 'no-such-report', '--config', join(dir, 'auditwatch.yaml')]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /No report "no-such-report"; use one of: mailbox-self-grants/);
});
