// The overview in real headless Chromium over a real DuckDB store: a gap in collection (content that
// expired before it was fetched, recorded by the store as the collector does) and a rule file that
// fails to load both appear, in the collection table, the rule failures and "needs attention first",
// next to the open alerts by severity.

import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { bruteForce, signIn, startWebHarness, type WebHarness } from './web.testing.js';

const GUID = '6f1c2d3e-4a5b-4c6d-8e7f-901234567890';

describe('overview in Chromium', () => {
  let h: WebHarness;
  before(async () => {
    process.env.AW_WEB_TEST_SECRET = 'not-used-by-this-test';
    const rules = join(tmpdir(), `aw-web-overview-rules-${process.pid}`);
    mkdirSync(rules, { recursive: true });
    writeFileSync(join(rules, 'broken-rule.yml'), 'title: Broken on purpose\ndetection: [\n');
    h = await startWebHarness({
      rows: bruteForce(1, 'victim@contoso.com'),
      yaml: `tenants:\n  - name: fabrikam\n    tenantId: ${GUID}\n    clientId: ${GUID}\n    clientSecret: { env: AW_WEB_TEST_SECRET }\n    contentTypes: [Audit.Exchange]\ndetect:\n  ruleDirs: [${JSON.stringify(rules)}]\n`,
    });
    const now = Date.now();
    await h.store.recordGap({ tenantId: GUID, contentType: 'Audit.Exchange', contentId: 'expired-blob-1', windowStart: now - 8 * 86_400_000, windowEnd: now - 8 * 86_400_000 + 3_600_000, code: 'AF20051', reason: 'expired', detectedAt: now });
  });
  after(async () => {
    await h?.close();
  });

  it('shows the gap in collection and the failing rule, first among what needs attention', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'vera');
      await w.page.waitForSelector('#collection tbody tr');
      const row = (await w.page.textContent('#collection tbody tr.bad')) ?? '';
      assert.match(row, /fabrikam/);
      assert.match(row, /Audit\.Exchange/);
      const failures = (await w.page.textContent('#rule-failures')) ?? '';
      assert.match(failures, /broken-rule\.yml/);
      const attention = (await w.page.textContent('#attention')) ?? '';
      assert.match(attention, /gap/);
      assert.match(attention, /broken-rule\.yml/);
      const open = (await w.page.textContent('#open-by-severity')) ?? '';
      assert.match(open, /medium\s*1/, 'the detected alert is counted as open medium');
      assert.ok(await w.page.$('#open-by-severity ~ .grow canvas, .chart canvas'), 'the alerts-per-day chart is drawn');
      assert.deepEqual(w.errors, []);
      assert.deepEqual(w.foreign, []);
    } finally {
      await w.close();
    }
  });
});
