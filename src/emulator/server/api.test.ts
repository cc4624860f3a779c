// The activity feed over real HTTP: token checks and their codes, subscriptions and their rules, content
// listing windows and NextPageUri paging, blob retrieval and expiry, notifications and dlpSensitiveTypes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../core/index.js';
import { startEmulator, type RunningEmulator } from '../index.js';
import { createFixtureSource, errorCode, feed, FIXTURE_START, tokenFor } from './fixtures.testing.js';

const HOUR = 3_600_000;
const AAD = 'Audit.AzureActiveDirectory';

async function withEmulator(
  fn: (em: RunningEmulator, clock: ManualClock, source: ReturnType<typeof createFixtureSource>) => Promise<void>,
  options: { pageSize?: number; roles?: (i: number) => string[] } = {},
) {
  const clock = new ManualClock(FIXTURE_START + 2 * HOUR);
  const source = createFixtureSource({ tenants: 2, ...(options.roles ? { roles: options.roles } : {}) });
  const em = await startEmulator({ source, clock, ...(options.pageSize ? { pageSize: options.pageSize } : {}) });
  try {
    await fn(em, clock, source);
  } finally {
    await em.close();
  }
}

test('tokens: missing, malformed, expired, wrong audience, wrong tenant, unknown tenant, not a GUID', async () => {
  await withEmulator(async (em, clock) => {
    const [t0, t1] = [em.tenants[0]!, em.tenants[1]!];
    const none = await feed(em.url, t0.tenantId, null, 'subscriptions/list');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await feed(em.url, t0.tenantId, 'not.a.jwt', 'subscriptions/list')).status, 401);

    const wrongAud = await em.control.mintToken({ tenantId: t0.tenantId, aud: 'https://graph.microsoft.com' });
    const r1 = await feed(em.url, t0.tenantId, wrongAud, 'subscriptions/list');
    assert.equal(r1.status, 401);
    assert.equal(errorCode(r1.json), 'AF20010');

    const token1 = await tokenFor(em.url, t1);
    const r2 = await feed(em.url, t0.tenantId, token1, 'subscriptions/list');
    assert.equal(r2.status, 401);
    assert.equal(errorCode(r2.json), 'AF20010');
    assert.match((r2.json as { error: { message: string } }).error.message, /does not match the tenant ID passed in the access token/);

    const ghost = randomUUID();
    const r3 = await feed(em.url, ghost, await em.control.mintToken({ tenantId: ghost }), 'subscriptions/list');
    assert.equal(r3.status, 400);
    assert.equal(errorCode(r3.json), 'AF20011');

    const r4 = await feed(em.url, 'contoso.onmicrosoft.com', await tokenFor(em.url, t0), 'subscriptions/list');
    assert.equal(r4.status, 400);
    assert.equal(errorCode(r4.json), 'AF20013');

    const token0 = await tokenFor(em.url, t0);
    assert.equal((await feed(em.url, t0.tenantId, token0, 'subscriptions/list')).status, 200);
    clock.advance(3600 * 1000);
    const expired = await feed(em.url, t0.tenantId, token0, 'subscriptions/list');
    assert.equal(expired.status, 401);
    const minted = await em.control.mintToken({ tenantId: t0.tenantId, lifetimeSeconds: -60 });
    assert.equal((await feed(em.url, t0.tenantId, minted, 'subscriptions/list')).status, 401);
  });
});

test('roles: no ActivityFeed.Read → AF10001 (403); DLP.All without ActivityFeed.ReadDlp → AF10001', async () => {
  await withEmulator(
    async (em) => {
      const noRead = await feed(em.url, em.tenants[0]!.tenantId, await tokenFor(em.url, em.tenants[0]!), 'subscriptions/list');
      assert.equal(noRead.status, 403);
      assert.equal(errorCode(noRead.json), 'AF10001');
      const t1 = em.tenants[1]!;
      const token = await tokenFor(em.url, t1);
      assert.equal((await feed(em.url, t1.tenantId, token, `subscriptions/start?contentType=DLP.All`, { method: 'POST' })).status, 200);
      const dlp = await feed(em.url, t1.tenantId, token, `subscriptions/content?contentType=DLP.All`);
      assert.equal(dlp.status, 403);
      assert.match(JSON.stringify(dlp.json), /ActivityFeed\.ReadDlp/);
    },
    { roles: (i) => (i === 0 ? ['ActivityFeed.ReadDlp'] : ['ActivityFeed.Read']) },
  );
});

