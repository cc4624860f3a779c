// Connecting to PostgreSQL with `pg`: the connection settings (a URL, or host/port/database/user, the
// password always a Secret from { env } or { file }), a pool, and the translation of what the server or
// the network says into one-line AppErrors that name the fix, with every piece of the secret scrubbed.

import pg from 'pg';
import { AppError, errorMessage, reveal, scrub, type MaybeSecret, type Secret } from '../../core/index.js';

export interface PostgresConnection {
  /** postgres://user@host:port/database?sslmode=…; one carrying a password must be a Secret. */
  url?: MaybeSecret;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: Secret;
  /** false: plain TCP (loopback or a trusted network); true: TLS with the server's certificate verified; or TLS options. */
  ssl?: boolean | { rejectUnauthorized?: boolean; ca?: string };
  /** Connections in the pool (default 8). */
  poolSize?: number;
  /** How long to wait for a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** The config key the settings were written under, for messages (default store.postgres). */
  setting?: string;
}

/** Where the settings point, for messages (never the password). */
export function describe(c: PostgresConnection): string {
  if (c.url !== undefined) {
    try {
      const u = new URL(reveal(c.url));
      return `${u.hostname}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
    } catch {
      return `${c.setting ?? 'store.postgres'}.url`;
    }
  }
  return `${c.host ?? 'localhost'}:${c.port ?? 5432}/${c.database ?? 'postgres'}`;
}

/**
 * The URL with the password of `password` in it: `pg` takes what a connection string says over the
 * separate fields, a password it lacks included (it would connect without one).
 */
function withPassword(url: string, password: Secret | undefined): string {
  if (password === undefined) return url;
  try {
    const u = new URL(url);
    if (u.password) return url;
    u.password = encodeURIComponent(password.reveal());
    return u.toString();
  } catch {
    return url;
  }
}

export function poolConfig(c: PostgresConnection): pg.PoolConfig {
  const ssl = c.ssl === undefined || c.ssl === false ? undefined : c.ssl === true ? { rejectUnauthorized: true } : c.ssl;
  return {
    ...(c.url !== undefined ? { connectionString: withPassword(reveal(c.url), c.password) } : {}),
    ...(c.host !== undefined ? { host: c.host } : {}),
    ...(c.port !== undefined ? { port: c.port } : {}),
    ...(c.database !== undefined ? { database: c.database } : {}),
    ...(c.user !== undefined ? { user: c.user } : {}),
    ...(c.password !== undefined ? { password: c.password.reveal() } : {}),
    ...(ssl !== undefined ? { ssl } : {}),
    max: c.poolSize ?? 8,
    connectionTimeoutMillis: c.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'auditwatch',
  };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']);

/** The user name of a postgres:// URL (never its password). */
function userOf(url: PostgresConnection['url']): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(reveal(url));
    return u.username ? decodeURIComponent(u.username) : undefined;
  } catch {
    return undefined;
  }
}

/** An error from `pg` as an AppError naming the fix; the password and URL never appear in it. */
export function pgError(err: unknown, c: PostgresConnection, doing: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown }).code;
  const where = `PostgreSQL at ${describe(c)}`;
  const secrets = [c.password, c.url];
  const said = scrub(errorMessage(err), secrets).slice(0, 300);
  const key = c.setting ?? 'store.postgres';
  const inUrl = (part: string) => (c.url !== undefined && (part !== 'user' || c.user === undefined) ? `the ${part} in ${key}.url` : `${key}.${part === 'host' ? 'host and port' : part}`);
  const user = c.user ?? userOf(c.url) ?? 'the configured user';
  if (code === '28P01' || code === '28000') {
    return new AppError('postgres_auth', `${where} refused the login of ${user} (${said}); fix ${inUrl('user')} or the password its { env }/{ file } holds.`, { cause: err });
  }
  if (code === '3D000') {
    return new AppError('postgres_database', `${where}: ${said}; create the database (createdb) or fix ${inUrl('database')}.`, { cause: err });
  }
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return new AppError('postgres_unreachable', `${where} cannot be reached (${code}); start the server or fix ${inUrl('host')}.`, { cause: err, retryable: true });
  }
  if (/timeout/i.test(said) && /connect/i.test(said)) {
    return new AppError('postgres_unreachable', `${where} did not answer in time; start the server or fix ${inUrl('host')}.`, { cause: err, retryable: true });
  }
  if (/ssl|tls|certificate/i.test(said)) {
    return new AppError('postgres_ssl', `${where}: TLS failed (${said}); fix ${key}.ssl (false for plain TCP, or the server's CA).`, { cause: err });
  }
  if (code === '40P01' || code === '40001') {
    return new AppError('state_conflict', `${where}: ${doing} collided with another writer (${said}); it is safe to repeat.`, { cause: err, retryable: true });
  }
  return new AppError('postgres_error', `${where}: ${doing} failed (${said}); check the server's log.`, { cause: err, retryable: code === '57P01' || code === '08006' });
}
