// The emulator's HTTP(S) server: builds the per-tenant certificates and the token service, then routes
// token requests, the Management Activity API and the /_emulator/ control surface. One object per
// running emulator; no globals, so tests can run several side by side.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import { AppError, silentLogger, systemClock, type Clock, type Logger } from '../../core/index.js';
import type { ContentSource, EmulatorTenant } from '../model.js';
import { contentUri, handleApi, type ApiContext, type RequestInfo } from './api.js';
import { generateCa, generateCertificate, generateServerCertificate, rsaKeyPair } from './certs.js';
import { createControl, handleControl, type ControlDeps, type EmulatorControl, type TenantCredentials } from './control.js';
import { Faults, type FaultOptions } from './faults.js';
import { apiError, entraError, sendApiError, sendEntraError, sendJson } from './http.js';
import { Stats } from './stats.js';
import { Subscriptions } from './subscriptions.js';
import { Throttle } from './throttle.js';
import { TokenService } from './tokens.js';
import { basicClient, OidcProvider } from './oidc.js';
import type { WebhookOptions } from './webhooks.js';

export interface EmulatorOptions {
  source: ContentSource;
  /** Time of the emulator (default: real time). A ManualClock can also be moved with POST /_emulator/clock. */
  clock?: Clock;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Serve HTTPS. Without `tlsCertificate`, a CA is generated at start-up (its PEM is `caPem`) and signs a
   * server certificate for localhost, 127.0.0.1, ::1, `host` and `tlsNames`.
   */
  tls?: boolean;
  /** More names for the generated certificate (DNS names, `*.` wildcards, IP addresses); implies tls. */
  tlsNames?: string[];
  /** Serve this certificate (PEM, chain allowed) and key instead of generating one; implies tls. */
  tlsCertificate?: { certPem: string; keyPem: string };
  /**
   * Take the scheme and host of the URIs handed out (contentUri, NextPageUri, webhooks' contentUri) from
   * Forwarded / X-Forwarded-Proto / X-Forwarded-Host, as a TLS-terminating proxy in front sends them.
   * Off by default: without a proxy any client could make the emulator hand out someone else's host.
   */
  trustForwarded?: boolean;
  /** Blobs per page of /subscriptions/content before NextPageUri (default 200). */
  pageSize?: number;
  /** Requests a minute per tenant with PublisherIdentifier (default 2,000; 0 = unlimited). */
  throttlePerMinute?: number;
  /** Requests a minute shared by all requests without PublisherIdentifier (default: throttlePerMinute). */
  commonThrottlePerMinute?: number;
  faults?: FaultOptions;
  /** Seed of the fault and webhook-validation draws (default 0). */
  seed?: string | number;
  logger?: Logger;
  /** The password of every emulated user at the OpenID Connect sign-in form (default EMULATED_USER_PASSWORD). */
  userPassword?: string;
  /** Access-token lifetime in seconds (default 3600). */
  tokenLifetimeSeconds?: number;
  webhooks?: WebhookOptions;
  /** How often (real ms) to look for blobs to notify to webhooks (default 1000). */
  notifyPollMs?: number;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  port: number;
  tenants: TenantCredentials[];
  control: EmulatorControl;
  /** The PEM of the generated CA that signed the HTTPS certificate (null without TLS or with tlsCertificate). */
  caPem: string | null;
  close(): Promise<void>;
}