test('subscriptions: start, AF20024, the 15-minute rule, list, stop, AF20022/AF20023, AF20020', async () => {
  await withEmulator(async (em, clock) => {
    const t = em.tenants[0]!;
    const token = await tokenFor(em.url, t);
    const call = (path: string, method = 'GET', body?: string) => feed(em.url, t.tenantId, token, path, body === undefined ? { method } : { method, body });
    assert.deepEqual((await call('subscriptions/list')).json, []);
    const none = await call(`subscriptions/content?contentType=${AAD}`);
    assert.equal(none.status, 400);
    assert.equal(errorCode(none.json), 'AF20022');
    const bad = await call('subscriptions/start?contentType=Audit.Nope', 'POST');
    assert.equal(errorCode(bad.json), 'AF20020');
    assert.equal(errorCode((await call('subscriptions/start', 'POST')).json), 'AF20001');

    const started = await call(`subscriptions/start?contentType=${AAD}&PublisherIdentifier=${t.tenantId}`, 'POST');
    assert.equal(started.status, 200);
    assert.deepEqual(started.json, { contentType: AAD, status: 'enabled', webhook: null });

    clock.advance(4000);
    const tooSoon = await call(`subscriptions/start?contentType=${AAD}`, 'POST');
    assert.equal(tooSoon.status, 429);
    assert.equal((tooSoon.json as { error: { message: string } }).error.message, 'Too many frequent subscription start requests. Please retry again after 14m 56s');

    clock.advance(15 * 60_000);
    const again = await call(`subscriptions/start?contentType=${AAD}`, 'POST');
    assert.equal(again.status, 400);
    assert.equal(errorCode(again.json), 'AF20024');

    // Another content type is not held back by the first one's start.
    assert.equal((await call('subscriptions/start?contentType=audit.exchange', 'POST')).status, 200);
    const list = (await call('subscriptions/list')).json as { contentType: string; status: string }[];
    assert.deepEqual(list.map((s) => `${s.contentType}:${s.status}`).sort(), ['Audit.AzureActiveDirectory:enabled', 'Audit.Exchange:enabled']);

    const stopped = await call(`subscriptions/stop?contentType=${AAD}`, 'POST');
    assert.equal(stopped.status, 200);
    assert.equal(stopped.text, '');
    assert.equal(errorCode((await call(`subscriptions/content?contentType=${AAD}`)).json), 'AF20023');
    assert.equal(errorCode((await call('subscriptions/stop?contentType=Audit.General', 'POST')).json), 'AF20022');
    const listAfter = (await call('subscriptions/list')).json as { contentType: string; status: string }[];
    assert.equal(listAfter.find((s) => s.contentType === AAD)?.status, 'disabled');
    clock.advance(15 * 60_000);
    assert.equal((await call(`subscriptions/start?contentType=${AAD}`, 'POST')).status, 200);
    assert.equal((await call(`subscriptions/content?contentType=${AAD}`)).status, 200);
  });
});

