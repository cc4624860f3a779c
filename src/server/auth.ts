// Who is calling: every /api/v1 request is authenticated by the endpoint file's bearer token (the CLI;
// acts as admin) or by the session cookie of a signed-in user, and a cookie-authenticated write
// (anything but GET/HEAD) must carry the session's synchronizer token as X-CSRF-Token. The principal
// goes into the request context for the per-route role check and the actor of workflow operations.
// Also the session cookie itself: HttpOnly, SameSite=Strict, Path=/, Secure when served over TLS.

import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { AppError } from '../core/index.js';
import type { AuthConfig } from '../config/index.js';
import type { SessionInfo, SessionService } from '../service/index.js';
import type { Role } from './routes.js';

export const SESSION_COOKIE = 'aw_session';
export const CSRF_HEADER = 'X-CSRF-Token';

export interface Principal {
  /** The signed-in user's name; for the bearer token, 'token'. */
  user: string;
  role: Role;
  via: 'bearer' | 'session';
  session?: SessionInfo;
}

export type AuthEnv = { Variables: { principal: Principal } };

export function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Whether this answer's cookies get Secure: by collect.auth.secureCookies, `auto` meaning TLS or an https redirect URL. */
export function secureCookie(c: Context, auth: AuthConfig): boolean {
  if (auth.secureCookies !== 'auto') return auth.secureCookies;
  if (new URL(c.req.url).protocol === 'https:') return true;
  return auth.oidc !== null && auth.oidc.redirectUrl.startsWith('https:');
}

export function setSessionCookie(c: Context, auth: AuthConfig, id: string, expiresAt: string): void {
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: secureCookie(c, auth),
    // The browser may drop it at the absolute end; the server enforces idle and absolute expiry itself.
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context, auth: AuthConfig): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secureCookie(c, auth) });
}

/** The client's address as the socket saw it (no forwarding header is trusted). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const unauthorized = () =>
  new AppError('unauthorized', "Sign in first (POST /api/v1/session), or send the token of the daemon's endpoint file (<store>.daemon.json) as Authorization: Bearer TOKEN.");

/** The live session of the request's cookie, or null. */
export async function sessionOf(c: Context, sessions: SessionService): Promise<{ id: string; session: SessionInfo } | null> {
  const id = getCookie(c, SESSION_COOKIE);
  if (!id) return null;
  const session = await sessions.resolve(id);
  return session ? { id, session } : null;
}

/** Throws csrf_failed unless the request carries the session's token (GET and HEAD need none). */
export function checkCsrf(c: Context, session: SessionInfo): void {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return;
  if (!sameSecret(c.req.header(CSRF_HEADER) ?? '', session.csrfToken)) {
    throw new AppError('csrf_failed', `This request needs the session's CSRF token as the ${CSRF_HEADER} header (csrfToken from POST or GET /api/v1/session); sign in again if it is lost.`);
  }
}

/** Authenticates every request it guards; sets c.var.principal. */
export function authenticate(o: { token: string; sessions: SessionService }): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header !== undefined) {
      // A request that names a bearer token is judged by it alone, never by a cookie beside it.
      if (!header.startsWith('Bearer ') || !sameSecret(header.slice(7), o.token)) {
        c.header('WWW-Authenticate', 'Bearer realm="auditwatch"');
        throw unauthorized();
      }
      c.set('principal', { user: 'token', role: 'admin', via: 'bearer' });
      return next();
    }
    const found = await sessionOf(c, o.sessions);
    if (!found) throw unauthorized();
    checkCsrf(c, found.session);
    c.set('principal', { user: found.session.user, role: found.session.role, via: 'session', session: found.session });
    return next();
  };
}
