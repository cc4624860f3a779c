// The daemon's HTTP surface as a Hono app: GET /healthz and GET /metrics (Prometheus) openly, the
// versioned JSON API under /api/v1 behind the bearer token of the endpoint file or a signed-in session
// (auth.ts: cookie + CSRF token; session-routes.ts: sign-in; oidc-routes.ts: single sign-on), each
// route refused (403) below its least role (ROUTE_ROLES), and the OpenAPI document of that API at
// /api/v1/openapi.json. Every request, /metrics and /healthz included, must
// carry a Host header naming this daemon (host.ts), so a web page that rebinds its DNS name to
// 127.0.0.1 reads nothing. Answers are `{ data, warnings }`; errors `{ error: { code, message } }`
// with the AppError's stable code and its one-line fix, never a stack.

import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { AppError, errorMessage, oneLine, systemClock, type Clock, type Logger } from '../core/index.js';
import type { AuthConfig } from '../config/index.js';
import type { FileAnswer, Operations, Reply, SessionService } from '../service/index.js';
import { authenticate, type AuthEnv, type Principal } from './auth.js';
import { sessionRoutes } from './session-routes.js';
import { oidcRoutes } from './oidc-routes.js';
import { securityHeaders } from './headers.js';
import { hostCheck, type HostPolicy } from './host.js';
import { openApiDocument } from './openapi.js';
import { webStatic } from './static.js';
import { ACTOR_FIELDS, API_PREFIX, pathParams, roleAllows, ROUTES, WARNINGS_HEADER, type RouteDef } from './routes.js';

export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface ApiAppOptions {
  operations: Operations;
  metrics: MetricsSource;
  token: string;
  sessions: SessionService;
  /** collect.auth: cookie policy and single sign-on. */
  auth: AuthConfig;
  hosts: HostPolicy;
  logger: Logger;
  /** The dashboard's bundled folder (index.html + assets/); none: the API only. */
  webDir?: string;
  /** Session and token times (default: the system clock). */
  clock?: Clock;
}

const MAX_BODY = 1_000_000;

/** HTTP status of an AppError code; anything else the caller can fix is 400. */
const STATUS: Record<string, ContentfulStatusCode> = {
  not_found: 404,
  report_unknown: 404,
  rule_unknown: 404,
  unauthorized: 401,
  login_failed: 401,
  login_rate_limited: 429,
  forbidden: 403,
  csrf_failed: 403,
  host_refused: 403,
  too_large: 413,
  store_locked: 409,
  path_refused: 403,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: string[]; location?: { file?: string; line?: number; column?: number } };
}

export function errorBody(err: AppError): ErrorBody {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details.length ? { details: [...err.details] } : {}),
      ...(err.location ? { location: err.location } : {}),
    },
  };
}