test('content windows: formats accepted, and every AF20055 rule', async () => {
  await withEmulator(async (em, clock) => {
    const t = em.tenants[0]!;
    const token = await tokenFor(em.url, t);
    await feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${AAD}`, { method: 'POST' });
    const list = (q: string) => feed(em.url, t.tenantId, token, `subscriptions/content?contentType=${AAD}${q}`);
    const day = '2026-01-10';
    const ok: [string, string][] = [
      [`${day}`, '2026-01-11'],
      [`${day}T00:00`, `${day}T02:00`],
      [`${day}T00:00:00`, `${day}T02:00:00`],
      [`${day}T00:00:00Z`, `${day}T02:00:00Z`],
      [`${day}T00:00:00.0000000Z`, `${day}T02:00:00.123Z`],
      [`${day}T00:00:00+00:00`, `${day}T02:00:00+00:00`],
      ['2026-01-03T01:30:00', '2026-01-04T01:00:00'], // 7 days and 30 minutes back: tolerated, as production does
      [`${day}T01:00:00`, '2026-01-11T00:00:00'], // future end
    ];
    for (const [s, e] of ok) {
      const r = await list(`&startTime=${encodeURIComponent(s)}&endTime=${encodeURIComponent(e)}`);
      assert.equal(r.status, 200, `${s} ${e}: ${r.text}`);
    }
    const full = await list(`&startTime=${day}T00:00:00&endTime=${day}T02:00:00`);
    assert.equal((full.json as unknown[]).length, 6);
    const none = await list('');
    assert.equal(none.status, 200, 'neither time = the last 24 hours');
    assert.equal((none.json as unknown[]).length, 6);
    const bad: string[] = [
      `&startTime=${day}T00:00:00`,
      `&endTime=${day}T00:00:00`,
      `&startTime=${day}T02:00:00&endTime=${day}T01:00:00`,
      `&startTime=${day}T02:00:00&endTime=${day}T02:00:00`,
      `&startTime=2026-01-09T00:00:00&endTime=${day}T00:00:01`,
      '&startTime=2026-01-02T23:00:00&endTime=2026-01-03T01:00:00',
      `&startTime=10/01/2026&endTime=11/01/2026`,
      `&startTime=${day}T25:00:00&endTime=${day}T26:00:00`,
      '&startTime=2026-02-30&endTime=2026-03-01',
    ];
    for (const q of bad) {
      const r = await list(q);
      assert.equal(r.status, 400, q);
      assert.equal(errorCode(r.json), 'AF20055', q);
    }
  });
});

test('paging: NextPageUri is a full URL on the same window, every blob comes once; AF20031 for a bad nextPage', async () => {
  await withEmulator(
    async (em) => {
      const t = em.tenants[0]!;
      const token = await tokenFor(em.url, t);
      await feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${AAD}`, { method: 'POST' });
      let next: string | null = `${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/content?contentType=${AAD}&startTime=2026-01-10T00:00:00&endTime=2026-01-10T12:00:00&PublisherIdentifier=${t.tenantId}`;
      const seen: string[] = [];
      let pages = 0;
      while (next) {
        const res: Response = await fetch(next, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { contentId: string; contentUri: string; contentCreated: string; contentExpiration: string }[];
        for (const b of body) {
          seen.push(b.contentId);
          assert.equal(b.contentUri, `${em.url}/api/v1.0/${t.tenantId}/activity/feed/audit/${b.contentId}`);
          assert.equal(Date.parse(b.contentExpiration) - Date.parse(b.contentCreated), 7 * 24 * HOUR);
        }
        pages++;
        next = res.headers.get('nextpageuri');
        if (next) {
          const u = new URL(next);
          assert.equal(u.origin, em.url);
          assert.equal(u.searchParams.get('startTime'), '2026-01-10T00:00:00');
          assert.equal(u.searchParams.get('endTime'), '2026-01-10T12:00:00');
          assert.ok(u.searchParams.get('nextPage'));
        }
      }
      assert.equal(pages, 3);
      assert.equal(seen.length, 6);
      assert.equal(new Set(seen).size, 6);
      const bad = await feed(em.url, t.tenantId, token, `subscriptions/content?contentType=${AAD}&startTime=2026-01-10&endTime=2026-01-11&nextPage=garbage!`);
      assert.equal(bad.status, 400);
      assert.equal(errorCode(bad.json), 'AF20031');
    },
    { pageSize: 2 },
  );
});

