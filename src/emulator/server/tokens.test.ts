// Token endpoints over real HTTP: v1 and v2, client secret and certificate (client_assertion), and the
// Entra errors a collector must recognise.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { ManualClock } from '../../core/index.js';
import { startEmulator, type RunningEmulator } from '../index.js';
import { generateCertificate } from './certs.js';
import { createFixtureSource, FIXTURE_START } from './fixtures.testing.js';

let em: RunningEmulator;
const clock = new ManualClock(FIXTURE_START + 2 * 3_600_000);

before(async () => {
  em = await startEmulator({ source: createFixtureSource({ tenants: 2 }), clock });
});
after(() => em.close());

async function post(path: string, form: Record<string, string>) {
  const res = await fetch(`${em.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function secretForm(i = 0, extra: Record<string, string> = {}) {
  const t = em.tenants[i]!;
  return { grant_type: 'client_credentials', client_id: t.clientId, client_secret: t.clientSecret, ...extra };
}

async function assertion(i: number, claims: { aud?: string; iss?: string; exp?: number; nbf?: number; key?: string; x5t?: string } = {}) {
  const t = em.tenants[i]!;
  const now = Math.floor(clock.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: claims.x5t ?? t.x5t })
    .setAudience(claims.aud ?? `${em.url}/${t.tenantId}/oauth2/v2.0/token`)
    .setIssuer(claims.iss ?? t.clientId)
    .setSubject(claims.iss ?? t.clientId)
    .setNotBefore(claims.nbf ?? now - 10)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(createPrivateKey(claims.key ?? t.privateKeyPem));
}

test('v1 with a client secret gives a token whose expires_in is a string', async () => {
  const t = em.tenants[0]!;
  const r = await post(`/${t.tenantId}/oauth2/token`, secretForm(0, { resource: 'https://manage.office.com' }));
  assert.equal(r.status, 200);
  assert.equal(r.json.token_type, 'Bearer');
  assert.equal(r.json.expires_in, '3599');
  assert.equal(typeof r.json.expires_on, 'string');
  assert.equal(r.json.resource, 'https://manage.office.com');
  const claims = decodeJwt(String(r.json.access_token));
  assert.equal(claims.tid, t.tenantId);
  assert.equal(claims.aud, 'https://manage.office.com');
  assert.equal(claims.appid, t.clientId);
  assert.deepEqual(claims.roles, ['ActivityFeed.Read', 'ActivityFeed.ReadDlp']);
  assert.equal(claims.exp, Math.floor(clock.now() / 1000) + 3600);
});

test('a token for another Microsoft resource (Graph) is issued without roles, and the Management API refuses it', async () => {
  const t = em.tenants[0]!;
  const v2 = await post(`/${t.tenantId}/oauth2/v2.0/token`, secretForm(0, { scope: 'https://graph.microsoft.com/.default' }));
  assert.equal(v2.status, 200, JSON.stringify(v2.json));
  const graph = decodeJwt(String(v2.json.access_token));
  assert.equal(graph.aud, 'https://graph.microsoft.com');
  assert.equal(graph.roles, undefined, 'no roles on a resource where the app holds none');
  assert.equal(graph.idtyp, 'app');
  assert.equal(graph.app_displayname, `${t.displayName} auditwatch collector`);
  const v1 = await post(`/${t.tenantId}/oauth2/token`, secretForm(0, { resource: 'https://graph.microsoft.com/' }));
  assert.equal(v1.status, 200);
  assert.equal(v1.json.resource, 'https://graph.microsoft.com');
  // The app-only claims clients read for the identity are in the Management API's token too.
  const mgmt = decodeJwt(String((await post(`/${t.tenantId}/oauth2/v2.0/token`, secretForm(0, { scope: 'https://manage.office.com/.default' }))).json.access_token));
  assert.equal(mgmt.idtyp, 'app');
  assert.equal(mgmt.app_displayname, graph.app_displayname);
  assert.equal(mgmt.oid, graph.oid);
  assert.deepEqual(mgmt.roles, ['ActivityFeed.Read', 'ActivityFeed.ReadDlp']);
  const res = await fetch(`${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/list`, { headers: { authorization: `Bearer ${String(v2.json.access_token)}` } });
  assert.equal(res.status, 401);
  assert.match(await res.text(), /AF20010/);
});

test('v2 with a client secret, tenant given by its domain, gives a numeric expires_in', async () => {
  const t = em.tenants[1]!;
  const r = await post(`/${t.domain}/oauth2/v2.0/token`, secretForm(1, { scope: 'https://manage.office.com/.default' }));
  assert.equal(r.status, 200);
  assert.equal(r.json.expires_in, 3599);
  assert.equal(decodeJwt(String(r.json.access_token)).tid, t.tenantId);
});

test('v2 with a certificate (client_assertion) gives a token; v1 too, with the login host as aud', async () => {
  const t = em.tenants[0]!;
  const base = { grant_type: 'client_credentials', client_id: t.clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' };
  const v2 = await post(`/${t.tenantId}/oauth2/v2.0/token`, { ...base, scope: 'https://manage.office.com/.default', client_assertion: await assertion(0) });
  assert.equal(v2.status, 200, JSON.stringify(v2.json));
  assert.equal(decodeJwt(String(v2.json.access_token)).appidacr, '2');
  const v1 = await post(`/${t.tenantId}/oauth2/token`, {
    ...base,
    resource: 'https://manage.office.com',
    client_assertion: await assertion(0, { aud: `https://login.microsoftonline.com/${t.tenantId}/oauth2/token` }),
  });
  assert.equal(v1.status, 200, JSON.stringify(v1.json));
  // The SHA-256 thumbprint header (x5t#S256) identifies the certificate as well.
  const now = Math.floor(clock.now() / 1000);
  const s256 = createHash('sha256').update(new X509Certificate(t.certificatePem).raw).digest('base64url');
  const jwt = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', 'x5t#S256': s256 })
    .setAudience(`${em.url}/${t.tenantId}/oauth2/v2.0/token`)
    .setIssuer(t.clientId)
    .setSubject(t.clientId)
    .setNotBefore(now)
    .setExpirationTime(now + 300)
    .sign(createPrivateKey(t.privateKeyPem));
  const s = await post(`/${t.tenantId}/oauth2/v2.0/token`, { ...base, scope: 'https://manage.office.com/.default', client_assertion: jwt });
  assert.equal(s.status, 200, JSON.stringify(s.json));
});

