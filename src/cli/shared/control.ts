// The daemon's local HTTP surface, on collect.listen: GET /metrics (Prometheus), and a small control API
// for the commands that cannot open the DuckDB file while the daemon holds it: GET /status and
// POST /query (read-only SQL). The control API asks for a bearer token kept in an endpoint file next to
// the store (mode 0600), so only the user who runs the daemon can use it; /metrics needs none. Every
// endpoint refuses a Host header that does not name the daemon (DNS rebinding; see host.ts).

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, errorMessage, writePrivateFile, type Logger } from '../../core/index.js';
import type { ListenAddress } from '../../config/index.js';
import { allowedHostNames, hostAllowed } from './host.js';

export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface ControlHandlers {
  metrics: MetricsSource;
  status(): Promise<unknown>;
  query(sql: string): Promise<unknown[]>;
  /** Runs a command of the CLI inside the daemon, against its store (see FORWARDED_COMMANDS). */
  command(args: string[]): Promise<CommandResult>;
}

/** What a command run inside the daemon printed and returned. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ControlServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 1_000_000;

export async function startControlServer(
  listen: ListenAddress,
  handlers: ControlHandlers,
  logger: Logger,
  allowedHosts: readonly string[] = [],
): Promise<ControlServer> {
  const token = randomBytes(24).toString('base64url');
  const hosts = allowedHostNames(listen.host, allowedHosts);
  const server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, hosts)) {
      send(res, 403, { error: 'The Host header does not name this daemon; use its listen address (or localhost), or add the name to collect.allowedHosts.' });
      return;
    }
    handle(req, res, handlers, token).catch((err) => {
      logger.warn('A control request failed.', { path: req.url?.slice(0, 100), error: errorMessage(err) });
      send(res, err instanceof AppError ? 400 : 500, { error: errorMessage(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new AppError(
          'listen',
          `Cannot listen on ${listen.host}:${listen.port} for /metrics (${err.code ?? err.message}); set collect.listen to a free address, or false.`,
        ),
      ),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, h: ControlHandlers, token: string): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/metrics') {
    const text = await h.metrics.metrics();
    res.writeHead(200, { 'content-type': h.metrics.contentType });
    res.end(text);
    return;
  }
  if (req.method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
  if (path !== '/status' && path !== '/query' && path !== '/command') return send(res, 404, { error: 'Not found; the daemon serves /metrics, /status, /query and /command.' });
  if (!authorized(req, token)) return send(res, 401, { error: 'A bearer token from the daemon\'s endpoint file is required.' });
  if (req.method === 'GET' && path === '/status') return send(res, 200, await h.status());
  if (req.method === 'POST' && path === '/query') {
    const body = await readBody(req);
    let sql: unknown;
    try {
      sql = (JSON.parse(body) as { sql?: unknown }).sql;
    } catch {
      sql = undefined;
    }
    if (typeof sql !== 'string' || sql.trim() === '') return send(res, 400, { error: 'Send {"sql": "SELECT …"}.' });
    try {
      return send(res, 200, { rows: await h.query(sql) });
    } catch (err) {
      return send(res, 400, { error: errorMessage(err) });
    }
  }
  if (req.method === 'POST' && path === '/command') {
    let args: unknown;
    try {
      args = (JSON.parse(await readBody(req)) as { args?: unknown }).args;
    } catch {
      args = undefined;
    }
    if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
      return send(res, 400, { error: 'Send {"args": ["alerts", "list"]}.' });
    }
    return send(res, 200, await h.command(args as string[]));
  }
  return send(res, 405, { error: 'Method not allowed; GET /status, POST /query, POST /command.' });
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AppError('too_large', 'The query is larger than 1 MB.'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Where a running daemon can be reached: written next to the store while the daemon runs. */
export interface DaemonEndpoint {
  pid: number;
  url: string;
  token: string;
  startedAt: string;
}

export function endpointFile(storePath: string): string {
  return `${storePath}.daemon.json`;
}

export function writeEndpoint(storePath: string, endpoint: DaemonEndpoint): void {
  writePrivateFile(endpointFile(storePath), JSON.stringify(endpoint)); // replaces a planted file, never writes through it
}

export function removeEndpoint(storePath: string, pid = process.pid): void {
  const current = readEndpoint(storePath);
  if (current && current.pid === pid) rmSync(endpointFile(storePath), { force: true });
}

export function readEndpoint(storePath: string): DaemonEndpoint | null {
  try {
    const v = JSON.parse(readFileSync(endpointFile(storePath), 'utf8')) as Partial<DaemonEndpoint>;
    if (typeof v.url === 'string' && typeof v.token === 'string' && typeof v.pid === 'number') return v as DaemonEndpoint;
    return null;
  } catch {
    return null;
  }
}

/** Asks the daemon that holds the store; an AppError naming the fix when it cannot be reached. */
export async function askDaemon<T>(storePath: string, path: '/status' | '/query' | '/command', body?: unknown, timeoutMs = 120_000): Promise<T> {
  const ep = readEndpoint(storePath);
  if (!ep) {
    throw new AppError(
      'store_locked',
      `The store ${storePath} is held by another process that serves no control API (no ${endpointFile(storePath)}); stop that process, or run the daemon with collect.listen set.`,
    );
  }
  let res: Response;
  try {
    res = await fetch(`${ep.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${ep.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new AppError('daemon_unreachable', `The collect daemon (pid ${ep.pid}) holds the store but does not answer at ${ep.url} (${errorMessage(err)}); check that it runs, or stop it.`);
  }
  const json = (await res.json().catch(() => ({}))) as { error?: string } & T;
  if (!res.ok) throw new AppError('daemon_error', `The collect daemon answered: ${json.error ?? `HTTP ${res.status}`}`);
  return json;
}
