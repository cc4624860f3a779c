// The API client against the emulator over real HTTP: tokens (secret and certificate, cached, refreshed
// before expiry and on 401), PublisherIdentifier on every call, paging, blobs, and every failure
// classified with a one-line message that names the fix and never carries the secret.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { createLogger, ManualClock, Secret, type LogRecord } from '../core/index.js';
import { createContentSource, startEmulator, type ContentSource, type RunningEmulator } from '../emulator/index.js';
import { createApiClient, isApiError, type ApiClientOptions, type ApiError } from './index.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 2, 2, 9, 30, 0);
const clock = new ManualClock(START + 3 * HOUR);

/** Two small frozen tenants whose blobs are available at once; their apps may be given other roles. */
function source(roles?: string[]): ContentSource {
  const src = createContentSource({ seed: 'api', days: 1, users: 10, tenants: 2, scenarios: [], live: false, startTime: START, latency: { kind: 'fixed', ms: 0 } });
  if (!roles) return src;
  return {
    tenants: () => src.tenants().map((t) => ({ ...t, roles })),
    listBlobs: (...a) => src.listBlobs(...a),
    blobContent: (...a) => src.blobContent(...a),
    groundTruth: (now) => src.groundTruth(now),
    scenarioNames: () => src.scenarioNames(),
    inject: (...a) => src.inject(...a),
  };
}
const emulators: RunningEmulator[] = [];
after(async () => {
  for (const e of emulators) await e.close();
});

async function emulator(opts: { roles?: string[]; tls?: boolean; pageSize?: number } = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ source: source(opts.roles), clock, pageSize: opts.pageSize ?? 2, tls: opts.tls ?? false, throttlePerMinute: 0 });
  emulators.push(emu);
  return emu;
}

function clientFor(emu: RunningEmulator, over: Partial<ApiClientOptions> = {}, logs: LogRecord[] = []) {
  const t = emu.tenants[0]!;
  return createApiClient({
    tenantId: t.tenantId,
    clientId: t.clientId,
    credential: { kind: 'secret', secret: new Secret(t.clientSecret) },
    cloud: 'enterprise',
    apiHost: emu.url,
    loginHost: emu.url,
    clock,
    logger: createLogger({ level: 'debug', sink: (r) => logs.push(r) }),
    ...over,
  });
}