test('a bad client_assertion is refused with the Entra codes', async () => {
  const t = em.tenants[0]!;
  const path = `/${t.tenantId}/oauth2/v2.0/token`;
  const base = {
    grant_type: 'client_credentials',
    client_id: t.clientId,
    scope: 'https://manage.office.com/.default',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  };
  const other = await generateCertificate({ commonName: 'intruder' });
  const cases: [string, Promise<string>, number][] = [
    ['unregistered certificate', assertion(0, { key: other.privateKeyPem, x5t: other.x5t }), 700027],
    ['signed by another key under the registered x5t', assertion(0, { key: other.privateKeyPem }), 700027],
    ['wrong audience', assertion(0, { aud: 'https://example.com/token' }), 700027],
    ['wrong issuer', assertion(0, { iss: em.tenants[1]!.clientId }), 700021],
    ['expired', assertion(0, { exp: Math.floor(clock.now() / 1000) - 3600, nbf: Math.floor(clock.now() / 1000) - 7200 }), 700024],
  ];
  for (const [name, jwt, code] of cases) {
    const r = await post(path, { ...base, client_assertion: await jwt });
    assert.equal(r.status, 401, name);
    assert.equal(r.json.error, 'invalid_client', name);
    assert.deepEqual(r.json.error_codes, [code], name);
  }
});

test('Entra errors: wrong secret, unknown tenant, unknown client, bad scope and resource, missing parameters', async () => {
  const t = em.tenants[0]!;
  const v2 = `/${t.tenantId}/oauth2/v2.0/token`;
  const scope = 'https://manage.office.com/.default';
  const cases: [string, string, Record<string, string>, number, string, number][] = [
    ['wrong secret', v2, secretForm(0, { scope, client_secret: 'nope' }), 401, 'invalid_client', 7000215],
    ['unknown tenant', `/${randomUUID()}/oauth2/v2.0/token`, secretForm(0, { scope }), 400, 'invalid_request', 90002],
    ['malformed tenant', '/not-a-tenant/oauth2/v2.0/token', secretForm(0, { scope }), 400, 'invalid_request', 900023],
    ['unknown client', v2, secretForm(0, { scope, client_id: randomUUID() }), 400, 'unauthorized_client', 700016],
    ['other tenant\'s client', v2, secretForm(1, { scope }), 400, 'unauthorized_client', 700016],
    ['scope without /.default', v2, secretForm(0, { scope: 'https://manage.office.com' }), 400, 'invalid_scope', 1002012],
    ['unknown scope resource', v2, secretForm(0, { scope: 'https://graph.example.com/.default' }), 400, 'invalid_scope', 500011],
    ['unknown v1 resource', `/${t.tenantId}/oauth2/token`, secretForm(0, { resource: 'https://graph.example.com' }), 400, 'invalid_resource', 500011],
    ['missing scope', v2, secretForm(0), 400, 'invalid_request', 900144],
    ['missing secret', v2, { grant_type: 'client_credentials', client_id: t.clientId, scope }, 401, 'invalid_client', 7000218],
    ['wrong grant', v2, secretForm(0, { scope, grant_type: 'password' }), 400, 'unsupported_grant_type', 70003],
  ];
  for (const [name, path, form, status, error, code] of cases) {
    const r = await post(path, form);
    assert.equal(r.status, status, name);
    assert.equal(r.json.error, error, name);
    assert.deepEqual(r.json.error_codes, [code], name);
    assert.match(String(r.json.error_description), new RegExp(`^AADSTS${code}: `), name);
  }
  // The wrong secret's value is not echoed.
  const r = await post(v2, secretForm(0, { scope, client_secret: 'do-not-echo-this' }));
  assert.doesNotMatch(JSON.stringify(r.json), /do-not-echo-this/);
});
