// Test helpers for the alerts part (not a test file itself): a migrated DuckDB store in a temp folder,
// detection hits, and real local receivers (HTTP, syslog UDP/TCP/TLS) that record what arrives.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createSocket } from 'node:dgram';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectionHit } from '../detect/index.js';
import { openDuckDbStore, type Store } from '../store/index.js';


export async function tempStore(): Promise<{ store: Store; dir: string; path: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aw-alerts-'));
  const path = join(dir, 'store.duckdb');
  const store = await openDuckDbStore({ path, threads: 1 });
  await store.migrate();
  return {
    store,
    dir,
    path,
    cleanup: async () => {
      await store.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);

export function hit(over: Partial<DetectionHit> = {}): DetectionHit {
  return {
    ruleId: 'm365-brute-force',
    title: 'Brute force on one account',
    severity: 'high',
    tags: ['attack.credential_access', 'attack.t1110.001'],
    tenantId: '11111111-2222-3333-4444-555555555555',
    groupKey: 'alice@contoso.com',
    entities: { users: ['alice@contoso.com'], ips: ['203.0.113.7'] },
    firstSeen: T0,
    lastSeen: T0 + 60_000,
    count: 3,
    evidence: ['e1', 'e2', 'e3'],
    ...over,
  };
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  received: Received[];
  /** What to answer next: a status (default 200), or 'hold' to never answer. */
  respond: (r: Received) => number | 'hold';
  /** Resolves when `n` requests have arrived. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function httpReceiver(port = 0): Promise<HttpReceiver> {
  const received: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const r: HttpReceiver = {
    url: '',
    received,
    respond: () => 200,
    waitFor: (n) => new Promise<void>((resolve) => (received.length >= n ? resolve() : waiters.push({ n, resolve }))),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(rec);
      for (const w of waiters.filter((x) => received.length >= x.n)) w.resolve();
      const answer = r.respond(rec);
      if (answer === 'hold') return;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return r;
}

export interface SyslogReceiver {
  port: number;
  messages: string[];
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

function collector() {
  const messages: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    messages,
    push(m: string) {
      messages.push(m);
      for (const w of waiters.filter((x) => messages.length >= x.n)) w.resolve();
    },
    waitFor: (n: number) => new Promise<void>((resolve) => (messages.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

export async function udpSyslog(): Promise<SyslogReceiver> {
  const c = collector();
  const socket = createSocket('udp4');
  socket.on('message', (m) => c.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, messages: c.messages, waitFor: c.waitFor, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** Parses RFC 6587 octet-counted frames ("LEN SP MSG") from a stream; refuses anything else. */
function octetCounting(socket: Socket, push: (m: string) => void): void {
  let buf = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const sp = buf.indexOf(0x20);
      if (sp < 0) return;
      const len = Number(buf.subarray(0, sp).toString('ascii'));
      if (!Number.isInteger(len) || len <= 0) {
        push(`BAD FRAME: ${buf.toString('utf8').slice(0, 80)}`);
        socket.destroy();
        return;
      }
      if (buf.length < sp + 1 + len) return;
      push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
      buf = buf.subarray(sp + 1 + len);
    }
  });
  socket.on('error', () => {});
}

export async function streamSyslog(tls?: { key: string; cert: string }): Promise<SyslogReceiver> {
  const c = collector();
  const sockets = new Set<Socket>();
  const onSocket = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    octetCounting(s, c.push);
  };
  const server: TcpServer = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, onSocket) : createTcpServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    messages: c.messages,
    waitFor: c.waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Captures a logger's records as text, to assert that no secret reached them. */
export function captureLogs(): { lines: string[]; sink: (r: object) => void } {
  const lines: string[] = [];
  return { lines, sink: (r) => lines.push(JSON.stringify(r)) };
}
