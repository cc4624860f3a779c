// The dashboard in real headless Chromium against a real daemon API over a real DuckDB store whose
// alerts come from real detection over imported audit records: sign-in (a wrong password refused),
// triage end to end (ack, assign, comment, resolve in the page; the change in `auditwatch alerts show`
// with the user's name), a viewer sees no workflow and is refused 403 when trying it directly, a
// write without the CSRF token is refused, and a new alert shows in the queue without a reload.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../cli/cli.testing.js';
import { bruteForce, pageFetch, PASSWORD, signIn, startWebHarness, waitText, type WebHarness } from './web.testing.js';

describe('dashboard in Chromium', () => {
  let h: WebHarness;
  let alertId: string;
  before(async () => {
    h = await startWebHarness({ rows: bruteForce(1, 'victim@contoso.com') });
    const list = await h.operations.alertsList({});
    assert.ok(list.data.length > 0, 'detection raised alerts from the imported records');
    alertId = list.data.find((a) => a.entities.users?.includes('victim@contoso.com'))!.id;
  });
  after(async () => {
    await h?.close();
  });

  it('refuses a wrong password and signs in with the right one', async () => {
    const w = await h.page();
    try {
      await w.page.goto(h.url + '/alerts');
      await w.page.fill('input[name=username]', 'ann');
      await w.page.fill('input[name=password]', 'not the password');
      await w.page.click('button[type=submit]');
      await w.page.waitForSelector('#login-error');
      assert.match((await w.page.textContent('#login-error')) ?? '', /wrong/);
      assert.equal(await w.page.$('header.top'), null, 'still signed out');
      await w.page.fill('input[name=password]', PASSWORD);
      await w.page.click('button[type=submit]');
      await w.page.waitForSelector('#queue tbody tr');
      assert.match((await w.page.textContent('header.top .who')) ?? '', /ann\s*analyst/);
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
    }
  });

  it('triages one alert end to end in the page; `alerts show` and the history name the user', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'ann', PASSWORD, '/alerts');
      await w.page.click(`#queue tr[data-id="${alertId}"] a`);
      await w.page.waitForSelector('#summary');
      assert.match((await w.page.textContent('#summary')) ?? '', /victim@contoso\.com/);
      await w.page.click('#ack');
      await waitText(w.page, '#status', 'acknowledged');
      await w.page.fill('#assignee', 'bob');
      await w.page.click('#assign');
      await waitText(w.page, '#assignee-now', 'bob');
      await w.page.fill('#comment', 'checked with the user: not them');
      await w.page.click('#add-comment');
      await waitText(w.page, '#history', 'checked with the user', true);
      await w.page.fill('#comment', '');
      await w.page.click('#resolve');
      await waitText(w.page, '#status', 'resolved');
      assert.equal(await w.page.$('#resolve'), null, 'a resolved alert offers reopen, not resolve');
      const history = (await w.page.textContent('#history')) ?? '';
      for (const action of ['ack', 'assign', 'comment', 'resolve']) assert.match(history, new RegExp(`ann\\s*${action}`), action);

      const shown = await h.operations.alertsShow({ id: alertId });
      assert.equal(shown.data.alert.status, 'resolved');
      assert.equal(shown.data.alert.assignee, 'bob');
      const byAnn = shown.data.history.filter((e) => e.actor === 'ann').map((e) => e.action);
      assert.deepEqual(byAnn, ['ack', 'assign', 'comment', 'resolve']);
      // The CLI reaches the daemon that holds the store through its endpoint file.
      const cli = await runCli(['alerts', 'show', alertId, '--config', h.configFile]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /resolved/);
      assert.match(cli.stdout, /ann/);
      assert.match(cli.stdout, /checked with the user/);
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
    }
  });

  it('shows a viewer no workflow actions, and the API refuses the viewer 403 when tried directly', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'vera', PASSWORD, `/alerts/${encodeURIComponent(alertId)}`);
      await w.page.waitForSelector('#summary');
      assert.equal(await w.page.$('#actions'), null);
      assert.equal(await w.page.$('#ack'), null);
      await w.page.goto(h.url + '/alerts?status=');
      await w.page.waitForSelector('#queue tbody tr');
      assert.equal(await w.page.$('#bulk'), null);
      assert.equal(await w.page.$('#queue input[type=checkbox]'), null);
      const tried = await pageFetch(w.page, `/api/v1/alerts/${encodeURIComponent(alertId)}/reopen`, { method: 'POST', body: {}, csrf: true });
      assert.deepEqual(tried, { status: 403, code: 'forbidden' });
      assert.equal((await h.operations.alertsShow({ id: alertId })).data.alert.status, 'resolved', 'nothing changed');
    } finally {
      await w.close();
    }
  });

  it('refuses a write without the CSRF token, even from a signed-in analyst', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'ann');
      const tried = await pageFetch(w.page, `/api/v1/alerts/${encodeURIComponent(alertId)}/reopen`, { method: 'POST', body: {} });
      assert.deepEqual(tried, { status: 403, code: 'csrf_failed' });
      assert.equal((await h.operations.alertsShow({ id: alertId })).data.alert.status, 'resolved');
      const ok = await pageFetch(w.page, `/api/v1/alerts/${encodeURIComponent(alertId)}/comment`, { method: 'POST', body: { text: 'with the token' }, csrf: true });
      assert.equal(ok.status, 200, 'the same cookie with the token is accepted');
    } finally {
      await w.close();
    }
  });

  it('adds a new alert to the open queue without a reload', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'ann', PASSWORD, '/alerts');
      await w.page.waitForSelector('#queue');
      const before = await w.page.$$eval('#queue tbody tr', (rows) => rows.map((r) => r.getAttribute('data-id')));
      await h.store.importRecords({ tenantId: 'contoso', sourceId: 'import:web-test', rows: bruteForce(500, 'late@contoso.com', 5, '198.51.100.9'), rejects: [], ingestedAt: Date.now() });
      await h.operations.detect({ from: '1d' });
      const fresh = (await h.operations.alertsList({})).data.filter((a) => !before.includes(a.id));
      assert.ok(fresh.length > 0, 'detection raised a new alert');
      await w.page.waitForSelector(`#queue tr.fresh[data-id="${fresh[0]!.id}"]`, { timeout: 30_000 });
      assert.match((await w.page.textContent('#new-alerts')) ?? '', /new alert/);
    } finally {
      await w.close();
    }
  });

  it('acknowledges and assigns the selected alerts in bulk', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'ann', PASSWORD, '/alerts?status=new');
      await w.page.waitForSelector('#queue tbody tr');
      const ids = await w.page.$$eval('#queue tbody tr', (rows) => rows.map((r) => r.getAttribute('data-id')!));
      assert.ok(ids.length >= 1, 'new alerts to work on');
      await w.page.check('#queue thead input[type=checkbox]');
      await w.page.fill('#bulk-assignee', 'carol');
      await w.page.click('#bulk button:text("Assign")');
      await w.page.waitForSelector('.note:text("assign done")');
      await w.page.check('#queue thead input[type=checkbox]');
      await w.page.click('#bulk button:text("Acknowledge")');
      await w.page.waitForSelector('.note:text("ack done")');
      for (const id of ids) {
        const d = (await h.operations.alertsShow({ id })).data;
        assert.equal(d.alert.status, 'acknowledged', id);
        assert.equal(d.alert.assignee, 'carol', id);
        assert.ok(d.history.some((e) => e.actor === 'ann' && e.action === 'ack'), 'the history names the user');
      }
      await w.page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('#queue tbody tr'));
    } finally {
      await w.close();
    }
  });
});
