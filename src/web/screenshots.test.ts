// Screenshots of the dashboard for the README (overview, queue, an alert, a user page), taken in real
// headless Chromium over a store with detected alerts, and a check that the print layout drops the
// navigation and controls but keeps the data. `npm run screenshots` writes them to docs/screenshots;
// under `npm test` they go to test-output/screenshots.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAlertService } from '../alerts/index.js';
import { systemClock } from '../core/index.js';
import { bruteForce, record, signIn, startWebHarness, TENANT, type WebHarness } from './web.testing.js';

const OUT = process.env.AW_SCREENSHOTS_DIR ?? join(process.cwd(), 'test-output', 'screenshots');
const HOUR = 3_600_000;
const GUID = '6f1c2d3e-4a5b-4c6d-8e7f-901234567890';

describe('dashboard screenshots', () => {
  let h: WebHarness;
  let alertId = '';
  before(async () => {
    process.env.AW_WEB_TEST_SECRET = 'not-used-by-this-test';
    const signIns = ['NL', 'US', 'US', 'DE', 'NL'].map((_, i) => record(900 + i, 60 * (i + 1), { Operation: 'UserLoggedIn', UserId: 'megan.bowen@contoso.com', ResultStatus: 'Success', ClientIP: `198.51.100.${10 + i}` }));
    h = await startWebHarness({
      rows: [...bruteForce(1, 'megan.bowen@contoso.com', 90), ...bruteForce(100, 'alex.wilber@contoso.com', 300, '203.0.113.50'), ...signIns],
      yaml: `tenants:\n  - name: contoso\n    tenantId: ${GUID}\n    clientId: ${GUID}\n    clientSecret: { env: AW_WEB_TEST_SECRET }\n    contentTypes: [Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint]\n`,
    });
    const now = Date.now();
    const svc = createAlertService({ store: h.store, clock: systemClock, config: { destinations: [] } });
    const hits = [
      { ruleId: 'aw-mailbox-forwarding-external', title: 'Inbox rule forwards mail outside the organisation', severity: 'high' as const, user: 'megan.bowen@contoso.com', ip: '203.0.113.50', ago: 2 },
      { ruleId: 'aw-admin-role-added', title: 'Global administrator role assigned', severity: 'critical' as const, user: 'adele.vance@contoso.com', ip: '198.51.100.23', ago: 26 },
      { ruleId: 'aw-mass-download', title: 'Mass download from SharePoint', severity: 'medium' as const, user: 'lee.gu@contoso.com', ip: '192.0.2.44', ago: 50 },
      { ruleId: 'aw-mfa-disabled', title: 'MFA disabled for a user', severity: 'high' as const, user: 'diego.siciliani@contoso.com', ip: '198.51.100.7', ago: 75 },
      { ruleId: 'aw-anonymous-link', title: 'Anonymous sharing links created in bulk', severity: 'low' as const, user: 'lee.gu@contoso.com', ip: '192.0.2.44', ago: 120 },
    ];
    await svc.ingestHits(
      hits.map((x) => ({ ruleId: x.ruleId, title: x.title, severity: x.severity, tags: ['attack.persistence'], tenantId: TENANT, groupKey: x.user, entities: { users: [x.user], ips: [x.ip] }, firstSeen: now - x.ago * HOUR, lastSeen: now - x.ago * HOUR + 600_000, count: 3, evidence: ['00000000-0000-4000-8000-000000000900'] })),
    );
    await h.store.recordGap({ tenantId: GUID, contentType: 'Audit.Exchange', contentId: 'expired-blob-7', windowStart: now - 8 * 86_400_000, windowEnd: now - 8 * 86_400_000 + HOUR, code: 'AF20051', reason: 'expired', detectedAt: now });
    const list = await h.operations.alertsList({});
    alertId = list.data.find((a) => a.entities.users?.includes('megan.bowen@contoso.com') && a.rule !== 'aw-mailbox-forwarding-external')!.id;
    await h.operations.alertsAck({ id: alertId, actor: 'ann' });
    await h.operations.alertsComment({ id: alertId, actor: 'ann', text: 'Calling Megan to confirm whether these were her attempts.' });
    mkdirSync(OUT, { recursive: true });
  });
  after(async () => {
    await h?.close();
  });

  const shot = async (page: import('playwright-core').Page, name: string) => {
    const file = join(OUT, `${name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    const png = readFileSync(file);
    assert.equal(png.subarray(1, 4).toString(), 'PNG', `${name} is a PNG`);
    assert.ok(png.length > 10_000, `${name} has content`);
  };

  it('takes the overview, the queue, an alert and a user page', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'ann');
      await w.page.waitForSelector('#collection tbody tr');
      await w.page.waitForSelector('.chart canvas');
      await shot(w.page, 'overview');
      await w.page.goto(`${h.url}/alerts?status=new,acknowledged&sort=severity`);
      await w.page.waitForSelector('#queue tbody tr');
      await shot(w.page, 'queue');
      await w.page.goto(`${h.url}/alerts/${encodeURIComponent(alertId)}`);
      await w.page.waitForSelector('#history li.comment');
      await w.page.waitForLoadState('networkidle');
      await shot(w.page, 'alert');
      await w.page.goto(`${h.url}/users/${encodeURIComponent('megan.bowen@contoso.com')}`);
      await w.page.waitForSelector('h1');
      await w.page.waitForLoadState('networkidle');
      await shot(w.page, 'user');
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
    }
  });

  it('prints the data without the navigation and the controls', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'ann', undefined, `/alerts/${encodeURIComponent(alertId)}`);
      await w.page.waitForSelector('#actions');
      await w.page.emulateMedia({ media: 'print' });
      assert.equal(await w.page.isVisible('header.top nav'), false);
      assert.equal(await w.page.isVisible('#actions'), false);
      assert.equal(await w.page.isVisible('#summary'), true);
      assert.equal(await w.page.isVisible('#history'), true);
      const pdf = await w.page.pdf({ format: 'A4' });
      assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
    } finally {
      await w.close();
    }
  });
});
