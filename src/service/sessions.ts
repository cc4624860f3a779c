// Signed-in sessions of the API and dashboard: sign-in with a local account (scrypt hash checked, the
// same answer and about the same work for an unknown name as for a wrong password, rate-limited per
// name and client address), sessions opened for a user an identity provider vouched for (OIDC), looked
// up per request with idle and absolute expiry, and ended server-side. Session ids are 256 random bits;
// the state store keeps only their SHA-256, so sessions survive a daemon restart and a copy of the
// store holds no usable cookie. A local session ends when its account is removed or changed.

import { createHash, randomBytes } from 'node:crypto';
import { safeLine, type Clock, type Logger } from '../core/index.js';
import type { AccountRole, SessionRecord, Store } from '../store/index.js';
import type { Config } from './config.js';
import { loginLimiter, type LoginLimits } from './login-limit.js';
import { hashPassword, verifyPassword } from './passwords.js';

export interface SessionSettings {
  /** ms without a request after which a session ends. */
  idle: number;
  /** ms after sign-in after which a session ends. */
  lifetime: number;
  login: LoginLimits;
}

/** A live session as the server sees it; `id` only right after it was opened (for the cookie). */
export interface SessionInfo {
  user: string;
  role: AccountRole;
  method: 'local' | 'oidc';
  csrfToken: string;
  /** ISO time of the absolute end. */
  expiresAt: string;
}

export interface OpenedSession extends SessionInfo {
  id: string;
}

export type LoginResult = { ok: true; session: OpenedSession } | { ok: false; code: 'login_failed' } | { ok: false; code: 'login_rate_limited'; retryAfter: number };

export interface SessionService {
  login(input: { username: unknown; password: unknown; clientIp: string }): Promise<LoginResult>;
  /** A session for a user an identity provider signed in (the caller verified the id_token). */
  open(input: { user: string; role: AccountRole; method: 'oidc' | 'local' }): Promise<OpenedSession>;
  /** The live session with this id, or null (unknown, expired, idle, or its account changed). */
  resolve(id: string): Promise<SessionInfo | null>;
  /** Ends the session server-side; false when there was none. */
  end(id: string): Promise<boolean>;
}

const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const MAX_PASSWORD_CHECKED = 4096;
/** lastSeenAt is written at most this often per session (idle expiry is that coarse). */
const TOUCH_EVERY = 30_000;

/** The session service of a config's collect.auth settings. */
export function configuredSessions(o: { config: Config; store: Store; clock: Clock; logger: Logger }): SessionService {
  const a = o.config.collect.auth;
  return createSessionService({ store: o.store, clock: o.clock, logger: o.logger.child({ part: 'sessions' }), settings: { idle: a.sessionIdle, lifetime: a.sessionLifetime, login: a.login } });
}

export const sessionIdHash = (id: string): string => createHash('sha256').update(id).digest('hex');
const token = (): string => randomBytes(32).toString('base64url');

export function createSessionService(o: { store: Store; clock: Clock; logger: Logger; settings: SessionSettings }): SessionService {
  const { store, clock, logger, settings } = o;
  const limiter = loginLimiter(settings.login, clock);
  // Checked when the name is unknown, so that answer costs one scrypt like a wrong password does.
  let dummy: Promise<string> | null = null;
  const dummyHash = () => (dummy ??= hashPassword(token()));
  void dummyHash(); // made now, so the first unknown name costs no more than later ones
  const info = (s: SessionRecord): SessionInfo => ({ user: s.user, role: s.role, method: s.method === 'oidc' ? 'oidc' : 'local', csrfToken: s.csrfToken, expiresAt: new Date(s.expiresAt).toISOString() });

  const open: SessionService['open'] = async ({ user, role, method }) => {
    const now = clock.now();
    await store.state.sessions.purge(now, now - settings.idle);
    const id = token();
    const record: SessionRecord = { idHash: sessionIdHash(id), user, role, method, csrfToken: token(), createdAt: now, lastSeenAt: now, expiresAt: now + settings.lifetime };
    await store.state.sessions.put(record);
    logger.info('A user signed in.', { user: safeLine(user, 100), role, method });
    return { id, ...info(record) };
  };

  return {
    open,
    async login({ username, password, clientIp }) {
      const name = typeof username === 'string' ? username.trim().toLowerCase().slice(0, 200) : '';
      const ip = clientIp.slice(0, 100);
      const retryAfter = limiter.retryAfter(name, ip);
      if (retryAfter > 0) {
        logger.warn('A sign-in was refused: too many failed attempts.', { user: safeLine(name, 100), ip: safeLine(ip, 100), retryAfter });
        return { ok: false, code: 'login_rate_limited', retryAfter };
      }
      const pw = typeof password === 'string' && password.length <= MAX_PASSWORD_CHECKED ? password : '';
      const account = name === '' ? null : await store.state.accounts.get(name);
      const matched = await verifyPassword(pw, account?.passwordHash ?? (await dummyHash()));
      if (!account || !matched || pw === '') {
        limiter.failed(name, ip);
        logger.info('A sign-in failed.', { user: safeLine(name, 100), ip: safeLine(ip, 100) });
        return { ok: false, code: 'login_failed' };
      }
      limiter.succeeded(name, ip);
      return { ok: true, session: await open({ user: account.name, role: account.role, method: 'local' }) };
    },
    async resolve(id) {
      if (!ID_SHAPE.test(id)) return null;
      const idHash = sessionIdHash(id);
      const s = await store.state.sessions.get(idHash);
      if (!s) return null;
      const now = clock.now();
      if (now >= s.expiresAt || now - s.lastSeenAt >= settings.idle) {
        await store.state.sessions.remove(idHash);
        return null;
      }
      let role = s.role;
      if (s.method === 'local') {
        // A removed account, a new password or a new role ends the account's sessions.
        const account = await store.state.accounts.get(s.user);
        if (!account || account.changedAt > s.createdAt) {
          await store.state.sessions.remove(idHash);
          return null;
        }
        role = account.role;
      }
      if (now - s.lastSeenAt >= TOUCH_EVERY) await store.state.sessions.touch(idHash, now);
      return { ...info(s), role };
    },
    async end(id) {
      if (!ID_SHAPE.test(id)) return false;
      return store.state.sessions.remove(sessionIdHash(id));
    },
  };
}
