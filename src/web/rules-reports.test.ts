// The rules and reports pages in Debian's headless Chromium against the real daemon API: an admin
// disables a rule with a reason and the page shows it disabled with their name (and the store recorded
// it); the reports page's HTML, CSV and JSON links and a scheduled run's file download as files.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signIn, startWebHarness, type WebHarness } from './web.testing.js';

const MFA = '60de9b57-dc4d-48b9-a6a0-b39e0469f876';
/** aw_mfa_failure_burst.yml: an event_count correlation, 5 or more in 10 minutes. */
const MFA_BURST = '629c4945-7322-4bc4-8e3e-b7764c4a0621';

describe('rules and reports pages in Chromium', () => {
  let h: WebHarness;
  before(async () => {
    h = await startWebHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('an admin disables a rule on the rules page; it shows disabled with their name', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'root', undefined, '/rules');
      const row = `tr[data-rule="${MFA}"]`;
      await w.page.waitForSelector(row);
      // A correlation rule's threshold: its type, condition, window and grouping.
      assert.match((await w.page.textContent(`tr[data-rule="${MFA_BURST}"] td.detection`)) ?? '', /^event_count gte 5 in 10m by \S+/);
      assert.match((await w.page.textContent(`${row} td:nth-child(5)`)) ?? '', /^yes/);
      await w.page.fill('#rule-reason', 'noisy this week');
      await w.page.click(`${row} button.toggle`);
      await w.page.waitForSelector(`${row}.off`);
      const enabled = (await w.page.textContent(`${row} td:nth-child(5)`)) ?? '';
      assert.match(enabled, /^no/);
      assert.match(enabled, /\(root,/);
      assert.equal((await w.page.textContent(`${row} button.toggle`))?.trim(), 'Enable');
      const setting = (await h.store.state.rules.list()).find((s) => s.ruleId === MFA)!;
      assert.deepEqual([setting.enabled, setting.changedBy, setting.reason], [false, 'root', 'noisy this week']);
      assert.deepEqual(w.errors, []);
      assert.deepEqual(w.foreign, []);
    } finally {
      await w.close();
    }
  });

  it("the reports page's HTML, CSV and JSON links and a scheduled run's file download", async () => {
    const folder = h.config.reports.folder;
    const dueAt = Date.now() - 3_600_000;
    mkdirSync(join(folder, 'daily'), { recursive: true });
    writeFileSync(join(folder, 'daily', 'admin-activity_run.csv'), 'who,what\nalice,x\n');
    await h.store.state.reportRuns.claim({ schedule: 'daily', dueAt, report: 'admin-activity', status: 'running', at: dueAt });
    await h.store.state.reportRuns.save({
      schedule: 'daily', dueAt, report: 'admin-activity', status: 'done', periodFrom: dueAt - 86_400_000, periodTo: dueAt,
      files: [{ format: 'csv', path: join(folder, 'daily', 'admin-activity_run.csv'), filename: 'admin-activity_run.csv', mediaType: 'text/csv; charset=utf-8' }],
      deliveries: {}, attempts: 1, nextAttemptAt: null, error: null, startedAt: dueAt, finishedAt: dueAt,
    });
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'vera', undefined, '/reports');
      const links = '#report-admin-activity .downloads a';
      await w.page.waitForSelector(links);
      for (const [label, ext, check] of [
        ['HTML', 'html', (t: string) => assert.match(t, /^<!doctype html>/i)],
        ['CSV', 'csv', (t: string) => assert.ok(t.length > 0 && !t.startsWith('<'))],
        ['JSON', 'json', (t: string) => assert.equal((JSON.parse(t) as { report: string }).report, 'admin-activity')],
      ] as const) {
        const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click(`${links}:text-is("${label}")`)]);
        assert.match(download.suggestedFilename(), new RegExp(`^admin-activity_.+\\.${ext}$`));
        check(readFileSync((await download.path())!, 'utf8'));
      }
      await w.page.waitForSelector('#runs tbody a');
      const [run] = await Promise.all([w.page.waitForEvent('download'), w.page.click('#runs tbody a')]);
      assert.equal(run.suggestedFilename(), 'admin-activity_run.csv');
      assert.equal(readFileSync((await run.path())!, 'utf8'), 'who,what\nalice,x\n');
      assert.deepEqual(w.errors, []);
      assert.deepEqual(w.foreign, []);
    } finally {
      await w.close();
    }
  });
});
