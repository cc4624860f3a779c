// Test helpers for the dashboard (not a test file itself): a daemon HTTP API serving the bundled page
// over a real DuckDB store in a temp folder, with real audit records imported and real detection run
// on them (so alerts carry real evidence), local accounts of each role, and Debian's headless Chromium
// driven by playwright-core with every dialog, page error and request to another origin recorded.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Browser, Page } from 'playwright-core';
import { silentLogger, systemClock } from '../core/index.js';
import { normalize, type EventRow } from '../records/index.js';
import { configuredSessions, createOperations, openConfiguredStore, parseConfig, type Config, type Operations } from '../service/index.js';
import { startApiServer, type ApiServer } from '../server/index.js';
import type { Store } from '../store/index.js';
import { webAssetsDir } from './index.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const PASSWORD = 'correct horse battery staple';
export const TENANT = 'contoso';
const ORG = 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd';

export interface WebHarness {
  dir: string;
  configFile: string;
  config: Config;
  store: Store;
  operations: Operations;
  server: ApiServer;
  url: string;
  browser: Browser;
  /** A fresh browser context and page, its problems recorded. */
  page(): Promise<Watched>;
  close(): Promise<void>;
}

export interface Watched {
  page: Page;
  dialogs: string[];
  foreign: string[];
  errors: string[];
  close(): Promise<void>;
}

/** One audit record as the store keeps it (normalised like an import), `minutesAgo` before now. */
export function record(n: number, minutesAgo: number, fields: Record<string, unknown>): EventRow {
  const r = normalize(
    {
      Id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      RecordType: 15,
      CreationTime: new Date(Date.now() - minutesAgo * 60_000).toISOString().slice(0, 19),
      OrganizationId: ORG,
      UserKey: '',
      UserType: 0,
      Workload: 'AzureActiveDirectory',
      ClientIP: '203.0.113.77',
      ...fields,
    },
    { tenantId: TENANT, contentType: null, sourceId: 'import:web-test' },
  );
  if (!r.ok) throw new Error(`bad test record ${n}`);
  return r.row;
}

/** Twelve failed sign-ins in four minutes (the built-in burst rule wants 10 in 5), ending `minutesAgo` ago. */
export function bruteForce(first: number, user: string, minutesAgo = 30, ip = '203.0.113.77'): EventRow[] {
  return Array.from({ length: 12 }, (_, i) => record(first + i, minutesAgo + (12 - i) / 3, { Operation: 'UserLoginFailed', UserId: user, ClientIP: ip, ErrorNumber: '50126', ResultStatus: 'Failed' }));
}

export async function startWebHarness(o: { rows?: EventRow[]; yaml?: string; collectYaml?: string; port?: number } = {}): Promise<WebHarness> {
  const webDir = webAssetsDir();
  if (!webDir) throw new Error('dist/web is not built: run `npm run build` (or node dist/web/build.js)');
  const dir = mkdtempSync(join(tmpdir(), 'aw-web-'));
  const configFile = join(dir, 'auditwatch.yaml');
  const yaml = `store:\n  path: ${join(dir, 'store.duckdb')}\ncollect:\n  listen: 127.0.0.1:0\n${o.collectYaml ?? ''}${o.yaml ?? ''}`;
  writeFileSync(configFile, yaml);
  const config = parseConfig(yaml, { file: configFile });
  const store = await openConfiguredStore(config);
  const operations = createOperations({ config, store, clock: systemClock, logger: silentLogger });
  if (o.rows?.length) {
    await store.importRecords({ tenantId: TENANT, sourceId: 'import:web-test', rows: o.rows, rejects: [], ingestedAt: Date.now() });
    await operations.detect({ from: '7d', to: new Date(Date.now() + 60_000).toISOString() });
  }
  for (const [name, role] of [['ann', 'analyst'], ['vera', 'viewer'], ['root', 'admin']] as const) await operations.usersAdd({ name, role, password: PASSWORD });
  const sessions = configuredSessions({ config, store, clock: systemClock, logger: silentLogger });
  const server = await startApiServer(
    { operations, metrics: new Registry(), sessions },
    { listen: { host: '127.0.0.1', port: o.port ?? 0 }, allowedHosts: [], auth: config.collect.auth, storePath: config.store.path, logger: silentLogger, clock: systemClock, webDir },
  );
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const origin = new URL(server.url).origin;
  return {
    dir,
    configFile,
    config,
    store,
    operations,
    server,
    url: server.url,
    browser,
    page: async () => {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      const w: Watched = { page, dialogs: [], foreign: [], errors: [], close: () => context.close() };
      page.on('dialog', (d) => {
        w.dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('request', (r) => {
        if (!r.url().startsWith(origin + '/')) w.foreign.push(r.url());
      });
      page.on('pageerror', (e) => w.errors.push(e.message));
      return w;
    },
    close: async () => {
      await browser.close();
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the page's form and waits for the navigation bar. */
export async function signIn(page: Page, url: string, user: string, password = PASSWORD, path = '/'): Promise<void> {
  await page.goto(url + path);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top');
}

/** A call from inside the page (same origin, its cookie) — what a script in the page could send. */
export async function pageFetch(page: Page, path: string, o: { method?: string; body?: unknown; csrf?: boolean } = {}): Promise<{ status: number; code: string | null }> {
  return page.evaluate(
    async ({ path, method, body, csrf }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (csrf) {
        const s = (await (await fetch('/api/v1/session')).json()) as { data: { csrfToken: string } };
        headers['x-csrf-token'] = s.data.csrfToken;
      }
      const res = await fetch(path, { method: method ?? 'GET', headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const json = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
      return { status: res.status, code: json?.error?.code ?? null };
    },
    { path, method: o.method ?? 'GET', body: o.body, csrf: o.csrf ?? false },
  );
}

/** Waits until the element's text is exactly `text` (or contains it, with `contains`). */
export async function waitText(page: Page, selector: string, text: string, contains = false): Promise<void> {
  await page.waitForFunction(
    ({ selector, text, contains }) => {
      const t = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector(selector)?.textContent ?? '';
      return contains ? t.includes(text) : t === text;
    },
    { selector, text, contains },
  );
}