/** Every text an error could show: message, display, cause chain, util.inspect, JSON. */
function everyText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 10 && e; i++) {
    parts.push(String(e), inspect(e, { depth: 5 }), JSON.stringify(e) ?? '');
    if (e instanceof Error) parts.push(e.message, e.stack ?? '');
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('secret credential: subscriptions, paged listing and blobs, PublisherIdentifier on every call', async () => {
  const emu = await emulator();
  const urls: string[] = [];
  const spy: typeof fetch = (input, init) => {
    urls.push(String(input));
    return fetch(input, init);
  };
  const api = clientFor(emu, { fetch: spy });
  assert.deepEqual(await api.listSubscriptions(), []);
  const started = await api.startSubscription('Audit.Exchange');
  assert.equal(started.status, 'enabled');
  const subs = await api.listSubscriptions();
  assert.deepEqual(subs.map((s) => [s.contentType, s.status]), [['Audit.Exchange', 'enabled']]);

  const pages = [];
  for await (const p of api.listContent('Audit.Exchange', START - 6 * HOUR, START)) pages.push(p);
  assert.ok(pages.length >= 3, 'several pages of two');
  for (const p of pages.slice(0, -1)) assert.equal(p.blobs.length, 2);
  assert.equal(pages.at(-1)!.nextPageUri, null);
  const blobs = pages.flatMap((p) => p.blobs);
  assert.equal(new Set(blobs.map((b) => b.contentId)).size, blobs.length);
  for (const b of blobs) assert.ok(b.contentCreated >= START - 6 * HOUR && b.contentCreated < START);
  const blob = await api.fetchBlob(blobs[0]!.contentUri);
  assert.ok(blob.records.length > 0);
  assert.ok(blob.bytes > 100);
  const available = new Set(emu.control.groundTruth().available[api.tenantId]!['Audit.Exchange']);
  for (const r of blob.records) assert.ok(available.has((JSON.parse(r as string) as { Id: string }).Id), 'each record is one the emulator made, as text');

  const apiUrls = urls.filter((u) => u.includes('/api/v1.0/'));
  assert.ok(apiUrls.length >= 6);
  for (const u of apiUrls) assert.match(u, new RegExp(`PublisherIdentifier=${api.tenantId}`), u);
  // One token for all of it.
  assert.equal(urls.filter((u) => u.includes('/oauth2/v2.0/token')).length, 1);
});

test('certificate credential: a client_assertion the emulator accepts', async () => {
  const emu = await emulator();
  const t = emu.tenants[0]!;
  const api = clientFor(emu, { credential: { kind: 'certificate', certificatePem: t.certificatePem, privateKeyPem: new Secret(t.privateKeyPem) } });
  assert.ok(Array.isArray(await api.listSubscriptions()));
});

test('the token is refreshed before it expires and once after a 401', async () => {
  const emu = await emulator();
  emu.control.setTokenLifetime(3600);
  let tokenCalls = 0;
  let spoil = false;
  const spy: typeof fetch = (input, init) => {
    if (String(input).includes('/oauth2/')) tokenCalls++;
    if (spoil && String(input).includes('/api/v1.0/')) {
      spoil = false;
      return fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: 'Bearer not-a-token' } });
    }
    return fetch(input, init);
  };
  const api = clientFor(emu, { fetch: spy });
  await api.listSubscriptions();
  await api.listSubscriptions();
  assert.equal(tokenCalls, 1);
  clock.advance(56 * 60_000); // within 5 minutes of expiry
  await api.listSubscriptions();
  assert.equal(tokenCalls, 2);
  spoil = true;
  await api.listSubscriptions();
  assert.equal(tokenCalls, 3, 'a 401 fetches a new token and the call succeeds');
});

test('every failure is classified, names the fix, and never shows the secret', async () => {
  const emu = await emulator();
  const noRole = await emulator({ roles: [] });
  const tls = await emulator({ tls: true });
  const t = emu.tenants[0]!;
  const other = emu.tenants[1]!;
  const port = await closedPort();
  const cases: { name: string; make: (logs: LogRecord[]) => ReturnType<typeof clientFor>; kind: ApiError['kind']; code?: string; says: RegExp }[] = [
    { name: 'wrong secret', make: (l) => clientFor(emu, { credential: { kind: 'secret', secret: new Secret('Wr0ng~secret~value~12345') } }, l), kind: 'auth', code: 'AADSTS7000215', says: /client secret .* wrong or expired: create a new one/ },
    { name: 'missing permission', make: (l) => clientFor(noRole, {}, l), kind: 'config', code: 'AF10001', says: /grant the app ActivityFeed\.Read .*admin consent/ },
    { name: 'unknown tenant', make: (l) => clientFor(emu, { tenantId: '0badc0de-0000-4000-8000-000000000001' }, l), kind: 'config', code: 'AADSTS90002', says: /check the tenantId/ },
    { name: 'wrong tenant (the app is another tenant\'s)', make: (l) => clientFor(emu, { tenantId: other.tenantId }, l), kind: 'auth', code: 'AADSTS700016', says: /check clientId/ },
    { name: 'unreachable host', make: (l) => clientFor(emu, { apiHost: `http://127.0.0.1:${port}`, loginHost: `http://127.0.0.1:${port}` }, l), kind: 'retryable', code: 'ECONNREFUSED', says: /Cannot connect to 127\.0\.0\.1:\d+ .*cloud setting/ },
    { name: 'unknown host', make: (l) => clientFor(emu, { apiHost: 'http://no-such-host.invalid', loginHost: 'http://no-such-host.invalid' }, l), kind: 'config', code: 'ENOTFOUND', says: /Cannot resolve the host no-such-host\.invalid .*cloud setting/ },
    { name: 'untrusted TLS', make: (l) => clientFor(tls, {}, l), kind: 'config', says: /TLS connection .* NODE_EXTRA_CA_CERTS/ },
  ];
  for (const c of cases) {
    const logs: LogRecord[] = [];
    const api = c.make(logs);
    const err = await api.listSubscriptions().then(
      () => assert.fail(`${c.name}: expected an error`),
      (e: unknown) => e,
    );
    assert.ok(isApiError(err), `${c.name}: ${String(err)}`);
    assert.equal(err.kind, c.kind, `${c.name}: ${err.message}`);
    if (c.code) assert.equal(err.afCode, c.code, c.name);
    assert.match(err.message, c.says, c.name);
    assert.doesNotMatch(err.message, /\n/);
    for (const secret of [t.clientSecret, 'Wr0ng~secret~value~12345']) {
      assert.ok(!everyText(err).includes(secret), `${c.name}: the secret leaked into the error`);
      assert.ok(!JSON.stringify(logs).includes(secret), `${c.name}: the secret leaked into the logs`);
    }
  }
});