export function createApiApp(o: ApiAppOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const fail = (c: Context, err: AppError) => c.json(errorBody(err), STATUS[err.code] ?? 400);

  app.onError((err, c) => {
    if (err instanceof AppError) return fail(c, err);
    o.logger.warn('An API request failed.', { path: c.req.path.slice(0, 100), error: errorMessage(err) });
    return c.json({ error: { code: 'internal', message: `The daemon failed on this request (${oneLine(errorMessage(err), 300)}); see its log.` } } satisfies ErrorBody, 500);
  });
  app.notFound((c) => fail(c, new AppError('not_found', `Nothing at ${oneLine(c.req.path, 100)}; the daemon serves /metrics, /healthz and ${API_PREFIX}/… (see ${API_PREFIX}/openapi.json).`)));

  app.use('*', securityHeaders());
  app.use('*', hostCheck(o.hosts));
  if (o.webDir) app.use('*', webStatic(o.webDir));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/metrics', async (c) => c.body(await o.metrics.metrics(), 200, { 'content-type': o.metrics.contentType }));

  const doc = openApiDocument();
  app.get(`${API_PREFIX}/openapi.json`, (c) => c.json(doc));

  app.use(
    `${API_PREFIX}/*`,
    bodyLimit({ maxSize: MAX_BODY, onError: (c) => fail(c, new AppError('too_large', 'The request body is larger than 1 MB; send less (paths, not file contents).')) }),
  );
  sessionRoutes(app, { sessions: o.sessions, auth: o.auth });
  oidcRoutes(app, { auth: o.auth, sessions: o.sessions, clock: o.clock ?? systemClock, logger: o.logger });
  app.use(`${API_PREFIX}/*`, authenticate({ token: o.token, sessions: o.sessions }));

  // File routes first, so one on a JSON route's path is asked before it (see below).
  for (const route of [...ROUTES.filter((r) => r.file), ...ROUTES.filter((r) => !r.file)]) {
    const handler = async (c: Context<AuthEnv>) => {
      const principal = c.get('principal');
      if (!roleAllows(principal.role, route.role)) {
        throw new AppError('forbidden', `${route.method} ${API_PREFIX}${route.path} needs the ${route.role} role; ${principal.user} has ${principal.role} (an admin can change it).`);
      }
      const input = parseInput(route, withActor(route, principal, await rawInput(c, route)));
      const call = o.operations[route.op] as (input: unknown) => Promise<unknown>;
      const answer = (await call.call(o.operations, input)) as Reply<unknown>;
      return route.file ? sendFile(c, answer as Reply<FileAnswer>) : c.json(answer as object);
    };
    const path = `${API_PREFIX}${route.path}`;
    // A file route on a JSON route's path answers when the query names a format (registered first).
    const shares = route.file === true && ROUTES.some((r) => r !== route && !r.file && r.method === route.method && r.path === route.path);
    const h = shares ? (c: Context<AuthEnv>, next: () => Promise<void>) => (c.req.query('format') === undefined ? next() : handler(c)) : handler;
    if (route.method === 'GET') app.get(path, h);
    else if (route.method === 'POST') app.post(path, h);
    else app.delete(path, h);
  }
  return app;
}

/**
 * A file answer as the body, to be saved (attachment) under its name; its warnings in one header line
 * (X-Auditwatch-Warnings, JSON), since the body has no room for them.
 */
function sendFile(c: Context<AuthEnv>, answer: Reply<FileAnswer>): Response {
  const { filename, contentType, content } = answer.data;
  const name = filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'download';
  const headers: Record<string, string> = { 'content-type': contentType, 'content-disposition': `attachment; filename="${name}"` };
  if (answer.warnings.length) headers[WARNINGS_HEADER] = JSON.stringify(answer.warnings.map((w) => oneLine(w, 300))).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return c.body(content, 200, headers);
}

/** With a session, who acts is the signed-in user, whatever the client sent (history shows who did it). */
function withActor(route: RouteDef, principal: Principal, raw: Record<string, unknown>): Record<string, unknown> {
  if (principal.via !== 'session') return raw;
  const out = { ...raw };
  for (const field of ACTOR_FIELDS) if (field in route.input.shape) out[field] = principal.user;
  return out;
}

async function rawInput(c: Context<AuthEnv>, route: RouteDef): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const name of pathParams(route.path)) params[name] = c.req.param(name);
  if (route.method !== 'POST') {
    const query: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.req.queries())) query[k] = v.length === 1 ? v[0] : v;
    return { ...query, ...params };
  }
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('bad_request', `The body of ${route.method} ${API_PREFIX}${route.path} is not JSON; send a JSON object (see ${API_PREFIX}/openapi.json).`);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('bad_request', `The body of ${route.method} ${API_PREFIX}${route.path} must be a JSON object (see ${API_PREFIX}/openapi.json).`);
  }
  return { ...(body as Record<string, unknown>), ...params };
}

/** The route's input, checked against its schema; every mistake named in one line. */
export function parseInput(route: RouteDef, raw: Record<string, unknown>): unknown {
  const r = (route.input as z.ZodType).safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`);
  throw new AppError('bad_request', `Invalid request to ${route.method} ${API_PREFIX}${route.path}: ${issues.join('; ')}; see ${API_PREFIX}/openapi.json.`);
}