test('blobs: the JSON array as listed, AF20050 unknown, AF20052 invalid, AF20051 after 7 days', async () => {
  await withEmulator(async (em, clock, source) => {
    const t = em.tenants[0]!;
    const token = await tokenFor(em.url, t);
    const blob = source.blobs.find((b) => b.meta.tenantId === t.tenantId && b.meta.contentType === AAD)!;
    const r = await feed(em.url, t.tenantId, token, `audit/${blob.meta.contentId}?PublisherIdentifier=${t.tenantId}`);
    assert.equal(r.status, 200);
    assert.equal(r.text, blob.body);
    assert.deepEqual((r.json as { Id: string }[]).map((x) => x.Id), blob.ids);
    const other = await feed(em.url, t.tenantId, token, `audit/${source.blobs.find((b) => b.meta.tenantId !== t.tenantId)!.meta.contentId}`);
    assert.equal(errorCode(other.json), 'AF20050', "another tenant's blob is not found");
    assert.equal(errorCode((await feed(em.url, t.tenantId, token, 'audit/20260110000000$nope')).json), 'AF20050');
    assert.equal(errorCode((await feed(em.url, t.tenantId, token, 'audit/bad%20id%3Cscript%3E')).json), 'AF20052');
    clock.set(blob.meta.contentExpiration - 1000);
    const fresh = await em.control.mintToken({ tenantId: t.tenantId });
    assert.equal((await feed(em.url, t.tenantId, fresh, `audit/${blob.meta.contentId}`)).status, 200);
    clock.advance(1000);
    const gone = await feed(em.url, t.tenantId, fresh, `audit/${blob.meta.contentId}`);
    assert.equal(gone.status, 400);
    assert.equal(errorCode(gone.json), 'AF20051');
  });
});

test('notifications listing and dlpSensitiveTypes with the Accept-Language rules', async () => {
  await withEmulator(async (em) => {
    const t = em.tenants[0]!;
    const token = await tokenFor(em.url, t);
    assert.equal(errorCode((await feed(em.url, t.tenantId, token, `subscriptions/notifications?contentType=${AAD}`)).json), 'AF20022');
    await feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${AAD}`, { method: 'POST' });
    const n = await feed(em.url, t.tenantId, token, `subscriptions/notifications?contentType=${AAD}&startTime=2026-01-10&endTime=2026-01-11`);
    assert.equal(n.status, 200);
    assert.deepEqual(n.json, []);
    const types = await feed(em.url, t.tenantId, token, 'resources/dlpSensitiveTypes', { headers: { 'Accept-Language': 'en-US' } });
    assert.equal(types.status, 200);
    const list = types.json as { id: string; name: string }[];
    assert.ok(list.some((x) => x.name === 'CreditCardNumber'));
    const two = await feed(em.url, t.tenantId, token, 'resources/dlpSensitiveTypes', { headers: { 'Accept-Language': 'en-US, fr-FR' } });
    assert.equal(errorCode(two.json), 'AF20053');
    const broken = await feed(em.url, t.tenantId, token, 'resources/dlpSensitiveTypes', { headers: { 'Accept-Language': 'en_US;;' } });
    assert.equal(errorCode(broken.json), 'AF20054');
    const wrongMethod = await feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${AAD}`);
    assert.equal(wrongMethod.status, 405);
    const missing = await fetch(`${em.url}/api/v1.0/${t.tenantId}/activity/feed/nowhere`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(missing.status, 404);
    await missing.text();
  });
});

test('content that became available while a subscription was stopped is never listed', async () => {
  await withEmulator(async (em, clock) => {
    const t = em.tenants[0]!;
    const token = await tokenFor(em.url, t);
    const SP = 'Audit.SharePoint';
    await feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${SP}`, { method: 'POST' });
    await feed(em.url, t.tenantId, token, `subscriptions/stop?contentType=${SP}`, { method: 'POST' });
    const lost = em.control.inject('fixture-burst', { tenantId: t.tenantId }, clock.now() + 60_000);
    clock.advance(16 * 60_000);
    assert.equal((await feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${SP}`, { method: 'POST' })).status, 200);
    const kept = em.control.inject('fixture-burst', { tenantId: t.tenantId }, clock.now() + 60_000);
    clock.advance(2 * 60_000);
    const listed = (await feed(em.url, t.tenantId, token, `subscriptions/content?contentType=${SP}`)).json as { contentId: string }[];
    const bodies = await Promise.all(listed.map((b) => feed(em.url, t.tenantId, token, `audit/${b.contentId}`)));
    const ids = new Set(bodies.flatMap((b) => (b.json as { Id: string }[]).map((r) => r.Id)));
    assert.ok(kept.recordIds.every((id) => ids.has(id)));
    assert.ok(lost.recordIds.every((id) => !ids.has(id)));
    assert.equal(listed.length, 7);
  });
});
