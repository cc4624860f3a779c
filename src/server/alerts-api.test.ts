// The alert queue's API over real HTTP on a real DuckDB store, signed in with local accounts: filters by
// assignee and time, the four sorts and offset paging; bulk ack / assign / resolve / suppress, each alert
// on its own (an unknown id is reported, the others change), written to history with the signed-in
// user; a viewer is refused the bulk route (403) and a bulk write without the CSRF token too; the
// overview counts open alerts by severity and per day.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAlertService } from '../alerts/index.js';
import { silentLogger } from '../core/index.js';
import { createOperations } from '../service/index.js';
import { hit } from '../alerts/alerts.testing.js';
import { CookieClient, startAuthHarness, type AuthHarness } from './auth.testing.js';

const PASSWORDS = { vera: 'viewer password 1', ann: 'analyst password 2' };
const MINUTE = 60_000;
const DAY = 86_400_000;

describe('the alert queue API', () => {
  let h: AuthHarness;
  const ids: Record<string, string> = {};
  before(async () => {
    h = await startAuthHarness();
    const ops = createOperations({ config: h.config, store: h.store, clock: h.clock, logger: silentLogger });
    await ops.usersAdd({ name: 'vera', role: 'viewer', password: PASSWORDS.vera });
    await ops.usersAdd({ name: 'ann', role: 'analyst', password: PASSWORDS.ann });
    const now = h.clock.now();
    const alerts = createAlertService({ store: h.store, clock: h.clock, config: { window: DAY, destinations: [], routes: [] } });
    await alerts.ingestHits([
      hit({ groupKey: 'alice', entities: { users: ['alice@contoso.com'] }, severity: 'low', count: 7, firstSeen: now - 3 * DAY, lastSeen: now - 3 * DAY + MINUTE }),
      hit({ groupKey: 'bob', entities: { users: ['bob@contoso.com'] }, severity: 'critical', count: 2, firstSeen: now - DAY, lastSeen: now - DAY + MINUTE }),
      hit({ groupKey: 'carol', entities: { users: ['carol@contoso.com'] }, severity: 'medium', count: 4, firstSeen: now - 2 * MINUTE, lastSeen: now - MINUTE }),
    ]);
    for (const a of await alerts.list()) ids[a.groupKey] = a.id;
    h.clock.advance(1000);
  });
  after(async () => h.close());

  const signIn = async (name: keyof typeof PASSWORDS) => {
    const client = new CookieClient(h.url);
    const r = await client.send('/api/v1/session', { method: 'POST', json: { username: name, password: PASSWORDS[name] } });
    assert.equal(r.status, 200, r.body);
    const csrf = r.json.data.csrfToken as string;
    return { client, post: (path: string, json: unknown, withCsrf = true) => client.send(path, { method: 'POST', json, headers: withCsrf ? { 'x-csrf-token': csrf } : {} }) };
  };
  const keysOf = (list: { groupKey: string }[]) => list.map((a) => a.groupKey);

  it('filters by time, sorts four ways and pages by offset', async () => {
    const { client } = await signIn('vera');
    const get = async (q: string) => {
      const r = await client.send(`/api/v1/alerts?${q}`);
      assert.equal(r.status, 200, r.body);
      return keysOf(r.json.data);
    };
    assert.deepEqual(await get(''), ['carol', 'bob', 'alice']);
    assert.deepEqual(await get('sort=oldest'), ['alice', 'bob', 'carol']);
    assert.deepEqual(await get('sort=severity'), ['bob', 'carol', 'alice']);
    assert.deepEqual(await get('sort=count'), ['alice', 'carol', 'bob']);
    assert.deepEqual(await get('since=2d'), ['carol', 'bob'], 'seen within 2 days');
    assert.deepEqual(await get('until=2d'), ['alice'], 'first seen before 2 days ago');
    assert.deepEqual(await get('limit=1&offset=1'), ['bob']);
    assert.deepEqual(await get('assignee=-'), ['carol', 'bob', 'alice'], 'all unassigned');
    const bad = await client.send('/api/v1/alerts?sort=loudest');
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /sort/);
  });

  it('refuses the bulk route to a viewer and without the CSRF token', async () => {
    const viewer = await signIn('vera');
    const refused = await viewer.post('/api/v1/alerts/bulk', { ids: [ids['bob']], action: 'ack' });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'forbidden');
    const analyst = await signIn('ann');
    const noCsrf = await analyst.post('/api/v1/alerts/bulk', { ids: [ids['bob']], action: 'ack' }, false);
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.json.error.code, 'csrf_failed');
    assert.equal((await h.store.state.alerts.get(ids['bob']!))!.status, 'new', 'nothing changed');
  });

  it('acks, assigns and resolves in bulk, each alert on its own, with the signed-in user in history', async () => {
    const { post, client } = await signIn('ann');
    const acked = await post('/api/v1/alerts/bulk', { ids: [ids['alice'], ids['bob'], 'al-none'], action: 'ack', actor: 'mallory' });
    assert.equal(acked.status, 200, acked.body);
    assert.deepEqual(acked.json.data.changed.map((c: { status: string }) => c.status), ['acknowledged', 'acknowledged']);
    assert.deepEqual(acked.json.data.failed.map((f: { id: string }) => f.id), ['al-none']);
    assert.match(acked.json.warnings[0], /1 of 3 alerts were not changed/);
    const assigned = await post('/api/v1/alerts/bulk', { ids: [ids['alice'], ids['bob']], action: 'assign', assignee: 'ann' });
    assert.equal(assigned.json.data.changed.length, 2);
    const mine = await client.send('/api/v1/alerts?assignee=ann');
    assert.deepEqual(keysOf(mine.json.data), ['bob', 'alice']);
    const unassigned = await client.send('/api/v1/alerts?assignee=-');
    assert.deepEqual(keysOf(unassigned.json.data), ['carol']);
    const resolved = await post('/api/v1/alerts/bulk', { ids: [ids['alice']], action: 'resolve', reason: 'password reset done' });
    assert.equal(resolved.json.data.changed[0].status, 'resolved');
    const detail = await client.send(`/api/v1/alerts/${ids['alice']}`);
    const history = detail.json.data.history as { actor: string; action: string; detail: string | null }[];
    assert.ok(history.length >= 4);
    assert.ok(history.slice(1).every((e) => e.actor === 'ann'), 'the session user, not the client-sent actor');
    assert.ok(history.some((e) => e.detail?.includes('password reset done')));
  });

  it('suppresses in bulk: a suppression per rule, tenant and user, the alerts closed as false positives; a reason is required', async () => {
    const { post, client } = await signIn('ann');
    const none = await post('/api/v1/alerts/bulk', { ids: [ids['carol']], action: 'suppress' });
    assert.equal(none.status, 400);
    assert.match(none.json.error.message, /reason/);
    const r = await post('/api/v1/alerts/bulk', { ids: [ids['carol'], ids['carol']], action: 'suppress', reason: 'carol runs the pen test' });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.data.suppressions.length, 1);
    assert.equal(r.json.data.changed[0].status, 'false_positive');
    const list = await client.send('/api/v1/suppressions');
    const s = (list.json.data as { id: string; ruleId: string; entities: string[]; createdBy: string; reason: string }[]).find((x) => x.id === r.json.data.suppressions[0]);
    assert.deepEqual([s?.ruleId, s?.entities, s?.createdBy, s?.reason], ['m365-brute-force', ['users:carol@contoso.com'], 'ann', 'carol runs the pen test']);
  });

  it('answers the overview: open alerts by severity, alerts per day, no collection entries without tenants', async () => {
    const { client } = await signIn('vera');
    const r = await client.send('/api/v1/overview');
    assert.equal(r.status, 200, r.body);
    const o = r.json.data;
    assert.deepEqual(o.openBySeverity, { informational: 0, low: 0, medium: 0, high: 0, critical: 1 }, 'bob is still open (acknowledged)');
    const total = (o.alertsPerDay as { count: number }[]).reduce((n, d) => n + d.count, 0);
    assert.equal(total, 3, 'every alert first seen in the last 14 days, whatever its status');
    assert.deepEqual(o.collection, []);
    assert.ok((o.attention as { message: string; link: string }[]).some((a) => a.message === '1 open critical alert' && a.link.includes('severity=critical')));
  });
});
