// Throttling (AF429 with HTTP 403, per tenant with PublisherIdentifier, one common quota without it,
// recovery the next minute), each fault kind seen by a real client, and the /_emulator/ control surface.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ManualClock } from '../../core/index.js';
import { startEmulator, type RunningEmulator } from '../index.js';
import { createFixtureSource, errorCode, feed, FIXTURE_START, tokenFor } from './fixtures.testing.js';
import type { FaultOptions } from './faults.js';

const AAD = 'Audit.AzureActiveDirectory';

async function withEmulator(fn: (em: RunningEmulator, clock: ManualClock) => Promise<void>, extra: { throttlePerMinute?: number; faults?: FaultOptions } = {}) {
  const clock = new ManualClock(FIXTURE_START + 2 * 3_600_000);
  const em = await startEmulator({ source: createFixtureSource({ tenants: 2 }), clock, seed: 42, ...extra });
  try {
    await fn(em, clock);
  } finally {
    await em.close();
  }
}

test('throttling: AF429 with HTTP 403 past the quota, per tenant with PublisherIdentifier, common without; recovers next minute', async () => {
  await withEmulator(
    async (em, clock) => {
      const [t0, t1] = [em.tenants[0]!, em.tenants[1]!];
      const [k0, k1] = [await tokenFor(em.url, t0), await tokenFor(em.url, t1)];
      clock.set(Math.ceil(clock.now() / 60_000) * 60_000); // start of a minute
      const withPub = (t: typeof t0, k: string) => feed(em.url, t.tenantId, k, `subscriptions/list?PublisherIdentifier=${t.tenantId}`);
      for (let i = 0; i < 5; i++) assert.equal((await withPub(t0, k0)).status, 200);
      const throttled = await withPub(t0, k0);
      assert.equal(throttled.status, 403);
      assert.equal(errorCode(throttled.json), 'AF429');
      assert.equal((throttled.json as { error: { message: string } }).error.message, `Too many requests. Method=ListSubscriptions, PublisherId=${t0.tenantId}`);
      // The other tenant and the common pool have their own quotas.
      assert.equal((await withPub(t1, k1)).status, 200);
      for (let i = 0; i < 5; i++) assert.equal((await feed(em.url, t1.tenantId, k1, 'subscriptions/list')).status, 200);
      const common = await feed(em.url, t0.tenantId, k0, 'subscriptions/list');
      assert.equal(common.status, 403);
      assert.match(JSON.stringify(common.json), /PublisherId=00000000-0000-0000-0000-000000000000/);
      const stats = em.control.stats();
      assert.equal(stats.throttled[`tenant:${t0.tenantId}`], 1);
      assert.equal(stats.throttled.common, 1);
      clock.advance(60_000);
      assert.equal((await withPub(t0, k0)).status, 200);
      assert.equal((await feed(em.url, t0.tenantId, k0, 'subscriptions/list')).status, 200);
    },
    { throttlePerMinute: 5 },
  );
});

function rawGet(url: string, token: string): Promise<{ kind: 'response'; status: number; body: string; complete: boolean } | { kind: 'error'; code: string }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ kind: 'response', status: res.statusCode ?? 0, body, complete: res.complete }));
      res.on('error', () => resolve({ kind: 'response', status: res.statusCode ?? 0, body, complete: false }));
      res.on('aborted', () => resolve({ kind: 'response', status: res.statusCode ?? 0, body, complete: false }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'error', code: err.code ?? err.message }));
    req.end();
  });
}

