// Test helpers for sign-in (not a test file itself): a daemon HTTP API on a real DuckDB store in a temp
// folder with a manual clock and a recording logger, local accounts, and a small HTTP client that keeps
// the session cookie like a browser does (raw Set-Cookie kept for the flag checks).

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createLogger, ManualClock, type LogRecord } from '../core/index.js';
import { configuredSessions, createOperations, openConfiguredStore, parseConfig, type Config } from '../service/index.js';
import type { Store } from '../store/index.js';
import { startApiServer, type ApiServer } from './index.js';

export interface AuthHarness {
  dir: string;
  config: Config;
  store: Store;
  server: ApiServer;
  clock: ManualClock;
  logs: LogRecord[];
  url: string;
  close(): Promise<void>;
}

/** A port free a moment ago (for a redirect URL that must be known before the server starts). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** `collectYaml` goes under `collect:` (indented by the caller with two spaces). */
export async function startAuthHarness(o: { collectYaml?: string; env?: Record<string, string>; clock?: ManualClock; port?: number } = {}): Promise<AuthHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'aw-auth-'));
  const yaml = `store:\n  path: ${join(dir, 'store.duckdb')}\ncollect:\n  listen: 127.0.0.1:0\n${o.collectYaml ?? ''}`;
  const config = parseConfig(yaml, { file: join(dir, 'auditwatch.yaml'), env: { ...process.env, ...(o.env ?? {}) }, readSecrets: true });
  const store = await openConfiguredStore(config);
  const clock = o.clock ?? new ManualClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  const logs: LogRecord[] = [];
  const logger = createLogger({ level: 'debug', sink: (r) => logs.push(r) });
  const operations = createOperations({ config, store, clock, logger });
  const sessions = configuredSessions({ config, store, clock, logger });
  const server = await startApiServer(
    { operations, metrics: new Registry(), sessions },
    { listen: { host: '127.0.0.1', port: o.port ?? 0 }, allowedHosts: [], auth: config.collect.auth, logger, clock },
  );
  return {
    dir,
    config,
    store,
    server,
    clock,
    logs,
    url: server.url,
    close: async () => {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
  json: any; // tests read the answers' fields freely
}

/** A browser-like client: keeps cookies by name, sends them back, never follows redirects by itself. */
export class CookieClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async send(path: string, o: { method?: string; json?: unknown; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (this.cookies.size) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (o.json !== undefined) headers['content-type'] = 'application/json';
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const res = await fetch(url, { method: o.method ?? 'GET', headers, redirect: 'manual', ...(o.json !== undefined ? { body: JSON.stringify(o.json) } : o.body !== undefined ? { body: o.body } : {}) });
    if (new URL(url).origin === new URL(this.base).origin) this.keep(res.headers.getSetCookie());
    const body = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(body);
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, body, json };
  }

  keep(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
