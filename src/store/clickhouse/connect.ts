// Connecting to ClickHouse with the official @clickhouse/client over HTTP: the connection settings
// (the URL, database, user, the password always a Secret; a URL carrying credentials one too), the
// client, the server's version read at connect time (the store picks its forms by it), and the
// translation of what the server or the network says into one-line AppErrors that name the fix, with
// every piece of the secrets scrubbed. The client's own logging is off: it would print query text and
// server messages outside our logger.

import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { AppError, errorMessage, reveal, scrub, type MaybeSecret, type Secret } from '../../core/index.js';

export interface ClickHouseConnection {
  /** http(s)://host:port of the server's HTTP interface; one carrying user:password must be a Secret. */
  url: MaybeSecret;
  /** The database holding auditwatch's tables (it must exist). Default "default". */
  database?: string;
  /** Default: the URL's user, else "default". */
  user?: string;
  /** Only from { env } or { file }. */
  password?: Secret;
  /** A cluster of the server's <remote_servers>: the events are sharded by tenant over it (cluster.ts). */
  cluster?: string;
  /** How long to wait for an answer (default 300 s; ingest inserts and retention can take long). */
  requestTimeoutMs?: number;
}

/** Where the settings point, for messages (never a credential). */
export function describe(c: ClickHouseConnection): string {
  try {
    const u = new URL(reveal(c.url));
    return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'https:' ? '8443' : '8123')}, database ${c.database ?? 'default'}`;
  } catch {
    return 'store.clickhouse.url';
  }
}

/** The URL without credentials, and the user and password from it when the settings give none. */
function parts(c: ClickHouseConnection): { url: string; user: string; password: string } {
  let u: URL;
  try {
    u = new URL(reveal(c.url));
  } catch {
    throw new AppError('clickhouse_url', 'store.clickhouse.url is not a URL; give the server\'s HTTP address like http://clickhouse.example.com:8123.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new AppError('clickhouse_url', `store.clickhouse.url must be an http:// or https:// URL (ClickHouse's HTTP interface, port 8123 or 8443), not ${u.protocol}//; fix store.clickhouse.url.`);
  }
  const user = c.user ?? (u.username ? decodeURIComponent(u.username) : 'default');
  const password = c.password?.reveal() ?? (u.password ? decodeURIComponent(u.password) : '');
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), user, password };
}

export function createClickHouseClient(c: ClickHouseConnection): ClickHouseClient {
  const { url, user, password } = parts(c);
  return createClient({
    url,
    username: user,
    password,
    database: c.database ?? 'default',
    request_timeout: c.requestTimeoutMs ?? 300_000,
    application: 'auditwatch',
    log: { level: ClickHouseLogLevel.OFF },
    max_open_connections: 8,
    keep_alive: { enabled: true },
    clickhouse_settings: {
      // Push WHERE conditions into the FINAL view over the rows, so its primary key prunes (see schema.ts).
      enable_optimize_predicate_expression: 1,
      // On a cluster an INSERT into the Distributed table returns once every shard has stored its part,
      // before the blob's PostgreSQL commit (see cluster.ts); asynchronous sending would come after it.
      ...(c.cluster !== undefined ? { insert_distributed_sync: 1 } : {}),
    },
  });
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET']);

/** The ClickHouse error code of a server error (a string of digits), else undefined. */
export function serverCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  // The client parses only the newer servers' error text; 18.16 says "Code: 46, e.displayText() = …".
  const m = err instanceof Error ? /^Code: (\d+)[,.]/.exec(err.message) : null;
  return m ? Number(m[1]) : undefined;
}

/** An error from the client as an AppError naming the fix; no credential appears in it. */
export function clickhouseError(err: unknown, c: ClickHouseConnection, doing: string): AppError {
  if (err instanceof AppError) return err;
  const where = `ClickHouse at ${describe(c)}`;
  const secrets: (Secret | string | undefined)[] = [c.password, c.url];
  const said = scrub(errorMessage(err), secrets).replace(/, e\.what\(\) = DB::Exception/g, '').slice(0, 300);
  const code = serverCode(err);
  const netCode = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  const user = c.user ?? 'the configured user';
  // 192 UNKNOWN_USER, 193 WRONG_PASSWORD, 194 REQUIRED_PASSWORD, 195 IP_ADDRESS_NOT_ALLOWED, 516 AUTHENTICATION_FAILED.
  if (code === 192 || code === 193 || code === 194 || code === 516) {
    return new AppError('clickhouse_auth', `${where} refused the login of ${user} (${said}); fix store.clickhouse.user or the password its { env }/{ file } holds.`, { cause: err });
  }
  if (code === 195) {
    return new AppError('clickhouse_auth', `${where} does not let ${user} in from this address (${said}); allow it in the user's <networks> on the server.`, { cause: err });
  }
  if (code === 81) {
    return new AppError('clickhouse_database', `${where}: the database does not exist (${said}); create it (CREATE DATABASE) or fix store.clickhouse.database.`, { cause: err });
  }
  if (code === 497 || code === 164) {
    return new AppError('clickhouse_access', `${where}: ${user} may not do this (${said}); grant it the rights on the database or use another user.`, { cause: err });
  }
  if (code === 279) {
    // ALL_CONNECTION_TRIES_FAILED: the server could not reach another node (a shard of the cluster).
    return new AppError('clickhouse_unreachable', `${where} cannot reach another node of its cluster while ${doing} (${said}); start that server or fix the cluster's <remote_servers>.`, { cause: err, retryable: true });
  }
  if (typeof netCode === 'string' && UNREACHABLE.has(netCode)) {
    return new AppError('clickhouse_unreachable', `${where} cannot be reached (${netCode}); start the server or fix store.clickhouse.url.`, { cause: err, retryable: true });
  }
  if (/timeout/i.test(said)) {
    return new AppError('clickhouse_unreachable', `${where} did not answer in time while ${doing}; start the server or fix store.clickhouse.url.`, { cause: err, retryable: true });
  }
  if (/ssl|tls|certificate/i.test(said)) {
    return new AppError('clickhouse_tls', `${where}: TLS failed (${said}); fix store.clickhouse.url (http:// for plain HTTP, or a server certificate the system trusts).`, { cause: err });
  }
  if (code === undefined) {
    return new AppError('clickhouse_protocol', `${where} did not answer like a ClickHouse server while ${doing} (${said}); fix store.clickhouse.url (the HTTP interface, port 8123 by default).`, { cause: err, retryable: true });
  }
  return new AppError('clickhouse_error', `${where}: ${doing} failed (${said}); check the server's log.`, { cause: err, retryable: code === 159 || code === 209 || code === 210 || code === 252 });
}

/** The server's version, checking the URL, the login and the database at once. */
export async function serverVersion(client: ClickHouseClient, c: ClickHouseConnection): Promise<string> {
  let text: string;
  try {
    const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const rows = await result.json<{ v?: unknown }>();
    text = String(rows[0]?.v ?? '');
  } catch (err) {
    throw clickhouseError(err, c, 'connecting');
  }
  if (!/^\d+\.\d+/.test(text)) {
    throw new AppError('clickhouse_protocol', `ClickHouse at ${describe(c)} answered SELECT version() with "${text.slice(0, 40)}"; fix store.clickhouse.url (the HTTP interface of a ClickHouse server).`);
  }
  return text;
}
