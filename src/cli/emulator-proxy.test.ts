// A client written for the real service uses the emulator unmodified: its hosts are hard-coded
// (https://login.microsoftonline.com, https://manage.office.com), it speaks Node's own `https` through a
// plain CONNECT proxy (here a small one on node:http, which sends those two names to the emulator as a
// hosts file would), and it trusts only the CA file `auditwatch emulator --tls-names …` printed. It asks
// Graph for a token first (as many clients do), then the Management API, starts the subscriptions,
// lists and fetches everything, and gets exactly the emulator's ground truth.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest, type AgentOptions, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { CONTENT_TYPES } from '../records/index.js';
import type { GroundTruth } from '../emulator/index.js';
import { serve } from './emulator.js';

const LOGIN = 'https://login.microsoftonline.com';
const MANAGE = 'https://manage.office.com';

/** An https.Agent that opens every connection as a CONNECT tunnel through an HTTP proxy. */
class TunnelAgent extends Agent {
  constructor(private readonly proxy: { host: string; port: number }, options: AgentOptions) {
    super({ keepAlive: true, ...options });
  }
  override createConnection(requested: RequestOptions, done?: (err: Error | null, stream: Duplex) => void): undefined {
    const options = requested as RequestOptions & { servername?: string; ca?: string };
    const fail = (err: Error) => done!(err, undefined as unknown as Duplex);
    const target = `${options.host}:${options.port ?? 443}`;
    const req = httpRequest({ host: this.proxy.host, port: this.proxy.port, method: 'CONNECT', path: target, headers: { Host: target } });
    req.once('connect', (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode !== 200) return fail(new Error(`the proxy refused ${target}: ${res.statusCode}`));
      done!(null, tlsConnect({ socket, servername: options.servername ?? String(options.host), ...(options.ca ? { ca: options.ca } : {}) }));
    });
    req.once('error', fail);
    req.end();
    return undefined;
  }
}

/** A plain CONNECT proxy; `route` says where a host:port really is (the emulator, for Microsoft's names). */
async function connectProxy(route: (host: string, port: number) => { host: string; port: number } | null) {
  const asked: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    asked.push(req.url ?? '');
    const m = /^([^:]+):(\d+)$/.exec(req.url ?? '');
    const to = m ? route(m[1]!, Number(m[2])) : null;
    if (!to) return client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    const upstream = netConnect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, asked, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

function call(agent: Agent, url: string, init: { method?: string; form?: Record<string, string>; token?: string } = {}): Promise<{ status: number; headers: IncomingMessage['headers']; json: unknown }> {
  return new Promise((resolve, reject) => {
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const headers: Record<string, string> = {};
    if (body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    const req = httpsRequest(url, { method: init.method ?? (body ? 'POST' : 'GET'), agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

test('a client hard-coding Microsoft\'s hosts collects everything through a CONNECT proxy, trusting only the printed CA file', { timeout: 60_000 }, async () => {
  const stop = new AbortController();
  let out = '';
  let first!: () => void;
  const printed = new Promise<void>((resolve) => (first = resolve));
  const done = serve(['--port', '0', '--json', '--tls-names', 'manage.office.com,login.microsoftonline.com', '--seed', '15', '--days', '2', '--users', '6', '--no-live', '--latency', '0s', '--scenarios', 'brute-force,mass-file-download', '--page-size', '7'], {
    write: (text) => {
      out += text;
      first();
    },
    signal: stop.signal,
  });
  await Promise.race([printed, done]);
  const info = JSON.parse(out.split('\n')[0]!) as { url: string; caFile: string; tenants: { tenantId: string; clientId: string; clientSecret: string }[] };
  const emulator = new URL(info.url);
  const proxy = await connectProxy((host, port) => (port === 443 && ['manage.office.com', 'login.microsoftonline.com'].includes(host) ? { host: emulator.hostname, port: Number(emulator.port) } : null));
  const ca = readFileSync(info.caFile, 'utf8');
  const agent = new TunnelAgent({ host: '127.0.0.1', port: proxy.port }, { ca });
  try {
    const { tenantId, clientId, clientSecret } = info.tenants[0]!;
    // Without the CA file (the system's roots only) the emulator is not trusted.
    const untrusted = new TunnelAgent({ host: '127.0.0.1', port: proxy.port }, {});
    await assert.rejects(call(untrusted, `${LOGIN}/${tenantId}/oauth2/v2.0/token`), /certificate|self.signed|issuer/i);
    untrusted.destroy();

    const grant = (scope: string) => call(agent, `${LOGIN}/${tenantId}/oauth2/v2.0/token`, { form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope } });
    const graph = await grant('https://graph.microsoft.com/.default');
    assert.equal(graph.status, 200, JSON.stringify(graph.json));
    const graphClaims = claims((graph.json as { access_token: string }).access_token);
    assert.equal(graphClaims.aud, 'https://graph.microsoft.com');
    assert.equal(graphClaims.roles, undefined);
    const manage = await grant(`${MANAGE}/.default`);
    assert.equal(manage.status, 200, JSON.stringify(manage.json));
    const token = (manage.json as { access_token: string }).access_token;
    assert.equal(claims(token).idtyp, 'app');

    const feed = `${MANAGE}/api/v1.0/${tenantId}/activity/feed`;
    const got: Record<string, string[]> = {};
    const now = Date.now();
    for (const ct of CONTENT_TYPES) {
      const started = await call(agent, `${feed}/subscriptions/start?contentType=${ct}&PublisherIdentifier=${tenantId}`, { method: 'POST', token });
      assert.equal(started.status, 200, JSON.stringify(started.json));
      const ids = new Set<string>();
      for (let day = 3; day >= 1; day--) {
        const window = `startTime=${new Date(now - day * 86_400_000).toISOString()}&endTime=${new Date(now - (day - 1) * 86_400_000).toISOString()}`;
        let url: string | undefined = `${feed}/subscriptions/content?contentType=${ct}&${window}&PublisherIdentifier=${tenantId}`;
        while (url) {
          const page = await call(agent, url, { token });
          assert.equal(page.status, 200, JSON.stringify(page.json));
          for (const blob of page.json as { contentUri: string }[]) {
            assert.ok(blob.contentUri.startsWith(`${MANAGE}/`), blob.contentUri);
            const content = await call(agent, blob.contentUri, { token });
            assert.equal(content.status, 200);
            for (const r of content.json as { Id: string }[]) ids.add(r.Id);
          }
          const next = page.headers.nextpageuri;
          url = typeof next === 'string' ? next : undefined;
          if (url) assert.ok(url.startsWith(`${MANAGE}/`), url);
        }
      }
      got[ct] = [...ids].sort();
    }
    const truth = (await call(agent, `${MANAGE}/_emulator/ground-truth`)).json as GroundTruth;
    const expected = Object.fromEntries(CONTENT_TYPES.map((ct) => [ct, [...truth.available[tenantId]![ct]!].sort()]));
    assert.ok(Object.values(expected).flat().length > 100, 'a tenant with content');
    assert.deepEqual(got, expected);
    assert.deepEqual([...new Set(proxy.asked)].sort(), ['login.microsoftonline.com:443', 'manage.office.com:443']);
  } finally {
    agent.destroy();
    await proxy.close();
    stop.abort();
  }
  assert.equal(await done, 0);
});
