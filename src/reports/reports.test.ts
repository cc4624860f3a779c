// Reports against the emulator's ground truth: a simulated tenant with every scenario is collected over
// real HTTP into a real DuckDB file (the demo's own steps), detection learns identities, and each report's
// contents are checked against the scenarios. Every HTML report is then opened in headless Chromium: no
// console errors, no request leaves the page, and a screenshot is saved under test-output/reports/.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DAY, HOUR, ManualClock, silentLogger, systemClock } from '../core/index.js';
import { loadConfig } from '../service/index.js';
import { createContentSource, startEmulator, type GroundTruth, type RunningEmulator } from '../emulator/index.js';
import { openConfiguredStore } from '../service/open-store.js';
import { createPipeline, runCycle, startWebhookReceiver, writeDemoConfig, type WebhookReceiver } from '../cli/demo-steps.js';
import { sql, type Store } from '../store/index.js';
import { countryLookup, findReport, renderHtml, REPORTS, runReport, type ReportResult } from './index.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

let tmp = '';
let emulator: RunningEmulator;
let receiver: WebhookReceiver;
let store: Store;
let truth: GroundTruth;
let period = { from: 0, to: 0 };
// A whole second, two seconds back: the collector lists whole-second windows up to its own now, so the
// emulator's last blob (created at its start) falls inside the single pass this test makes.
const now = Math.floor(Date.now() / 1000) * 1000 - 2000;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'auditwatch-reports-'));
  const source = createContentSource({ seed: 11, days: 2, users: 40, tenants: 1, scenarios: 'all', live: false, startTime: now, latency: { kind: 'fixed', ms: 0 } });
  // The emulator's clock stands still, so what it has made available cannot change between the collection
  // pass and the ground truth read after it; a minute after the last record, so that a collector that
  // takes the emulator's time (its own clock differs by more than a few seconds on a loaded machine)
  // lists windows past the last blob, as it would a minute later on a real tenant.
  emulator = await startEmulator({ source, port: 0, throttlePerMinute: 0, clock: new ManualClock(now + 60_000) });
  receiver = await startWebhookReceiver(join(tmp, 'webhook.log'));
  const config = loadConfig(writeDemoConfig(tmp, emulator.url, emulator.tenants, receiver.url));
  store = await openConfiguredStore(config, { logger: silentLogger });
  const pipeline = await createPipeline(config, store, systemClock, silentLogger);
  const cycle = await runCycle({ config, store, clock: systemClock, logger: silentLogger, pipeline, signal: new AbortController().signal }, { since: now - 2 * DAY });
  await pipeline.close();
  assert.ok(cycle.ok && cycle.records > 0, 'the tenant was collected');
  truth = emulator.control.groundTruth();
  // Scenarios also hold the built-in alerts Microsoft raises about them (RecordType 40); reports list activity.
  alertIds = new Set((await store.query<{ id: string }>(sql`SELECT id FROM events WHERE record_type = 40`)).map((r) => String(r.id)));
  period = { from: now - 3 * DAY, to: now + HOUR };
});

