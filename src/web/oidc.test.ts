// Single sign-on in real headless Chromium through the emulator's OpenID Connect provider: the sign-in
// page offers "Sign in with …" (GET /api/v1/auth/methods), the browser signs in on the provider's form
// and comes back signed in with the role its claims map to; an id_token from a foreign issuer (the
// provider asked under another name, so it signs another `iss`) is refused and the page says so.

import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../core/index.js';
import { EMULATED_USER_PASSWORD, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { createFixtureSource } from '../emulator/server/fixtures.testing.js';
import { freePort } from '../server/auth.testing.js';
import { startWebHarness, waitText, type WebHarness } from './web.testing.js';

/** A reverse proxy to the emulator; with `foreign` on, the token is asked of it under another host name. */
async function startProxy(em: RunningEmulator): Promise<{ url: string; foreign: boolean; server: Server }> {
  const state = { url: '', foreign: false, server: null as unknown as Server };
  state.server = createServer((req, res) => {
    const path = req.url ?? '/';
    const headers = { ...req.headers };
    if (state.foreign && path.includes('/token')) headers.host = `localhost:${em.port}`;
    const up = request({ host: '127.0.0.1', port: em.port, path, method: req.method, headers }, (r) => {
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

describe('single sign-on in Chromium through the emulator', () => {
  let em: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let h: WebHarness;
  let domain = '';
  before(async () => {
    em = await startEmulator({ source: createFixtureSource(), clock: new ManualClock(Date.now()) });
    proxy = await startProxy(em);
    const t = em.tenants[0]!;
    domain = t.domain;
    process.env.AW_WEB_OIDC_SECRET = t.clientSecret;
    const port = await freePort();
    h = await startWebHarness({
      port,
      collectYaml: `  auth:\n    oidc:\n      issuer: ${proxy.url}/${t.tenantId}/v2.0\n      clientId: ${t.clientId}\n      clientSecret: { env: AW_WEB_OIDC_SECRET }\n      redirectUrl: http://127.0.0.1:${port}/auth/oidc/callback\n      label: Emulated Entra ID\n      roleMap: { AuditWatch.Admin: admin, AuditWatch.Analyst: analyst }\n`,
    });
  });
  after(async () => {
    await h?.close();
    proxy?.server.close();
    await em?.close();
  });

  const viaProvider = async (w: Awaited<ReturnType<WebHarness['page']>>, user: string) => {
    await w.page.goto(h.url + '/rules');
    await w.page.waitForSelector('#oidc-login');
    assert.match((await w.page.textContent('#oidc-login')) ?? '', /Sign in with Emulated Entra ID/);
    await w.page.click('#oidc-login');
    await w.page.waitForSelector('input[name=password]');
    assert.ok(w.page.url().startsWith(proxy.url), `on the provider's page: ${w.page.url()}`);
    await w.page.fill('input[name=username]', user);
    await w.page.fill('input[name=password]', EMULATED_USER_PASSWORD);
    await w.page.click('button[type=submit]');
  };

  it('signs an analyst in through the provider and back to the page asked for', async () => {
    const w = await h.page();
    try {
      await viaProvider(w, `analyst@${domain}`);
      await w.page.waitForSelector('header.top');
      assert.equal(new URL(w.page.url()).pathname, '/rules');
      assert.match((await w.page.textContent('header.top .who')) ?? '', new RegExp(`analyst@${domain.replace(/\./g, '\\.')}\\s*analyst`));
      assert.deepEqual(w.errors, []);
    } finally {
      await w.close();
    }
  });

  it('refuses an id_token of a foreign issuer and says so on the sign-in page', async () => {
    proxy.foreign = true;
    const w = await h.page();
    try {
      await viaProvider(w, `admin@${domain}`);
      await w.page.waitForSelector('#login-error');
      await waitText(w.page, '#login-error', 'oidc_invalid_token', true);
      assert.equal(new URL(w.page.url()).pathname, '/login');
      assert.equal(await w.page.$('header.top'), null, 'not signed in');
      const cookies = await w.page.context().cookies(h.url);
      assert.ok(!cookies.some((c) => c.name === 'aw_session'), 'no session cookie');
    } finally {
      proxy.foreign = false;
      await w.close();
    }
  });
});