test('faults: 500, 503, AF50000, connection reset, truncated body and slow responses are each observable', async () => {
  await withEmulator(async (em) => {
    const t = em.tenants[0]!;
    const token = await tokenFor(em.url, t);
    await feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${AAD}`, { method: 'POST' });
    const url = `${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/content?contentType=${AAD}&startTime=2026-01-10&endTime=2026-01-11`;
    const only = (f: FaultOptions) => em.control.setFaults({ rate500: 0, rate503: 0, rateAf50000: 0, resetRate: 0, truncateRate: 0, slowRate: 0, ...f });

    only({ rate500: 1 });
    assert.deepEqual(await rawGet(url, token).then((r) => r.kind === 'response' && r.status), 500);
    only({ rate503: 1 });
    assert.deepEqual(await rawGet(url, token).then((r) => r.kind === 'response' && r.status), 503);
    only({ rateAf50000: 1 });
    const af = await feed(em.url, t.tenantId, token, `subscriptions/list`);
    assert.equal(af.status, 500);
    assert.equal(errorCode(af.json), 'AF50000');
    only({ resetRate: 1 });
    const reset = await rawGet(url, token);
    assert.equal(reset.kind, 'error');
    only({ truncateRate: 1 });
    const cut = await rawGet(url, token);
    assert.ok(cut.kind === 'error' || !cut.complete, `truncated response should be incomplete: ${JSON.stringify(cut)}`);
    await assert.rejects(fetch(url, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.text()));
    only({ slowRate: 1, slowMs: 50 });
    const slow = await rawGet(url, token);
    assert.equal(slow.kind === 'response' && slow.status, 200);
    only({});
    const stats = em.control.stats();
    for (const kind of ['500', '503', 'AF50000', 'reset', 'truncate', 'slow']) assert.ok((stats.faults[kind] ?? 0) >= 1, kind);
    assert.ok((stats.detail[`${t.tenantId} ListContent reset`] ?? 0) >= 1);
    // A partial rate is deterministic for the seed: the same sequence of requests meets the same faults.
    const pattern = async () => {
      const e2 = await startEmulator({ source: createFixtureSource(), clock: new ManualClock(FIXTURE_START + 7_200_000), seed: 7, faults: { rate500: 0.5 } });
      try {
        const k = await tokenFor(e2.url, e2.tenants[0]!);
        const out: number[] = [];
        for (let i = 0; i < 12; i++) out.push((await feed(e2.url, e2.tenants[0]!.tenantId, k, 'subscriptions/list')).status);
        return out;
      } finally {
        await e2.close();
      }
    };
    const [a, b] = [await pattern(), await pattern()];
    assert.deepEqual(a, b);
    assert.ok(a.includes(500) && a.includes(200));
  });
});

test('control surface: tenants, ground truth, scenarios, faults, throttle, clock, token, stats and reset', async () => {
  await withEmulator(async (em, clock) => {
    const get = async (op: string) => {
      const r = await fetch(`${em.url}/_emulator/${op}`);
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const post = async (op: string, body: unknown) => {
      const r = await fetch(`${em.url}/_emulator/${op}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const tenants = (await get('tenants')).json as unknown as { tenantId: string; certificatePem: string; privateKeyPem: string; thumbprint: string }[];
    assert.equal(tenants.length, 2);
    assert.match(tenants[0]!.certificatePem, /BEGIN CERTIFICATE/);
    assert.match(tenants[0]!.privateKeyPem, /BEGIN PRIVATE KEY/);
    assert.match(tenants[0]!.thumbprint, /^[0-9A-F]{40}$/);

    const gt = (await get('ground-truth')).json as { scenarios: unknown[]; available: Record<string, Record<string, string[]>> };
    assert.deepEqual(gt.scenarios, []);
    assert.equal(gt.available[tenants[0]!.tenantId]?.[AAD]?.length, 18);

    const injected = await post('scenarios', { name: 'fixture-burst', params: { tenantId: tenants[1]!.tenantId } });
    assert.equal(injected.status, 200);
    assert.equal(injected.json.name, 'fixture-burst');
    assert.equal((await post('scenarios', { name: 'no-such' })).status, 400);
    const gt2 = (await get('ground-truth')).json as { scenarios: { name: string; recordIds: string[] }[] };
    assert.equal(gt2.scenarios.length, 1);
    assert.equal(gt2.scenarios[0]!.recordIds.length, 3);

    const faults = await post('faults', { rate503: 0.25 });
    assert.equal(faults.json.rate503, 0.25);
    assert.equal((await post('faults', { rate503: 2 })).status, 400);
    assert.equal((await post('faults', { nonsense: 1 })).status, 400);
    await post('faults', { rate503: 0 });

    assert.equal((await post('throttle', { perTenantPerMinute: 3 })).json.perTenantPerMinute, 3);

    const before = clock.now();
    const moved = await post('clock', { advance: '2h' });
    assert.equal(moved.status, 200);
    assert.equal(clock.now(), before + 7_200_000);
    await post('clock', { set: '2026-01-12T00:00:00Z' });
    assert.equal(clock.now(), Date.UTC(2026, 0, 12));

    const minted = await post('token', { tenantId: tenants[0]!.tenantId, roles: [] });
    const noRole = await feed(em.url, tenants[0]!.tenantId, String(minted.json.access_token), 'subscriptions/list');
    assert.equal(errorCode(noRole.json), 'AF10001');

    const stats = (await get('stats')).json as { byEndpoint: Record<string, number>; byStatus: Record<string, number>; byTenant: Record<string, number> };
    assert.equal(stats.byEndpoint.ListSubscriptions, 1);
    assert.equal(stats.byStatus['403'], 1);
    assert.equal(stats.byTenant[tenants[0]!.tenantId], 1);
    await post('reset-stats', {});
    assert.equal(((await get('stats')).json as { total: number }).total, 0);
    assert.equal((await get('nothing-here')).status, 404);
  });
});

test('the clock control refuses to move real time', async () => {
  const em = await startEmulator({ source: createFixtureSource() });
  try {
    const r = await fetch(`${em.url}/_emulator/clock`, { method: 'POST', body: '{"advance":"1h"}' });
    assert.equal(r.status, 409);
    await r.text();
  } finally {
    await em.close();
  }
});