test('server faults are retryable, throttling is throttled, expired content is a gap', async () => {
  const emu = await emulator();
  const api = clientFor(emu, { timeoutMs: 300 });
  await api.startSubscription('Audit.SharePoint');
  const page = await api.listContentPage('Audit.SharePoint', START - 6 * HOUR, START);
  const uri = page.blobs[0]!.contentUri;
  const expect = async (faults: Record<string, number>, kind: string, code: RegExp) => {
    emu.control.setFaults({ rate500: 0, rate503: 0, rateAf50000: 0, resetRate: 0, truncateRate: 0, slowRate: 0, ...faults });
    const err = await api.fetchBlob(uri).then(() => null, (e: unknown) => e);
    assert.ok(isApiError(err), `${JSON.stringify(faults)} gave ${String(err)}`);
    assert.equal(err.kind, kind, `${JSON.stringify(faults)}: ${err.message}`);
    assert.match(`${err.afCode ?? ''} ${err.status ?? ''}`, code, err.message);
  };
  await expect({ rate500: 1 }, 'retryable', /500/);
  await expect({ rate503: 1 }, 'retryable', /503/);
  await expect({ rateAf50000: 1 }, 'retryable', /AF50000/);
  await expect({ resetRate: 1 }, 'retryable', /ECONNRESET|truncated|network/);
  await expect({ truncateRate: 1 }, 'retryable', /truncated/);
  await expect({ slowRate: 1, slowMs: 2000 }, 'retryable', /timeout/);
  emu.control.setFaults({ slowRate: 0 });

  emu.control.setThrottle({ perTenantPerMinute: 1 });
  clock.advance(60_000);
  await api.fetchBlob(uri);
  const throttled = await api.fetchBlob(uri).then(() => null, (e: unknown) => e);
  assert.ok(isApiError(throttled, 'throttled'));
  assert.equal(throttled.afCode, 'AF429');
  assert.equal(throttled.status, 403);
  assert.match(throttled.message, /lower collect\.requestsPerMinute in the config/, 'the fix names the real config key');
  emu.control.setThrottle({ perTenantPerMinute: 0 });

  clock.advance(8 * 24 * HOUR);
  const expired = await api.fetchBlob(uri).then(() => null, (e: unknown) => e);
  assert.ok(isApiError(expired, 'gap'), String(expired));
  assert.equal(expired.afCode, 'AF20051');
});

test('a contentUri or NextPageUri on another host never gets the token', async () => {
  const emu = await emulator();
  const api = clientFor(emu);
  const err = await api.fetchBlob('http://evil.example/api/v1.0/x/activity/feed/audit/y').then(() => null, (e: unknown) => e);
  assert.ok(isApiError(err, 'config'));
  assert.match(err.message, /another host \(evil\.example\)/);
});
