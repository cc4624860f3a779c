// Hostile audit data in every field the dashboard shows, checked in real headless Chromium: script
// tags, event-handler attributes, `javascript:` links, an image on another origin, bidi overrides
// (U+202E), ANSI escapes and 1 MB values in audit records (user, operation, workload, result, raw
// fields), in alerts (title, rule, tenant, tags, grouping key, entities), in the workflow (assignee,
// comment) and in a user rule file (title, id, load error). On every page: no dialog opened, no request
// left for another origin, the flag the payloads would set stays unset, no element or link came from
// the data, the control and bidi characters are shown as escapes, and the text is cut.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAlertService } from '../alerts/index.js';
import { systemClock } from '../core/index.js';
import { bruteForce, record, signIn, startWebHarness, TENANT, type WebHarness } from './web.testing.js';

const MARK = 'window.__pwned=1';
const PAYLOAD = [
  'evil\u202Egnp.exe',
  '\u001b[31mRED\u001b[0m',
  '\u0000\u0007\u2066iso\u2069',
  `<script>${MARK};alert(1)</script>`,
  `<img src=x onerror="${MARK};alert(2)">`,
  `javascript:${MARK};alert(3)`,
  '<img src="http://evil.example/pixel.png">',
  '<a href="javascript:alert(4)">click</a>',
].join(' ');
const HUGE = `${PAYLOAD} ${'A'.repeat(1_000_000)}`;
const USER = `${PAYLOAD}@contoso.com`;
/** A user whose name holds percent-escapes itself: its page must show it as written, not decoded twice. */
const PERCENT_USER = 'pct%40user%2Fx@contoso.com';

interface Probe {
  pwned: unknown;
  scripts: number;
  images: number;
  handlers: string[];
  jsLinks: number;
  foreignLinks: number;
  text: string;
}

