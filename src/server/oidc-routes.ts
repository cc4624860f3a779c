// The browser side of single sign-on: GET /auth/oidc/login?next=/path sends the browser to the provider
// (state bound to this browser by a short-lived cookie, SameSite=Lax so it comes back on the provider's
// redirect); GET /auth/oidc/callback verifies the answer (oidc.ts), opens a session, sets the session
// cookie and redirects to `next` (relative paths only) or /. A refused sign-in redirects to
// /login?error=<code>; the reason goes to the log, never to the page.

import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError, safeLine, type Clock, type Logger } from '../core/index.js';
import type { AuthConfig } from '../config/index.js';
import type { SessionService } from '../service/index.js';
import { secureCookie, setSessionCookie, type AuthEnv } from './auth.js';
import { createOidcClient, refusal } from './oidc.js';

export const OIDC_STATE_COOKIE = 'aw_oidc';
const STATE_PATH = '/auth/oidc';

export function oidcRoutes(app: Hono<AuthEnv>, o: { auth: AuthConfig; sessions: SessionService; clock: Clock; logger: Logger; fetch?: typeof fetch }): void {
  const config = o.auth.oidc;
  if (!config) {
    const off = () => {
      throw new AppError('not_found', 'Single sign-on is not configured; set collect.auth.oidc (see the README, "Sign-in and roles"), or sign in with a local account.');
    };
    app.get(`${STATE_PATH}/login`, off);
    app.get(`${STATE_PATH}/callback`, off);
    return;
  }
  const client = createOidcClient(config, { clock: o.clock, logger: o.logger, ...(o.fetch ? { fetch: o.fetch } : {}) });
  const refuse = (c: Context<AuthEnv>, err: unknown) => {
    const r = refusal(err);
    o.logger.warn('A single sign-on was refused.', { code: r.code, reason: r.reason });
    deleteCookie(c, OIDC_STATE_COOKIE, { path: STATE_PATH });
    return c.redirect(`/login?error=${encodeURIComponent(r.code)}`, 302);
  };

  app.get(`${STATE_PATH}/login`, async (c) => {
    try {
      const { location, state } = await client.begin(c.req.query('next'));
      setCookie(c, OIDC_STATE_COOKIE, state, { httpOnly: true, sameSite: 'Lax', path: STATE_PATH, maxAge: 600, secure: secureCookie(c, o.auth) });
      c.header('Cache-Control', 'no-store');
      return c.redirect(location, 302);
    } catch (err) {
      return refuse(c, err);
    }
  });

  app.get(`${STATE_PATH}/callback`, async (c) => {
    try {
      const query = new URL(c.req.url).searchParams;
      const signIn = await client.finish(query, getCookie(c, OIDC_STATE_COOKIE));
      const session = await o.sessions.open({ user: signIn.user, role: signIn.role, method: 'oidc' });
      deleteCookie(c, OIDC_STATE_COOKIE, { path: STATE_PATH });
      setSessionCookie(c, o.auth, session.id, session.expiresAt);
      c.header('Cache-Control', 'no-store');
      o.logger.info('A single sign-on succeeded.', { user: safeLine(signIn.user, 100), role: signIn.role });
      return c.redirect(signIn.next, 302);
    } catch (err) {
      return refuse(c, err);
    }
  });
}
