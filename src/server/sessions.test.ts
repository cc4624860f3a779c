// Sign-in with local accounts over real HTTP on a real DuckDB store: session cookie flags, one answer for
// an unknown name and a wrong password, rate limiting per name and address (429 + Retry-After), CSRF on
// every cookie write, roles per route (a viewer cannot ack), the actor is the signed-in user, sign-out
// and idle/absolute expiry end the session server-side, a password change ends it, the bearer token
// still works without CSRF, and no password reaches the log.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAlertService } from '../alerts/index.js';
import { silentLogger } from '../core/index.js';
import { createOperations } from '../service/index.js';
import { hit } from '../alerts/alerts.testing.js';
import { CookieClient, startAuthHarness, type AuthHarness } from './auth.testing.js';

const PASSWORDS = { vera: 'viewer password 1', ann: 'analyst password 2', ada: 'admin password 33' };
const MINUTE = 60_000;

describe('sign-in with local accounts', () => {
  let h: AuthHarness;
  let alertId = '';
  before(async () => {
    h = await startAuthHarness();
    const ops = createOperations({ config: h.config, store: h.store, clock: h.clock, logger: silentLogger });
    await ops.usersAdd({ name: 'vera', role: 'viewer', password: PASSWORDS.vera });
    await ops.usersAdd({ name: 'ann', role: 'analyst', password: PASSWORDS.ann });
    await ops.usersAdd({ name: 'ada', role: 'admin', password: PASSWORDS.ada });
    h.clock.advance(1000); // sessions start after the accounts were made
    const alerts = createAlertService({ store: h.store, clock: h.clock, config: { window: 86_400_000, destinations: [], routes: [] } });
    await alerts.ingestHits([hit({ groupKey: 'session-test', evidence: ['e1'] })]);
    alertId = (await alerts.list())[0]!.id;
  });
  after(async () => h.close());

  const signIn = async (name: keyof typeof PASSWORDS, client = new CookieClient(h.url)) => {
    const r = await client.send('/api/v1/session', { method: 'POST', json: { username: name, password: PASSWORDS[name] } });
    assert.equal(r.status, 200, r.body);
    return { client, data: r.json.data as { user: string; role: string; csrfToken: string; expiresAt: string }, answer: r };
  };

  it('names the ways to sign in without authentication', async () => {
    const r = await new CookieClient(h.url).send('/api/v1/auth/methods');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.data, { local: true, oidc: null });
  });

  it('signs in: session data, a cookie HttpOnly + SameSite=Strict + Path=/ without Secure over plain HTTP, and GET /session answers the same', async () => {
    const { client, data, answer } = await signIn('ann');
    assert.equal(data.user, 'ann');
    assert.equal(data.role, 'analyst');
    assert.match(data.csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Date.parse(data.expiresAt), h.clock.now() + 12 * 60 * MINUTE);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('aw_session='))!;
    assert.ok(cookie, answer.headers.getSetCookie().join(' | '));
    assert.match(cookie, /^aw_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Strict/);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Secure/);
    const again = await client.send('/api/v1/session');
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.data, { ...data, method: 'local' });
    // The store keeps the id's hash, never the id.
    const id = client.cookies.get('aw_session')!;
    assert.equal(await h.store.state.sessions.get(id), null);
  });

  it('gives one answer for an unknown name and a wrong password, and refuses a form post', async () => {
    const c = new CookieClient(h.url);
    const wrong = await c.send('/api/v1/session', { method: 'POST', json: { username: 'vera', password: 'not her password' } });
    const unknown = await c.send('/api/v1/session', { method: 'POST', json: { username: 'nobody', password: 'not her password' } });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.json.error.code, 'login_failed');
    assert.equal(wrong.body, unknown.body);
    assert.equal(c.cookies.size, 0);
    const form = await c.send('/api/v1/session', { method: 'POST', body: 'username=vera&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 400);
  });

  it('rate-limits failed sign-ins per name and address: 429 with Retry-After, even with the right password, until the window passes', async () => {
    const c = new CookieClient(h.url);
    for (let i = 0; i < 5; i++) {
      assert.equal((await c.send('/api/v1/session', { method: 'POST', json: { username: 'ada', password: `guess ${i}` } })).status, 401);
    }
    const limited = await c.send('/api/v1/session', { method: 'POST', json: { username: 'ada', password: PASSWORDS.ada } });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, 'login_rate_limited');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 15 * 60, String(retry));
    assert.equal(c.cookies.size, 0);
    // Another name from the same address is not limited yet (the address allows 20).
    await signIn('vera');
    h.clock.advance(retry * 1000);
    await signIn('ada');
  });

  it('refuses a cookie write without the CSRF token (403 csrf_failed), or with a wrong one', async () => {
    const { client, data } = await signIn('ann');
    const none = await client.send(`/api/v1/alerts/${alertId}/comment`, { method: 'POST', json: { text: 'no token' } });
    assert.equal(none.status, 403);
    assert.equal(none.json.error.code, 'csrf_failed');
    const wrong = await client.send(`/api/v1/alerts/${alertId}/comment`, { method: 'POST', json: { text: 'bad token' }, headers: { 'x-csrf-token': `${data.csrfToken.slice(0, -1)}A` } });
    assert.equal(wrong.status, 403);
    assert.equal((await client.send(`/api/v1/alerts/${alertId}`)).status, 200, 'reads need no token');
    const history = (await client.send(`/api/v1/alerts/${alertId}`)).json.data.history as { action: string }[];
    assert.equal(history.filter((e) => e.action === 'comment').length, 0, 'nothing was written');
  });

  it('lets a viewer read but not ack (403 forbidden); an analyst acks and the history names the signed-in user, not the sent actor', async () => {
    const viewer = await signIn('vera');
    assert.equal((await viewer.client.send('/api/v1/alerts')).status, 200);
    const refused = await viewer.client.send(`/api/v1/alerts/${alertId}/ack`, { method: 'POST', json: {}, headers: { 'x-csrf-token': viewer.data.csrfToken } });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'forbidden');
    const analyst = await signIn('ann');
    const acked = await analyst.client.send(`/api/v1/alerts/${alertId}/ack`, { method: 'POST', json: { actor: 'mallory' }, headers: { 'x-csrf-token': analyst.data.csrfToken } });
    assert.equal(acked.status, 200, acked.body);
    assert.equal(acked.json.data.status, 'acknowledged');
    const shown = await analyst.client.send(`/api/v1/alerts/${alertId}`);
    const ack = (shown.json.data.history as { action: string; actor: string }[]).find((e) => e.action === 'ack');
    assert.equal(ack?.actor, 'ann');
    assert.doesNotMatch(shown.body, /mallory/);
    // Admin-only routes stay closed to an analyst.
    const q = await analyst.client.send('/api/v1/query', { method: 'POST', json: { sql: 'SELECT 1' }, headers: { 'x-csrf-token': analyst.data.csrfToken } });
    assert.equal(q.status, 403);
  });

  it('signs out: CSRF needed, the cookie cleared, the session gone server-side (the old cookie is refused)', async () => {
    const { client, data } = await signIn('ann');
    const stolen = new CookieClient(h.url);
    stolen.cookies.set('aw_session', client.cookies.get('aw_session')!);
    assert.equal((await client.send('/api/v1/session', { method: 'DELETE' })).status, 403);
    const out = await client.send('/api/v1/session', { method: 'DELETE', headers: { 'x-csrf-token': data.csrfToken } });
    assert.equal(out.status, 200);
    assert.match(out.headers.getSetCookie().join('\n'), /aw_session=;.*Max-Age=0/i);
    assert.equal(client.cookies.has('aw_session'), false);
    assert.equal((await stolen.send('/api/v1/session')).status, 401);
    assert.equal((await stolen.send('/api/v1/alerts')).status, 401);
  });

  it('ends a session after 30 min idle and 12 h after sign-in however busy, and when the password changes', async () => {
    const idle = await signIn('vera');
    h.clock.advance(29 * MINUTE);
    assert.equal((await idle.client.send('/api/v1/alerts')).status, 200);
    h.clock.advance(29 * MINUTE);
    assert.equal((await idle.client.send('/api/v1/alerts')).status, 200, 'the request before moved the idle clock');
    h.clock.advance(31 * MINUTE);
    assert.equal((await idle.client.send('/api/v1/alerts')).status, 401);

    const busy = await signIn('vera');
    for (let t = 0; t < 12 * 60; t += 20) {
      h.clock.advance(20 * MINUTE);
      const r = await busy.client.send('/api/v1/session');
      assert.equal(r.status, t + 20 < 12 * 60 ? 200 : 401, `after ${t + 20} min`);
    }

    const before = await signIn('ann');
    h.clock.advance(1000);
    const ops = createOperations({ config: h.config, store: h.store, clock: h.clock, logger: silentLogger });
    await ops.usersPasswd({ name: 'ann', password: 'a new analyst password' });
    assert.equal((await before.client.send('/api/v1/session')).status, 401);
    PASSWORDS.ann = 'a new analyst password';
  });

  it('keeps the bearer token working without CSRF (the CLI), and a wrong bearer is not rescued by a cookie', async () => {
    const c = new CookieClient(h.url);
    const r = await c.send(`/api/v1/alerts/${alertId}/comment`, { method: 'POST', json: { actor: 'cli-user', text: 'from the CLI' }, headers: { authorization: `Bearer ${h.server.token}` } });
    assert.equal(r.status, 200, r.body);
    const shown = await c.send(`/api/v1/alerts/${alertId}`, { headers: { authorization: `Bearer ${h.server.token}` } });
    assert.ok((shown.json.data.history as { actor: string }[]).some((e) => e.actor === 'cli-user'));
    const { client } = await signIn('ada');
    assert.equal((await client.send('/api/v1/alerts', { headers: { authorization: 'Bearer wrong' } })).status, 401);
  });

  it('never writes a password to the log', () => {
    const text = JSON.stringify(h.logs);
    assert.ok(h.logs.some((l) => l.msg === 'A sign-in failed.'));
    for (const p of [...Object.values(PASSWORDS), 'not her password', 'guess 0', 'admin password 33']) assert.ok(!text.includes(p), p);
  });
});

describe('sign-in over TLS settings', () => {
  it('sets Secure on the session cookie when collect.auth.secureCookies is true', async () => {
    const h = await startAuthHarness({ collectYaml: '  auth:\n    secureCookies: true\n' });
    try {
      await createOperations({ config: h.config, store: h.store, clock: h.clock, logger: silentLogger }).usersAdd({ name: 'sam', role: 'viewer', password: 'secure cookie pw' });
      h.clock.advance(1000);
      const r = await new CookieClient(h.url).send('/api/v1/session', { method: 'POST', json: { username: 'sam', password: 'secure cookie pw' } });
      assert.equal(r.status, 200);
      assert.match(r.headers.getSetCookie().join('\n'), /aw_session=[^;]+;.*; Secure/);
    } finally {
      await h.close();
    }
  });
});
