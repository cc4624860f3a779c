// The sign-in endpoints of the API (see /work contract "Auth"): GET /api/v1/auth/methods (which ways to
// sign in), POST /api/v1/session (local account: name + password → session cookie and CSRF token; one
// answer for an unknown name and a wrong password; 429 with Retry-After when rate-limited), GET
// /api/v1/session (the current session) and DELETE /api/v1/session (sign out: CSRF checked, the session
// ended server-side, the cookie cleared).

import type { Hono } from 'hono';
import { AppError } from '../core/index.js';
import type { AuthConfig } from '../config/index.js';
import type { SessionInfo, SessionService } from '../service/index.js';
import { checkCsrf, clearSessionCookie, clientAddress, sessionOf, setSessionCookie, type AuthEnv } from './auth.js';
import { API_PREFIX } from './routes.js';

const view = (s: SessionInfo) => ({ data: { user: s.user, role: s.role, csrfToken: s.csrfToken, expiresAt: s.expiresAt, method: s.method }, warnings: [] as string[] });

const noSession = () => new AppError('unauthorized', 'No session: sign in with POST /api/v1/session (or through single sign-on at /auth/oidc/login).');

export function sessionRoutes(app: Hono<AuthEnv>, o: { sessions: SessionService; auth: AuthConfig }): void {
  app.get(`${API_PREFIX}/auth/methods`, (c) => c.json({ data: { local: true, oidc: o.auth.oidc ? { label: o.auth.oidc.label } : null }, warnings: [] }));

  app.post(`${API_PREFIX}/session`, async (c) => {
    // JSON only: a cross-site HTML form cannot send it, so no page can sign a visitor in to another account.
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError('bad_request', 'Send the sign-in as JSON { "username": "...", "password": "..." } with Content-Type: application/json.');
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new AppError('bad_request', 'The sign-in body is not JSON; send { "username": "...", "password": "..." }.');
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const result = await o.sessions.login({ username: b['username'], password: b['password'], clientIp: clientAddress(c) });
    if (!result.ok) {
      if (result.code === 'login_rate_limited') {
        c.header('Retry-After', String(result.retryAfter));
        throw new AppError('login_rate_limited', `Too many failed sign-ins from this address; wait ${result.retryAfter} s and try again.`);
      }
      throw new AppError('login_failed', 'The user name or the password is wrong; check both (an administrator can set a new password with "auditwatch users passwd NAME").');
    }
    setSessionCookie(c, o.auth, result.session.id, result.session.expiresAt);
    return c.json(view(result.session));
  });

  app.get(`${API_PREFIX}/session`, async (c) => {
    const found = await sessionOf(c, o.sessions);
    if (!found) throw noSession();
    return c.json(view(found.session));
  });

  app.delete(`${API_PREFIX}/session`, async (c) => {
    const found = await sessionOf(c, o.sessions);
    if (!found) {
      clearSessionCookie(c, o.auth);
      throw noSession();
    }
    checkCsrf(c, found.session);
    await o.sessions.end(found.id);
    clearSessionCookie(c, o.auth);
    return c.json({ data: { signedOut: true }, warnings: [] });
  });
}