after(async () => {
  await store?.close();
  await receiver?.close();
  await emulator?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

let alertIds = new Set<string>();
/** The scenarios by name, their records without the built-in alerts about them. */
const scenarios = (...names: string[]) => truth.scenarios.filter((s) => names.includes(s.name)).map((s) => ({ ...s, recordIds: s.recordIds.filter((id) => !alertIds.has(id)) }));
const run = (name: string, params = {}) => runReport(findReport(name), { store, period, now, params });
const section = (r: ReportResult, id: string) => r.sections.find((s) => s.id === id)!;
const lower = (xs: Iterable<unknown>) => new Set([...xs].map((x) => String(x).toLowerCase()));

test('mailbox self-grants: exactly the self-grant scenarios\' actors and records, not the colleague grant', async () => {
  const r = await run('mailbox-self-grants');
  const attacks = scenarios('mailbox-fullaccess-self-grant', 'sendas-self-grant');
  const benign = scenarios('admin-grants-colleague-fullaccess');
  assert.ok(attacks.length >= 2 && benign.length >= 1, 'the tenant has both scenarios');
  assert.deepEqual(lower(section(r, 'by-admin').rows.map((x) => x['admin'])), lower(attacks.flatMap((s) => s.actors)));
  const ids = new Set(section(r, 'grants').rows.map((x) => String(x['id'])));
  assert.deepEqual(ids, new Set(attacks.flatMap((s) => s.recordIds)));
  for (const id of benign.flatMap((s) => s.recordIds)) assert.ok(!ids.has(id), `benign grant ${id} is not listed`);
});

test('access denied: the burst\'s user and site, with every request counted', async () => {
  const r = await run('access-denied');
  const [burst] = scenarios('access-denied-burst');
  assert.ok(burst);
  // The user may also have an everyday access request elsewhere: the burst is the row of its own site.
  const isBurstSite = (site: unknown) => burst.victims.some((v) => String(site).toLowerCase().startsWith(v.toLowerCase().replace(/\/$/, '')));
  const rows = section(r, 'by-user-site').rows.filter((x) => String(x['user']).toLowerCase() === burst.actors[0]!.toLowerCase() && isBurstSite(x['site']));
  assert.equal(rows.length, 1, 'one row for the user and site');
  assert.equal(Number(rows[0]!['count']), burst.recordIds.length);
  assert.ok(String(rows[0]!['files']).length > 0);
});

test('failed sign-ins: brute-force account and spray IP over the threshold, error names', async () => {
  const r = await run('failed-signins', { threshold: 8 });
  const accounts = lower(section(r, 'accounts').rows.map((x) => x['account']));
  for (const s of scenarios('brute-force')) {
    const upns = [...s.actors, ...s.victims].filter((x) => x.includes('@'));
    assert.ok(upns.length > 0 && upns.every((u) => accounts.has(u.toLowerCase())), `brute-force account ${upns.join(',')} listed`);
  }
  const ips = lower(section(r, 'ips').rows.map((x) => x['client_ip']));
  for (const s of scenarios('password-spray')) assert.ok(s.actors.some((a) => ips.has(a.toLowerCase())), `spray IP ${s.actors.join(',')} listed`);
  const errors = section(r, 'errors').rows;
  assert.ok(errors.some((x) => x['error_number'] === '50126' && x['error_name'] === 'InvalidUserNameOrPassword'));
  assert.ok(section(r, 'per-day').rows.length >= 1);
});

test('forwarding, sharing, roles, admin activity, completeness reflect their scenarios', async () => {
  const fwd = section(await run('mail-forwarding'), 'changes').rows;
  for (const s of scenarios('inbox-rule-external-forward', 'mailbox-external-forwarding')) {
    assert.ok(fwd.some((x) => lower([x['actor']]).has(s.actors[0]!.toLowerCase()) && String(x['external']).startsWith('yes')), `${s.name} shows as external`);
  }
  for (const s of scenarios('internal-forwarding-rule')) {
    assert.ok(fwd.some((x) => lower([x['actor']]).has(s.actors[0]!.toLowerCase()) && String(x['external']).startsWith('no')), 'the internal rule is not external');
  }
  const sharing = section(await run('external-sharing'), 'by-user').rows;
  for (const s of scenarios('anonymous-link-burst')) {
    const row = sharing.find((x) => String(x['user']).toLowerCase() === s.actors[0]!.toLowerCase());
    assert.ok(row && Number(row['anonymous_links']) >= s.recordIds.length, 'anonymous link burst counted');
  }
  const roles = section(await run('privileged-role-changes'), 'changes').rows;
  for (const s of scenarios('global-admin-granted')) {
    assert.ok(roles.some((x) => s.recordIds.length > 0 && String(x['role']) === 'Global Administrator' && lower([x['actor']]).has(s.actors[0]!.toLowerCase())));
  }
  const admins = lower(section(await run('admin-activity'), 'by-admin').rows.map((x) => x['admin']));
  for (const s of scenarios('audit-logging-disabled', 'mailbox-audit-bypass')) assert.ok(admins.has(s.actors[0]!.toLowerCase()));
  const completeness = section(await run('collection-completeness'), 'summary').rows;
  const stored = Object.values(truth.available).flatMap((byType) => Object.values(byType)).reduce((n, ids) => n + ids.length, 0);
  assert.equal(completeness.reduce((n, x) => n + Number(x['records']), 0), stored, 'records per content type add up to what the emulator served');
  assert.equal(completeness.length, 5, 'all five content types');
});

test('every HTML report opens in headless Chromium without errors or requests; screenshots saved', async () => {
  const { chromium } = await import('playwright-core');
  const out = join(repoRoot(), 'test-output', 'reports');
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) problems.push(`request: ${req.url()}`);
    });
    const countryOf = await countryLookup();
    for (const def of REPORTS) {
      const result = await runReport(def, { store, period, now, params: { threshold: 5, ...(countryOf ? { countryOf } : {}) } });
      const file = join(tmp, `${def.name}.html`);
      writeFileSync(file, renderHtml(result));
      await page.goto(`file://${file}`);
      const h1 = await page.textContent('h1');
      assert.equal(h1, def.title);
      const tables = await page.locator('table').count();
      assert.ok(tables + (await page.locator('.empty').count()) + (await page.locator('svg.chart').count()) > 0, `${def.name} shows something`);
      await page.screenshot({ path: join(out, `${def.name}.png`), fullPage: true });
      assert.ok(existsSync(join(out, `${def.name}.png`)));
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
