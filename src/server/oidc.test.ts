// Single sign-on end to end over real HTTP: the daemon's API signs a user in through the emulator's
// OpenID Connect provider (redirects followed with fetch, the provider's form posted), the role comes
// from the roles claim, the session acts under the user's name; a replayed callback, another browser's
// callback, a user without a mapped role, a tenant not allowed, an id_token of a foreign issuer and one
// signed by another emulator's key (a second instance) are all refused; the client secret, codes and
// tokens never reach the log. A small real HTTP proxy in front of the emulator routes the provider's
// endpoints, so the foreign tokens come from real emulators, not from fabricated answers.

import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/index.js';
import { createAlertService } from '../alerts/index.js';
import { hit } from '../alerts/alerts.testing.js';
import { EMULATED_USER_PASSWORD, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { createFixtureSource, FIXTURE_START } from '../emulator/server/fixtures.testing.js';
import { CookieClient, freePort, startAuthHarness, type AuthHarness } from './auth.testing.js';

type Mode = 'normal' | 'foreign-issuer' | 'other-instance';

/** A reverse proxy to emulator A; in the foreign modes the code grant (and sign-in) go elsewhere. */
async function startProxy(a: RunningEmulator, b: RunningEmulator): Promise<{ url: string; mode: Mode; server: Server }> {
  const state = { url: '', mode: 'normal' as Mode, server: null as unknown as Server };
  state.server = createServer((req, res) => {
    const path = req.url ?? '/';
    const grant = /\/oauth2\/v2\.0\/(authorize|token)/.test(path);
    const target = state.mode === 'other-instance' && grant ? b : a;
    const headers = { ...req.headers };
    // foreign-issuer: the token is asked of A under another name, so A signs it (its key, in the JWKS) as another issuer.
    if (state.mode === 'foreign-issuer' && path.includes('/token')) headers.host = `localhost:${a.port}`;
    const up = request({ host: '127.0.0.1', port: target.port, path, method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

const decodeHtml = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** What a browser does: start at the daemon, sign in on the provider's form, come back; the last answer. */
async function ssoSignIn(client: CookieClient, username: string, next = '/alerts', password = EMULATED_USER_PASSWORD) {
  const start = await client.send(`/auth/oidc/login?next=${encodeURIComponent(next)}`);
  assert.equal(start.status, 302, start.body);
  const authorize = start.headers.get('location')!;
  const html = await (await fetch(authorize)).text();
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(m[1]!, decodeHtml(m[2]!));
  fields.set('username', username);
  fields.set('password', password);
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!, authorize);
  const posted = await fetch(action, { method: 'POST', body: fields, redirect: 'manual' });
  assert.equal(posted.status, 302, await posted.text());
  const callback = posted.headers.get('location')!;
  return { start, callback, answer: await client.send(callback) };
}

describe('single sign-on with OpenID Connect through the emulator', () => {
  const clock = new ManualClock(FIXTURE_START + 3_600_000);
  let a: RunningEmulator;
  let b: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let h: AuthHarness;
  let tid = '';
  let domain = '';
  let secret = '';
  let alertId = '';
  const seenCodes: string[] = [];

  const oidcYaml = (o: { port: number; allowedTenants?: string[] }) => `  auth:
    oidc:
      issuer: ${proxy.url}/${tid}/v2.0
      clientId: ${a.tenants[0]!.clientId}
      clientSecret: { env: AW_TEST_OIDC_SECRET }
      redirectUrl: http://127.0.0.1:${o.port}/auth/oidc/callback
      label: Emulated Entra ID
      roleMap: { AuditWatch.Admin: admin, AuditWatch.Analyst: analyst }
      allowedTenants: [${(o.allowedTenants ?? [tid]).join(', ')}]
`;

  before(async () => {
    a = await startEmulator({ source: createFixtureSource(), clock });
    b = await startEmulator({ source: createFixtureSource(), clock });
    proxy = await startProxy(a, b);
    tid = a.tenants[0]!.tenantId;
    domain = a.tenants[0]!.domain;
    secret = a.tenants[0]!.clientSecret;
    const port = await freePort();
    h = await startAuthHarness({ clock, port, collectYaml: oidcYaml({ port }), env: { AW_TEST_OIDC_SECRET: secret } });
    const alerts = createAlertService({ store: h.store, clock, config: { window: 86_400_000, destinations: [], routes: [] } });
    await alerts.ingestHits([hit({ groupKey: 'sso-test', evidence: ['s1'] })]);
    alertId = (await alerts.list())[0]!.id;
  });
  after(async () => {
    await h.close();
    proxy.server.close();
    await a.close();
    await b.close();
  });

  it('offers single sign-on with its label', async () => {
    const r = await new CookieClient(h.url).send('/api/v1/auth/methods');
    assert.deepEqual(r.json.data, { local: true, oidc: { label: 'Emulated Entra ID' } });
  });

  it('signs an analyst in: PKCE, state and nonce sent; session cookie set; back to next; the actor is the user', async () => {
    const client = new CookieClient(h.url);
    const { start, callback, answer } = await ssoSignIn(client, `analyst@${domain}`, '/alerts/x?y=1');
    const to = new URL(start.headers.get('location')!);
    assert.equal(`${to.origin}${to.pathname}`, `${proxy.url}/${tid}/oauth2/v2.0/authorize`);
    for (const p of ['state', 'nonce', 'code_challenge']) assert.match(to.searchParams.get(p) ?? '', /^[A-Za-z0-9_-]{43}$/, p);
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(to.searchParams.get('scope'), 'openid profile email');
    assert.match(start.headers.getSetCookie().join('\n'), /aw_oidc=[^;]+;.*HttpOnly.*SameSite=Lax|aw_oidc=[^;]+;.*SameSite=Lax.*HttpOnly/);
    seenCodes.push(new URL(callback).searchParams.get('code')!);

    assert.equal(answer.status, 302, answer.body);
    assert.equal(answer.headers.get('location'), '/alerts/x?y=1');
    assert.match(answer.headers.getSetCookie().join('\n'), /aw_session=[A-Za-z0-9_-]{43};.*HttpOnly.*SameSite=Strict/);
    const session = await client.send('/api/v1/session');
    assert.equal(session.status, 200);
    assert.equal(session.json.data.user, `analyst@${domain}`);
    assert.equal(session.json.data.role, 'analyst');
    assert.equal(session.json.data.method, 'oidc');

    const ack = await client.send(`/api/v1/alerts/${alertId}/ack`, { method: 'POST', json: {}, headers: { 'x-csrf-token': session.json.data.csrfToken } });
    assert.equal(ack.status, 200, ack.body);
    const shown = await client.send(`/api/v1/alerts/${alertId}`);
    assert.equal((shown.json.data.history as { action: string; actor: string }[]).find((e) => e.action === 'ack')?.actor, `analyst@${domain}`);
  });

  it('refuses a replayed callback and a callback in another browser (no state cookie)', async () => {
    const client = new CookieClient(h.url);
    const { callback, answer } = await ssoSignIn(client, `admin@${domain}`, '/');
    assert.equal(answer.status, 302);
    seenCodes.push(new URL(callback).searchParams.get('code')!);
    const replay = await client.send(callback);
    assert.equal(replay.headers.get('location'), '/login?error=oidc_state');

    const victim = new CookieClient(h.url);
    const attacker = new CookieClient(h.url);
    const start = await attacker.send('/auth/oidc/login');
    assert.equal(start.status, 302);
    // The attacker's half-finished sign-in, completed in the victim's browser (login CSRF): refused.
    const flow = await ssoSignIn(attacker, `admin@${domain}`);
    const elsewhere = await victim.send(flow.callback);
    assert.equal(elsewhere.headers.get('location'), '/login?error=oidc_state');
    assert.equal(victim.cookies.has('aw_session'), false);
  });

  it('refuses a user whose roles claim maps to no role (no defaultRole), and keeps next relative', async () => {
    const client = new CookieClient(h.url);
    const { answer } = await ssoSignIn(client, `viewer@${domain}`);
    assert.equal(answer.headers.get('location'), '/login?error=oidc_no_role');
    assert.equal(client.cookies.has('aw_session'), false);
    const offsite = await ssoSignIn(new CookieClient(h.url), `admin@${domain}`, '//evil.example/steal');
    assert.equal(offsite.answer.headers.get('location'), '/');
  });

  it('refuses an id_token of a foreign issuer (signed by a trusted key, another iss)', async () => {
    proxy.mode = 'foreign-issuer';
    try {
      const client = new CookieClient(h.url);
      const { answer } = await ssoSignIn(client, `admin@${domain}`);
      assert.equal(answer.headers.get('location'), '/login?error=oidc_invalid_token');
      assert.equal(client.cookies.has('aw_session'), false);
      assert.ok(h.logs.some((l) => l['code'] === 'oidc_invalid_token' && /iss/.test(String(l['reason']))), JSON.stringify(h.logs.filter((l) => l['code'])));
    } finally {
      proxy.mode = 'normal';
    }
  });

  it('refuses an id_token signed by a second emulator instance (a key not in the JWKS)', async () => {
    proxy.mode = 'other-instance';
    try {
      const client = new CookieClient(h.url);
      const { answer } = await ssoSignIn(client, `admin@${domain}`);
      assert.equal(answer.headers.get('location'), '/login?error=oidc_invalid_token');
      assert.equal(client.cookies.has('aw_session'), false);
      assert.ok(h.logs.some((l) => l['code'] === 'oidc_invalid_token' && /ERR_JWKS_NO_MATCHING_KEY|signature/.test(String(l['reason']))));
    } finally {
      proxy.mode = 'normal';
    }
  });

  it('refuses a user of a tenant not in allowedTenants', async () => {
    const port = await freePort();
    const other = await startAuthHarness({ clock, port, collectYaml: oidcYaml({ port, allowedTenants: ['00000000-0000-0000-0000-000000000001'] }), env: { AW_TEST_OIDC_SECRET: secret } });
    try {
      const { answer } = await ssoSignIn(new CookieClient(other.url), `admin@${domain}`);
      assert.equal(answer.headers.get('location'), '/login?error=oidc_tenant');
    } finally {
      await other.close();
    }
  });

  it('never writes the client secret, a code or a token to the log', () => {
    const text = JSON.stringify(h.logs);
    assert.ok(seenCodes.length >= 2);
    assert.ok(!text.includes(secret), 'client secret');
    for (const code of seenCodes) assert.ok(!text.includes(code), 'authorization code');
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\./, 'no JWT');
    assert.ok(h.logs.some((l) => l.msg === 'A single sign-on succeeded.'));
  });
});

describe('single sign-on with an unreachable provider', () => {
  it('redirects to /login?error=oidc_unavailable when the discovery document cannot be read', async () => {
    const port = await freePort();
    const dead = await freePort();
    const h = await startAuthHarness({
      port,
      collectYaml: `  auth:\n    oidc:\n      issuer: http://127.0.0.1:${dead}/t/v2.0\n      clientId: app\n      redirectUrl: http://127.0.0.1:${port}/auth/oidc/callback\n`,
    });
    try {
      const r = await new CookieClient(h.url).send('/auth/oidc/login');
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), '/login?error=oidc_unavailable');
      assert.ok(h.logs.some((l) => l['code'] === 'oidc_unavailable' && String(l['reason']).includes('collect.auth.oidc.issuer')));
    } finally {
      await h.close();
    }
  });
});

describe('single sign-on off', () => {
  it('answers 404 on /auth/oidc/* and oidc null in the methods when collect.auth.oidc is not set', async () => {
    const h = await startAuthHarness();
    try {
      const c = new CookieClient(h.url);
      assert.equal((await c.send('/auth/oidc/login')).status, 404);
      assert.equal((await c.send('/api/v1/auth/methods')).json.data.oidc, null);
    } finally {
      await h.close();
    }
  });
});