const SAFE_HOST = /^[A-Za-z0-9.\-:[\]]{1,300}$/;

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const source = options.source;
  const pageSize = options.pageSize ?? 200;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new AppError('bad_page_size', 'The page size must be a whole number of at least 1.');
  const host = options.host ?? '127.0.0.1';
  const sourceTenants: EmulatorTenant[] = source.tenants();
  if (sourceTenants.length === 0) throw new AppError('no_tenants', 'The content source has no tenants; give it at least one.');

  const tls = options.tls === true || (options.tlsNames?.length ?? 0) > 0 || options.tlsCertificate !== undefined;
  const tlsNames = altNamesFor(host, options.tlsNames ?? []);
  const [signingKey, serverTls, certs] = await Promise.all([
    rsaKeyPair(),
    tls ? serverCertificate(options.tlsCertificate, tlsNames) : Promise.resolve(null),
    Promise.all(sourceTenants.map((t) => generateCertificate({ commonName: `${t.displayName} auditwatch collector`, organization: t.domain }))),
  ]);
  const apps = sourceTenants.map((tenant, i) => ({ tenant, certificate: certs[i]! }));
  const tenants: TenantCredentials[] = apps.map(({ tenant, certificate }) => ({
    tenantId: tenant.tenantId,
    domain: tenant.domain,
    displayName: tenant.displayName,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    roles: [...tenant.roles],
    certificatePem: certificate.certificatePem,
    privateKeyPem: certificate.privateKeyPem,
    thumbprint: certificate.thumbprint,
    x5t: certificate.x5t,
  }));

  const stats = new Stats(clock.now());
  const tokens = new TokenService(clock, apps, signingKey, options.tokenLifetimeSeconds ?? 3600);
  const throttle = new Throttle({
    perTenantPerMinute: options.throttlePerMinute ?? 2000,
    commonPerMinute: options.commonThrottlePerMinute ?? options.throttlePerMinute ?? 2000,
  });
  const faults = new Faults(options.faults ?? {}, options.seed ?? 0);
  let url = '';
  const subs = new Subscriptions({
    clock,
    source,
    stats,
    logger,
    webhookOptions: options.webhooks ?? {},
    seed: options.seed ?? 0,
    contentUri: (tenantId, contentId) => contentUri(url, tenantId, contentId),
    clientIdOf: (tenantId) => tokens.app(tenantId)?.tenant.clientId ?? '',
  });
  const tenantMap = new Map(sourceTenants.map((t) => [t.tenantId.toLowerCase(), t]));
  const oidc = new OidcProvider({ clock, source, signingKey, tenantOf: (segment) => tokens.app(segment)?.tenant, ...(options.userPassword ? { password: options.userPassword } : {}) });
  tokens.codeGrant = (form, segment, baseUrl, authorization) => oidc.codeGrant(form, segment, baseUrl, basicClient(authorization));
  const apiContext: ApiContext = { clock, source, tokens, throttle, faults, stats, subs, logger, pageSize, tenants: tenantMap };
  const controlDeps: ControlDeps = { clock, source, stats, faults, throttle, tokens, subs, tenants, caPem: serverTls?.caPem ?? null };
  const control = createControl(controlDeps);
  const proto = tls ? 'https' : 'http';
  const trustForwarded = options.trustForwarded ?? false;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const info: RequestInfo = { endpoint: 'Unknown', tenantId: null };
    // The emulator's time, not the host's: a collector checks its clock against this header.
    res.setHeader('Date', new Date(clock.now()).toUTCString());
    res.on('close', () => {
      const outcome = info.outcome ?? (res.writableFinished ? String(res.statusCode) : 'aborted');
      if (!info.endpoint.startsWith('_emulator')) stats.request(info.endpoint, outcome, info.tenantId);
      logger.debug('The emulator answered a request.', { method: req.method, endpoint: info.endpoint, tenantId: info.tenantId, outcome });
    });
    const baseUrl = baseUrlOf(req, proto, url, trustForwarded);
    route(req, res, baseUrl, info).catch((err: unknown) => {
      logger.error('The emulator failed to answer a request.', { endpoint: info.endpoint, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) sendApiError(res, apiError(500, 'AF50000', 'An internal error occurred. Retry the request.'));
      else res.destroy();
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse, baseUrl: string, info: RequestInfo): Promise<void> => {
    const parsed = new URL(req.url ?? '/', 'http://emulator.invalid');
    const parts = parsed.pathname.split('/').slice(1);
    if (parts.at(-1) === '') parts.pop();
    const first = (parts[0] ?? '').toLowerCase();
    if (first === '_emulator') {
      info.endpoint = `_emulator/${parts[1] ?? ''}`;
      return handleControl(controlDeps, control, req, res, parts.slice(1).join('/'));
    }
    if (first === 'api' && parts[1]?.toLowerCase() === 'v1.0') {
      return handleApi(apiContext, req, res, parsed, parts.slice(2).map(safeDecode), baseUrl, info);
    }
    if (parts.length >= 3 && (await oidc.route(req, res, parts, baseUrl, parsed))) {
      info.endpoint = 'OpenIdConnect';
      return;
    }
    const lower = parts.map((p) => p.toLowerCase());
    const v1 = parts.length === 3 && lower[1] === 'oauth2' && lower[2] === 'token';
    const v2 = parts.length === 4 && lower[1] === 'oauth2' && lower[2] === 'v2.0' && lower[3] === 'token';
    if (v1 || v2) {
      const tenantSegment = safeDecode(parts[0]!);
      info.endpoint = v1 ? 'TokenV1' : 'TokenV2';
      info.tenantId = tokens.app(tenantSegment)?.tenant.tenantId ?? null;
      if (req.method !== 'POST') {
        return sendEntraError(res, entraError(400, 'invalid_request', 900561, 'The endpoint only accepts POST, OPTIONS requests. Received a GET request.'), clock.now());
      }
      return tokens.handle(req, res, tenantSegment, v1 ? 1 : 2, baseUrl);
    }
    info.endpoint = 'NotFound';
    sendJson(res, 404, { Message: `No HTTP resource was found that matches the request URI '${baseUrl}${parsed.pathname.slice(0, 300)}'.` });
  };

  const server: Server = serverTls ? createHttpsServer({ key: serverTls.keyPem, cert: serverTls.certPem }, onRequest) : createHttpServer(onRequest);
  server.keepAliveTimeout = 65_000;
  const sockets = new Set<Socket>();
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new AppError('port_in_use', `Port ${options.port ?? 0} on ${host} is already in use; pick another with --port.`, { cause: err })
          : err,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `${proto}://${urlHost(host)}:${port}`;

  let lastNotify = clock.now();
  const notifier = setInterval(() => {
    const now = clock.now();
    if (now === lastNotify) return;
    lastNotify = now;
    subs.deliver().catch((err: unknown) => logger.warn('Webhook notifications failed.', { error: String(err) }));
  }, options.notifyPollMs ?? 1000);
  notifier.unref();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(notifier);
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      for (const s of sockets) s.destroy();
      await done;
      await subs.idle().catch(() => undefined);
    })();
    return closing;
  };

  logger.info('The emulator is listening.', { url, tenants: tenants.length });
  return { url, port, tenants, control, caPem: serverTls?.caPem ?? null, close };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function altNamesFor(host: string, extra: string[]): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  if (host && host !== '0.0.0.0' && host !== '::') names.add(host);
  for (const raw of extra) names.add(checkTlsName(raw));
  return [...names];
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A name the generated certificate can carry: a DNS name (optionally `*.` + name) or an IP address. */
export function checkTlsName(raw: string): string {
  const name = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (isIP(name)) return name;
  const labels = (name.startsWith('*.') ? name.slice(2) : name).split('.');
  if (name.length > 253 || labels.length === 0 || !labels.every((l) => DNS_LABEL.test(l))) {
    throw new AppError('bad_tls_name', `"${raw.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}" is not a DNS name or IP address; give --tls-names as e.g. manage.office.com,login.microsoftonline.com.`);
  }
  return name;
}

