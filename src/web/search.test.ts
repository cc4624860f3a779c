// The investigation pages in real headless Chromium against a real daemon API over a real DuckDB store
// with imported records and real detection: a viewer's search filters and pages (Next), the CSV link
// downloads the same search, the user page shows the sign-ins by country, the IP page its users, and
// an alert's evidence shows a record's raw JSON.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { EventRow } from '../records/index.js';
import { bruteForce, record, signIn, startWebHarness, waitText, type WebHarness } from './web.testing.js';

const VICTIM = 'victim@contoso.com';
const BULK = 'bulk@contoso.com';

const rowCount = (h: WebHarness, page: import('playwright-core').Page, selector: string) => page.$$eval(selector, (rows) => rows.length);

describe('investigation pages in Chromium', () => {
  let h: WebHarness;
  let alertId: string;
  before(async () => {
    const inCountry = (country: string) => (r: EventRow): EventRow => ({ ...r, country });
    const rows = [
      ...bruteForce(1, VICTIM).map(inCountry('NL')),
      inCountry('DE')(record(50, 3, { Operation: 'UserLoggedIn', UserId: VICTIM, ClientIP: '198.51.100.20', ResultStatus: 'Success' })),
      ...Array.from({ length: 150 }, (_, i) => record(1000 + i, 60 + i, { Operation: 'FileAccessed', Workload: 'SharePoint', RecordType: 6, UserId: BULK, ClientIP: '192.0.2.50' })),
    ];
    h = await startWebHarness({ rows });
    const list = await h.operations.alertsList({});
    alertId = list.data.find((a) => a.entities.users?.includes(VICTIM))!.id;
    assert.ok(alertId, 'detection raised an alert naming the victim');
  });
  after(async () => {
    await h?.close();
  });

  it('a viewer searches: filters narrow the table, Next shows the following page', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'vera', undefined, `/search?user=${encodeURIComponent(BULK)}`);
      await w.page.waitForSelector('#events tbody tr');
      assert.equal(await rowCount(h, w.page, '#events tbody tr'), 100);
      const first = await w.page.$$eval('#events tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
      assert.ok(first.every((u) => u === BULK));
      const firstTime = await w.page.textContent('#events tbody tr:first-child td:first-child');
      await w.page.click('#next-page');
      await w.page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#events tbody tr').length === 50);
      assert.match((await w.page.textContent('p.muted')) ?? '', /page 2/);
      assert.notEqual(await w.page.textContent('#events tbody tr:first-child td:first-child'), firstTime);
      assert.equal(await w.page.isDisabled('#next-page'), true);

      await w.page.fill('input[name=user]', VICTIM.toUpperCase());
      await w.page.fill('input[name=operation]', 'userloginfailed');
      await w.page.click('form.filters button[type=submit]');
      await w.page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#events tbody tr').length === 12);
      const ops = await w.page.$$eval('#events tbody tr td:nth-child(6)', (tds) => tds.map((td) => td.textContent));
      assert.deepEqual(new Set(ops), new Set(['UserLoginFailed']));
      assert.match(w.page.url(), /operation=userloginfailed/);
      assert.deepEqual(w.errors, []);
      assert.deepEqual(w.foreign, []);
    } finally {
      await w.close();
    }
  });

  it('the CSV link downloads the same search', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'vera', undefined, `/search?user=${encodeURIComponent(VICTIM)}`);
      await w.page.waitForSelector('#events tbody tr');
      const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('#csv')]);
      assert.match(download.suggestedFilename(), /^events-\d{8}-\d{6}\.csv$/);
      const text = await readFile((await download.path())!, 'utf8');
      const lines = text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      assert.equal(lines.length, 1 + 13);
      assert.ok(lines.slice(1).every((l) => l.includes(`"${VICTIM}"`)));
    } finally {
      await w.close();
    }
  });

  it('the user page shows the sign-ins by country; the IP page its users', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'vera', undefined, `/users/${encodeURIComponent(VICTIM)}`);
      await w.page.waitForSelector('#countries tbody tr');
      const countries = await w.page.$$eval('#countries tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      assert.deepEqual(countries, [['NL', '0', '12'], ['DE', '1', '0']]);
      assert.equal(await rowCount(h, w.page, '#recent tbody tr'), 13);
      await waitText(w.page, '.alert-list', 'failed sign-ins', true);
      await w.page.click('a[href="/ips/203.0.113.77"]');
      await w.page.waitForSelector('h1:text("IP 203.0.113.77")');
      await waitText(w.page, 'section .cols', VICTIM, true);
      const users = await w.page.$$eval('.cols .card:first-child tbody tr', (trs) => trs.map((tr) => tr.textContent));
      assert.deepEqual(users, [`${VICTIM}12`]);
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
    }
  });

  it("an alert's evidence shows a record's raw JSON", async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'vera', undefined, `/alerts/${encodeURIComponent(alertId)}`);
      await w.page.waitForSelector('#evidence li');
      const items = await rowCount(h, w.page, '#evidence li');
      assert.ok(items >= 10, `${items} evidence records`);
      await w.page.click('#evidence li:first-child summary');
      const raw = (await w.page.textContent('#evidence li:first-child .json')) ?? '';
      assert.match(raw, /UserLoginFailed/);
      assert.match(raw, /00000000-0000-4000-8000-0000000000\d\d/);
      assert.match(raw, /50126/);
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
    }
  });
});
