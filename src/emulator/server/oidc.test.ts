// The emulator's OpenID Connect provider over real HTTP: discovery like Entra's v2.0, the sign-in form
// (hostile input escaped, a wrong password shown again), the code grant with PKCE (a wrong verifier,
// a reused code, a wrong secret refused), and an id_token verified against the published JWKS with
// Entra's claims (iss, aud, tid, oid, preferred_username, name, roles, nonce).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ManualClock } from '../../core/index.js';
import { startEmulator, type RunningEmulator } from '../index.js';
import { createFixtureSource, FIXTURE_START } from './fixtures.testing.js';
import { EMULATED_USER_PASSWORD } from './oidc.js';

let em: RunningEmulator;
const clock = new ManualClock(FIXTURE_START + 3_600_000);
const REDIRECT = 'http://127.0.0.1:9/auth/oidc/callback';

before(async () => {
  em = await startEmulator({ source: createFixtureSource({ tenants: 2 }), clock });
});
after(() => em.close());

const tenant = () => em.tenants[0]!;
const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

function authorizeUrl(o: { challenge: string; nonce?: string; state?: string; clientId?: string; loginHint?: string }): string {
  const u = new URL(`${em.url}/${tenant().tenantId}/oauth2/v2.0/authorize`);
  const q = { client_id: o.clientId ?? tenant().clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid profile email', state: o.state ?? 'st-1', nonce: o.nonce ?? 'n-1', code_challenge: o.challenge, code_challenge_method: 'S256' };
  for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
  if (o.loginHint !== undefined) u.searchParams.set('login_hint', o.loginHint);
  return u.toString();
}

/** Fills the form's hidden fields and posts them with the user's name and password; the answer. */
async function signIn(formUrl: string, username: string, password: string): Promise<Response> {
  const html = await (await fetch(formUrl)).text();
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(m[1]!, m[2]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  fields.set('username', username);
  fields.set('password', password);
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!, formUrl);
  return fetch(action, { method: 'POST', body: fields, redirect: 'manual' });
}

async function redeem(code: string, verifier: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${em.url}/${tenant().tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: tenant().clientId, code_verifier: verifier, ...extra }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('discovery is shaped like Entra v2.0 and names this emulator as the issuer, by tenant id or domain', async () => {
  for (const segment of [tenant().tenantId, tenant().domain]) {
    const d = (await (await fetch(`${em.url}/${segment}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(d['issuer'], `${em.url}/${tenant().tenantId}/v2.0`);
    assert.equal(d['token_endpoint'], `${em.url}/${tenant().tenantId}/oauth2/v2.0/token`);
    assert.equal(d['jwks_uri'], `${em.url}/${tenant().tenantId}/discovery/v2.0/keys`);
    assert.deepEqual(d['code_challenge_methods_supported'], ['S256']);
  }
  assert.equal((await fetch(`${em.url}/not-a-tenant/v2.0/.well-known/openid-configuration`)).status, 400);
});

test('the sign-in form escapes hostile input, refuses a bad client and a missing PKCE challenge, and shows a wrong password again', async () => {
  const { challenge } = pkce();
  const hostile = '"><script>alert(1)</script>';
  const page = await (await fetch(authorizeUrl({ challenge, state: hostile, loginHint: hostile }))).text();
  assert.ok(!page.includes('<script>'), 'no raw script tag');
  assert.match(page, /&lt;script&gt;/);
  const badClient = await fetch(authorizeUrl({ challenge, clientId: '00000000-0000-0000-0000-000000000000' }));
  assert.equal(badClient.status, 400);
  assert.match(await badClient.text(), /AADSTS700016/);
  assert.equal((await fetch(authorizeUrl({ challenge: 'short' }))).status, 400);
  const wrong = await signIn(authorizeUrl({ challenge }), `analyst@${tenant().domain}`, 'not the password');
  assert.equal(wrong.status, 200);
  assert.match(await wrong.text(), /account or password is incorrect/);
});

test('a code redeemed with PKCE gives an id_token that verifies against the JWKS with Entra claims; reuse, a wrong verifier and a wrong secret are refused', async () => {
  const { verifier, challenge } = pkce();
  const back = await signIn(authorizeUrl({ challenge, nonce: 'nonce-42', state: 'state-42' }), `ANALYST@${tenant().domain}`, EMULATED_USER_PASSWORD);
  assert.equal(back.status, 302);
  const location = new URL(back.headers.get('location')!);
  assert.equal(`${location.origin}${location.pathname}`, REDIRECT);
  assert.equal(location.searchParams.get('state'), 'state-42');
  const code = location.searchParams.get('code')!;

  const wrongVerifier = await redeem(code, pkce().verifier);
  assert.equal(wrongVerifier.status, 400);
  assert.equal(wrongVerifier.json['error'], 'invalid_grant');
  assert.equal((await redeem(code, verifier)).json['error'], 'invalid_grant', 'a code is used once, even after a failed try');

  const again = await signIn(authorizeUrl({ challenge, nonce: 'nonce-43' }), `analyst@${tenant().domain}`, EMULATED_USER_PASSWORD);
  const code2 = new URL(again.headers.get('location')!).searchParams.get('code')!;
  assert.equal((await redeem(code2, verifier, { client_secret: 'wrong' })).status, 401);

  const third = await signIn(authorizeUrl({ challenge, nonce: 'nonce-44' }), `analyst@${tenant().domain}`, EMULATED_USER_PASSWORD);
  const ok = await redeem(new URL(third.headers.get('location')!).searchParams.get('code')!, verifier, { client_secret: tenant().clientSecret });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.equal(typeof ok.json['access_token'], 'string');
  const jwks = createRemoteJWKSet(new URL(`${em.url}/${tenant().tenantId}/discovery/v2.0/keys`));
  const { payload } = await jwtVerify(String(ok.json['id_token']), jwks, { issuer: `${em.url}/${tenant().tenantId}/v2.0`, audience: tenant().clientId, currentDate: new Date(clock.now()) });
  assert.equal(payload['tid'], tenant().tenantId);
  assert.equal(payload['preferred_username'], `analyst@${tenant().domain}`);
  assert.equal(payload['name'], 'Analyst of Contoso 1');
  assert.deepEqual(payload['roles'], ['AuditWatch.Analyst']);
  assert.equal(payload['nonce'], 'nonce-44');
  assert.equal(typeof payload['oid'], 'string');
  assert.equal(payload.exp! - payload.iat!, 3600);
});

test('a code of one tenant cannot be redeemed at another tenant, and an expired code is refused', async () => {
  const { verifier, challenge } = pkce();
  const back = await signIn(authorizeUrl({ challenge }), `viewer@${tenant().domain}`, EMULATED_USER_PASSWORD);
  const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
  const other = await fetch(`${em.url}/${em.tenants[1]!.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: tenant().clientId, code_verifier: verifier }),
  });
  assert.equal(other.status, 400);
  const late = await signIn(authorizeUrl({ challenge }), `viewer@${tenant().domain}`, EMULATED_USER_PASSWORD);
  const lateCode = new URL(late.headers.get('location')!).searchParams.get('code')!;
  clock.advance(6 * 60_000);
  assert.equal((await redeem(lateCode, verifier)).json['error'], 'invalid_grant');
});

test('a simulated tenant signs in its directory users with admin, analyst and viewer roles', async () => {
  const { createContentSource } = await import('../index.js');
  const source = createContentSource({ seed: 'oidc', days: 1, users: 12, tenants: 1, scenarios: [], live: false, startTime: FIXTURE_START, latency: { kind: 'fixed', ms: 0 } });
  const tid = source.tenants()[0]!.tenantId;
  const users = source.signInUsers(tid);
  assert.equal(users.length, 12);
  const roles = new Set(users.flatMap((u) => u.roles));
  assert.deepEqual([...roles].sort(), ['AuditWatch.Admin', 'AuditWatch.Analyst', 'AuditWatch.Viewer']);
  assert.ok(users.every((u) => u.upn.includes('@') && u.objectId.length === 36));
  assert.deepEqual(source.signInUsers('00000000-0000-0000-0000-000000000000'), []);
  const sim = await startEmulator({ source, clock });
  try {
    const { challenge } = pkce();
    const admin = users.find((u) => u.roles.includes('AuditWatch.Admin'))!;
    const u = new URL(`${sim.url}/${tid}/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({ client_id: sim.tenants[0]!.clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' })) u.searchParams.set(k, v);
    const back = await signIn(u.toString(), admin.upn, EMULATED_USER_PASSWORD);
    assert.equal(back.status, 302);
    assert.match(back.headers.get('location')!, /[?&]code=/);
  } finally {
    await sim.close();
  }
});