interface ServerTls {
  certPem: string;
  keyPem: string;
  caPem: string | null;
}

async function serverCertificate(given: EmulatorOptions['tlsCertificate'], names: string[]): Promise<ServerTls> {
  if (given) {
    try {
      const key = createPrivateKey(given.keyPem);
      const leaf = new X509Certificate(given.certPem);
      if (!leaf.checkPrivateKey(key)) throw new AppError('tls_key_mismatch', 'The TLS key does not belong to the TLS certificate; give the key the certificate was made for (--tls-key).');
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('bad_tls_certificate', 'The TLS certificate or key is not PEM the emulator can read; give --tls-cert and --tls-key as PEM files.', { cause: err });
    }
    return { certPem: given.certPem, keyPem: given.keyPem, caPem: null };
  }
  const ca = await generateCa({ commonName: 'auditwatch emulator CA', organization: 'auditwatch' });
  const leaf = await generateServerCertificate(ca, { commonName: names.find((n) => !isIP(n) && n !== 'localhost') ?? 'localhost', organization: 'auditwatch', altNames: names });
  return { certPem: leaf.certificatePem, keyPem: leaf.privateKeyPem, caPem: ca.certificatePem };
}

/**
 * The scheme and host the client used, for the URIs handed out: the Host header, or with
 * `trustForwarded` what the proxy in front says (RFC 7239 Forwarded first, then X-Forwarded-Proto,
 * -Host and -Port; the first, client-side, entry of each). Anything malformed falls back to `fallback`.
 */
export function baseUrlOf(req: IncomingMessage, proto: string, fallback: string, trustForwarded: boolean): string {
  let scheme = proto;
  let host = first(req.headers.host);
  if (trustForwarded) {
    const fwd = parseForwarded(first(req.headers.forwarded));
    const xProto = first(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase();
    const xHost = first(req.headers['x-forwarded-host'])?.split(',')[0]?.trim();
    const xPort = first(req.headers['x-forwarded-port'])?.split(',')[0]?.trim();
    const p = fwd.proto ?? xProto;
    if (p === 'http' || p === 'https') scheme = p;
    if (fwd.host) host = fwd.host;
    else if (xHost) host = withPort(xHost, xPort, scheme);
  }
  return host && SAFE_HOST.test(host) ? `${scheme}://${host}` : fallback;
}

/** X-Forwarded-Host with X-Forwarded-Port appended when the host has none and the port is not the scheme's default. */
function withPort(host: string, port: string | undefined, scheme: string): string {
  const hasPort = /:\d+$/.test(host.replace(/^\[[^\]]*\]/, ''));
  if (hasPort || !port || !/^\d{1,5}$/.test(port) || port === (scheme === 'https' ? '443' : '80')) return host;
  return `${host}:${port}`;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parseForwarded(header: string | undefined): { proto?: string; host?: string } {
  if (!header) return {};
  const out: { proto?: string; host?: string } = {};
  for (const pair of header.split(',')[0]!.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = pair.slice(0, eq).trim().toLowerCase();
    const value = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (key === 'proto') out.proto = value.toLowerCase();
    if (key === 'host') out.host = value;
  }
  return out;
}
