// Rules and reports through the daemon's HTTP API over real HTTP on a real DuckDB store, signed in with
// local accounts: an admin enables and disables a rule (the history names the signed-in user, whatever
// the client sent), an analyst and a viewer are refused, an unknown rule is 404; rules list answers the
// setting, the source and the alert figures; report downloads answer each format as an attachment; a
// scheduled run's files download from the reports folder and nothing outside it does.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAlertService } from '../alerts/index.js';
import { hit } from '../alerts/alerts.testing.js';
import { silentLogger } from '../core/index.js';
import { createOperations } from '../service/index.js';
import { createDaemonClient } from './index.js';
import { CookieClient, startAuthHarness, type AuthHarness } from './auth.testing.js';

const PASSWORDS = { vera: 'viewer password 1', ann: 'analyst password 2', ada: 'admin password 33' };
const MFA = '60de9b57-dc4d-48b9-a6a0-b39e0469f876';
const HOUR = 3_600_000;

describe('rules and reports over the API', () => {
  let h: AuthHarness;
  before(async () => {
    h = await startAuthHarness();
    const ops = createOperations({ config: h.config, store: h.store, clock: h.clock, logger: silentLogger });
    for (const [name, role] of [['vera', 'viewer'], ['ann', 'analyst'], ['ada', 'admin']] as const) await ops.usersAdd({ name, role, password: PASSWORDS[name] });
    h.clock.advance(1000);
    const alerts = createAlertService({ store: h.store, clock: h.clock, config: { window: 86_400_000, destinations: [], routes: [] } });
    const now = h.clock.now();
    await alerts.ingestHits([
      hit({ ruleId: MFA, groupKey: 'a', evidence: ['m1'], firstSeen: now - 2 * HOUR, lastSeen: now - HOUR }),
      hit({ ruleId: MFA, groupKey: 'b', evidence: ['m2'], firstSeen: now - 20 * 24 * HOUR, lastSeen: now - 10 * 24 * HOUR }),
    ]);
  });
  after(async () => h?.close());

  /** What the CLI reads from the endpoint file: the daemon's URL and bearer token. */
  const endpoint = () => ({ pid: process.pid, url: h.url, token: h.server.token, startedAt: new Date().toISOString() });

  const signIn = async (name: keyof typeof PASSWORDS) => {
    const client = new CookieClient(h.url);
    const r = await client.send('/api/v1/session', { method: 'POST', json: { username: name, password: PASSWORDS[name] } });
    assert.equal(r.status, 200, r.body);
    const csrf = r.json.data.csrfToken as string;
    return { client, post: (path: string, json: unknown) => client.send(`/api/v1${path}`, { method: 'POST', json, headers: { 'x-csrf-token': csrf } }) };
  };

  it('an admin disables and enables a rule; the history names the signed-in user; analyst and viewer get 403; unknown is 404', async () => {
    const ada = await signIn('ada');
    const off = await ada.post(`/rules/${MFA}/disable`, { reason: 'too noisy this week', changedBy: 'mallory' });
    assert.equal(off.status, 200, off.body);
    assert.equal(off.json.data.enabled, false);
    assert.equal(off.json.data.changedBy, 'ada');
    assert.equal(off.json.data.reason, 'too noisy this week');
    const setting = (await h.store.state.rules.list()).find((s) => s.ruleId === MFA)!;
    assert.deepEqual([setting.enabled, setting.changedBy, setting.changedAt, setting.reason], [false, 'ada', h.clock.now(), 'too noisy this week']);

    for (const name of ['ann', 'vera'] as const) {
      const other = await signIn(name);
      const refused = await other.post(`/rules/${MFA}/enable`, {});
      assert.equal(refused.status, 403, refused.body);
      assert.equal(refused.json.error.code, 'forbidden');
    }
    assert.equal((await h.store.state.rules.history({ ruleId: MFA })).length, 1, 'a refused change records nothing');

    const unknown = await ada.post('/rules/no-such-rule/disable', {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'rule_unknown');
    assert.doesNotMatch(unknown.json.error.message, /\n/);

    const list = await ada.client.send('/api/v1/rules');
    const rule = (list.json.data.rules as Record<string, unknown>[]).find((r) => r['id'] === MFA)!;
    assert.equal(rule['enabled'], false);
    assert.equal(rule['enabledFrom'], 'store');
    assert.equal(rule['changedBy'], 'ada');
    assert.equal(rule['changedAt'], new Date(h.clock.now()).toISOString());
    assert.equal(rule['source'], 'builtin');
    assert.equal(rule['hits7d'], 1, 'one alert active in 7 days, the other older');
    assert.equal(rule['lastHitAt'], new Date(h.clock.now() - HOUR).toISOString());
    assert.equal(rule['loadError'], null);
    const other = (list.json.data.rules as Record<string, unknown>[]).find((r) => r['id'] !== MFA)!;
    assert.deepEqual([other['enabled'], other['enabledFrom'], other['changedBy'], other['hits7d']], [true, 'default', null, 0]);

    h.clock.advance(60_000);
    const on = await ada.post(`/rules/${MFA}/enable`, { reason: 'tuned' });
    assert.equal(on.status, 200, on.body);
    assert.deepEqual(on.json.data.history.map((x: { enabled: boolean; changedBy: string; reason: string | null }) => [x.enabled, x.changedBy, x.reason]), [
      [true, 'ada', 'tuned'],
      [false, 'ada', 'too noisy this week'],
    ]);
  });

  it('the bearer token (the CLI) keeps the actor it sends', async () => {
    const ops = createDaemonClient(endpoint());
    const r = await ops.rulesDisable({ id: MFA, changedBy: 'cli-user', reason: 'from the CLI' });
    assert.deepEqual([r.data.enabled, r.data.changedBy], [false, 'cli-user']);
    await ops.rulesEnable({ id: MFA, changedBy: 'cli-user' });
  });

  it('report downloads: each format as an attachment with its type; without format the JSON answer as before', async () => {
    const vera = await signIn('vera');
    const expect = { html: /^text\/html/, csv: /^text\/csv/, json: /^application\/json/ } as const;
    for (const format of ['html', 'csv', 'json'] as const) {
      const r = await vera.client.send(`/api/v1/reports/admin-activity?period=last-7d&format=${format}`);
      assert.equal(r.status, 200, r.body);
      assert.match(r.headers.get('content-type') ?? '', expect[format]);
      assert.match(r.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="admin-activity_[0-9TZ]+-[0-9TZ]+\\.${format}"$`));
      if (format === 'html') assert.match(r.body, /^<!doctype html>/i);
      if (format === 'csv') assert.ok(r.body.length > 0 && !r.body.startsWith('{'));
      if (format === 'json') assert.equal(JSON.parse(r.body).report, 'admin-activity');
    }
    const plain = await vera.client.send('/api/v1/reports/admin-activity?period=last-7d');
    assert.equal(plain.status, 200);
    assert.equal(plain.json.data.name, 'admin-activity');
    assert.ok(Array.isArray(plain.json.data.sections));
    const bad = await vera.client.send('/api/v1/reports/admin-activity?format=pdf');
    assert.equal(bad.status, 400);
    const typed = await createDaemonClient(endpoint()).reportFile({ name: 'admin-activity', period: 'last-7d', format: 'csv' });
    assert.match(typed.data.filename, /\.csv$/);
    assert.match(typed.data.contentType, /^text\/csv/);
  });

  it("a scheduled run's files download by its id; a path outside the reports folder and an unknown run are refused", async () => {
    const folder = h.config.reports.folder;
    const dueAt = h.clock.now() - HOUR;
    mkdirSync(join(folder, 'weekly'), { recursive: true });
    writeFileSync(join(folder, 'weekly', 'admin-activity_x.csv'), 'a,b\n1,2\n');
    writeFileSync(join(h.dir, 'secret.txt'), 'not for download');
    const base = { report: 'admin-activity', status: 'done' as const, periodFrom: dueAt - HOUR, periodTo: dueAt, deliveries: {}, attempts: 1, nextAttemptAt: null, error: null, startedAt: dueAt, finishedAt: dueAt };
    for (const [schedule, files] of [
      ['weekly', [{ format: 'csv', path: join(folder, 'weekly', 'admin-activity_x.csv'), filename: 'admin-activity_x.csv', mediaType: 'text/csv; charset=utf-8' }]],
      ['evil', [
        { format: 'csv', path: join(h.dir, 'secret.txt'), filename: 'secret.txt', mediaType: 'text/plain' },
        { format: 'json', path: join(folder, '..', 'secret.txt'), filename: 'x.json', mediaType: 'application/json' },
      ]],
    ] as const) {
      await h.store.state.reportRuns.claim({ schedule, dueAt, report: 'admin-activity', status: 'running', at: dueAt });
      await h.store.state.reportRuns.save({ ...base, schedule, dueAt, files: files.map((f) => ({ ...f })) });
    }
    const vera = await signIn('vera');
    const runs = await vera.client.send('/api/v1/reports/runs');
    const weekly = (runs.json.data as { id: string; schedule: string }[]).find((r) => r.schedule === 'weekly')!;
    assert.equal(weekly.id, `weekly@${dueAt}`);
    const got = await vera.client.send(`/api/v1/report-runs/${encodeURIComponent(weekly.id)}/download?format=csv`);
    assert.equal(got.status, 200, got.body);
    assert.equal(got.body, 'a,b\n1,2\n');
    assert.match(got.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(got.headers.get('content-disposition'), 'attachment; filename="admin-activity_x.csv"');
    for (const format of ['csv', 'json']) {
      const refused = await vera.client.send(`/api/v1/report-runs/${encodeURIComponent(`evil@${dueAt}`)}/download?format=${format}`);
      assert.equal(refused.status, 403, refused.body);
      assert.equal(refused.json.error.code, 'path_refused');
      assert.doesNotMatch(refused.body, /not for download/);
    }
    for (const id of [`weekly@${dueAt + 1}`, '..%2F..%2Fsecret.txt', `weekly@${dueAt}`]) {
      const missing = await vera.client.send(`/api/v1/report-runs/${id.includes('%') ? id : encodeURIComponent(id)}/download?format=${id === `weekly@${dueAt}` ? 'html' : 'csv'}`);
      assert.equal(missing.status, 404, missing.body);
    }
  });
});