describe('hostile audit strings in the dashboard', () => {
  let h: WebHarness;
  let alertId: string;
  before(async () => {
    const base = join(process.env.TMPDIR ?? '/tmp', `aw-web-rules-${process.pid}`);
    mkdirSync(base, { recursive: true });
    writeFileSync(
      join(base, 'hostile.yml'),
      `title: "${PAYLOAD.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\u202E/g, '\\u202E').replace(/\u001b/g, '\\e').replace(/\u0000/g, '\\0').replace(/\u0007/g, '\\a').replace(/\u2066/g, '\\u2066').replace(/\u2069/g, '\\u2069')}"\nid: 9d7c1f3e-1111-4222-8333-444455556666\nstatus: test\nlogsource: { product: m365, service: azuread }\ndetection:\n  sel: { Operation: NeverSeenOperation }\n  condition: sel\nlevel: low\n`,
    );
    writeFileSync(join(base, 'broken.yml'), `title: <script>${MARK}</script>\ndetection: [\n`);
    const rows = [
      ...bruteForce(1, USER),
      record(100, 20, { Operation: HUGE, Workload: PAYLOAD, ResultStatus: PAYLOAD, UserId: USER, ExtraField: HUGE, [PAYLOAD]: PAYLOAD }),
      record(101, 15, { Operation: 'FileAccessed', Workload: 'SharePoint', UserId: PERCENT_USER, ClientIP: '198.51.100.7' }),
    ];
    h = await startWebHarness({ rows, yaml: `detect:\n  ruleDirs: [${JSON.stringify(base)}]\n` });
    const svc = createAlertService({ store: h.store, clock: systemClock, config: { destinations: [] } });
    const now = Date.now();
    await svc.ingestHits([
      {
        ruleId: `rule ${PAYLOAD}`,
        title: HUGE,
        severity: 'critical',
        tags: [PAYLOAD, 'attack.t1110'],
        tenantId: `${TENANT}${PAYLOAD}`,
        groupKey: HUGE,
        entities: { users: [USER, HUGE], ips: [PAYLOAD], mailboxes: [PAYLOAD], applications: [HUGE], files: [PAYLOAD] },
        firstSeen: now - 3_600_000,
        lastSeen: now - 60_000,
        count: 7,
        evidence: ['00000000-0000-4000-8000-000000000100'],
      },
    ]);
    const list = await h.operations.alertsList({});
    alertId = list.data.find((a) => a.severity === 'critical')!.id;
    await h.operations.alertsAssign({ id: alertId, actor: 'root', assignee: PAYLOAD });
    await h.operations.alertsComment({ id: alertId, actor: 'root', text: `${PAYLOAD} ${'B'.repeat(9000)}` });
  });
  after(async () => {
    await h?.close();
  });

  const probe = (w: Awaited<ReturnType<WebHarness['page']>>) =>
    w.page.evaluate((): Probe => {
      const doc = (globalThis as unknown as { document: any; __pwned?: unknown }).document; // eslint-disable-line @typescript-eslint/no-explicit-any
      const all = [...doc.querySelectorAll('*')] as { attributes: { name: string }[]; tagName: string }[];
      return {
        pwned: (globalThis as unknown as { __pwned?: unknown }).__pwned,
        scripts: doc.querySelectorAll('script').length,
        images: doc.querySelectorAll('img, iframe, object, embed').length,
        handlers: all.flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${el.tagName}.${a.name}`)),
        jsLinks: doc.querySelectorAll('a[href^="javascript:" i]').length,
        foreignLinks: [...doc.querySelectorAll('a[href]')].filter((a: { getAttribute(n: string): string }) => !a.getAttribute('href').startsWith('/')).length,
        text: doc.body.innerText as string,
      };
    });

  const check = async (w: Awaited<ReturnType<WebHarness['page']>>, where: string, mustShow: RegExp) => {
    const p = await probe(w);
    assert.equal(p.pwned, undefined, `${where}: no payload ran`);
    assert.equal(p.scripts, 1, `${where}: only the bundle's script element`);
    assert.equal(p.images, 0, `${where}: no image or frame from the data`);
    assert.deepEqual(p.handlers, [], `${where}: no event-handler attribute`);
    assert.equal(p.jsLinks, 0, `${where}: no javascript: link`);
    assert.equal(p.foreignLinks, 0, `${where}: links only to app paths`);
    assert.ok(!/[\u202E\u2066\u2069\u001b\u0000\u0007]/.test(p.text), `${where}: control and bidi characters are escaped`);
    assert.ok(p.text.length < 200_000, `${where}: 1 MB values are cut (${p.text.length} characters shown)`);
    assert.match(p.text, mustShow, `${where}: the hostile text is shown, as text`);
    assert.deepEqual(w.dialogs, [], `${where}: no dialog`);
    assert.deepEqual(w.foreign, [], `${where}: no request to another origin`);
    assert.deepEqual(w.errors, [], `${where}: no page error`);
  };

  it('keeps every page inert: queue, alert, user, IP, search, overview, reports, rules', async () => {
    const w = await h.page();
    try {
      await signIn(w.page, h.url, 'root', undefined, '/alerts?status=');
      await w.page.waitForSelector(`#queue tr[data-id="${alertId}"]`);
      await check(w, 'queue', /<script>window\.__pwned=1;alert\(1\)<\/script>/);
      assert.match((await probe(w)).text, /evil\\u\{202E\}gnp\.exe/, 'the bidi override is shown as an escape');
      assert.match((await probe(w)).text, /\\u\{001B\}\[31mRED/, 'the ANSI escape is shown as an escape');

      await w.page.goto(`${h.url}/alerts/${encodeURIComponent(alertId)}`);
      await w.page.waitForSelector('#history li.comment');
      await check(w, 'alert', /<img src=x onerror=/);
      const title = (await w.page.textContent('h1')) ?? '';
      assert.ok(title.length < 400 && title.endsWith('…'), `the title is cut (${title.length})`);
      const more = w.page.locator('.more button').first();
      if (await more.count()) {
        await more.click();
        await check(w, 'alert, show more', /AAAA/);
      }

      await w.page.goto(`${h.url}/users/${encodeURIComponent(USER)}`);
      await w.page.waitForSelector('h1');
      await w.page.waitForLoadState('networkidle');
      await check(w, 'user page', /javascript:window\.__pwned/);

      // A name with percent-escapes of its own is shown, and looked up, as written.
      await w.page.goto(`${h.url}/users/${encodeURIComponent(PERCENT_USER)}`);
      await w.page.waitForSelector('h1');
      await w.page.waitForLoadState('networkidle');
      assert.equal((await w.page.textContent('h1'))?.trim(), `User ${PERCENT_USER}`);
      assert.match((await probe(w)).text, /198\.51\.100\.7/, 'the page found the user\'s events (its IP)');

      await w.page.goto(`${h.url}/ips/${encodeURIComponent(PAYLOAD)}`);
      await w.page.waitForLoadState('networkidle');
      await check(w, 'IP page', /evil/);

      await w.page.goto(`${h.url}/search?user=${encodeURIComponent(USER)}`);
      await w.page.waitForSelector('#events tbody tr');
      // The user cell shows the script as text, cut with an ellipsis.
      await check(w, 'search', /evil\\u\{202E\}gnp\.exe .*<script>window\.__pwned=1;alert\(1\)<\/s…/);

      await w.page.goto(`${h.url}/rules`);
      await w.page.waitForSelector('#load-errors');
      await check(w, 'rules', /<script>window\.__pwned=1;alert\(1\)<\/script>/);

      await w.page.goto(`${h.url}/`);
      await w.page.waitForLoadState('networkidle');
      await check(w, 'overview', /Overview|overview/);

      await w.page.goto(`${h.url}/reports`);
      await w.page.waitForLoadState('networkidle');
      await check(w, 'reports', /Reports/);
    } finally {
      await w.close();
    }
  });
});
