// The OpenAPI 3.1 document of /api/v1, written from the route table (routes.ts): each route's path and
// query parameters or JSON body come from its zod input schema (z.toJSONSchema), every answer is the
// `{ data, warnings }` envelope, every error the `{ error: { code, message } }` body.

import { z } from 'zod';
import { API_PREFIX, pathParams, ROUTES } from './routes.js';

type Json = Record<string, unknown>;

function schemaOf(s: z.ZodType): Json {
  const out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out['$schema'];
  return out;
}

const envelope = (answers: string): Json => ({
  type: 'object',
  required: ['data', 'warnings'],
  properties: {
    data: { description: answers },
    warnings: { type: 'array', items: { type: 'string' }, description: 'what the operation wants a person to know; the CLI prints each on stderr' },
  },
});

const errorRef = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const r of ROUTES) {
    const inPath = pathParams(r.path);
    const shape = r.input.shape as Record<string, z.ZodType>;
    const parameters: Json[] = inPath.map((name) => ({ name, in: 'path', required: true, schema: schemaOf(shape[name]!) }));
    const rest = Object.fromEntries(Object.entries(shape).filter(([k]) => !inPath.includes(k)));
    const operation: Json = {
      operationId: r.op,
      summary: r.summary,
      description: `Least role: ${r.role}.${r.method === 'GET' ? '' : ' With the session cookie, send the X-CSRF-Token header.'}`,
      security: [{ bearer: [] }, { session: [] }],
      responses: {
        200: r.file
          ? { description: `${r.answers} (a download: Content-Disposition attachment)`, content: { '*/*': { schema: { type: 'string' } } } }
          : { description: r.answers, content: { 'application/json': { schema: envelope(r.answers) } } },
        400: errorRef('the request or its input is wrong; the message names the fix'),
        401: errorRef('no or a wrong bearer token, and no live session'),
        403: errorRef('forbidden (role too low), csrf_failed (session write without X-CSRF-Token), or host_refused'),
        404: errorRef('no such alert, report, rule or path'),
        500: errorRef('the daemon failed; see its log'),
      },
    };
    if (r.method === 'POST') {
      operation['requestBody'] = { required: true, content: { 'application/json': { schema: schemaOf(z.strictObject(rest)) } } };
    } else {
      for (const [name, s] of Object.entries(rest)) {
        const json = schemaOf(s);
        parameters.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: json, ...(json['description'] ? { description: json['description'] } : {}) });
      }
    }
    if (parameters.length) operation['parameters'] = parameters;
    const openPath = `${API_PREFIX}${r.path}`.replace(/:([A-Za-z]+)/g, '{$1}');
    const method = r.method.toLowerCase();
    const shared = (paths[openPath] as Record<string, Record<string, unknown>> | undefined)?.[method];
    if (r.file && shared) {
      // A file route on a JSON route's path (chosen by `format`): one operation that documents both answers.
      shared['description'] = `${String(shared['description'])} With format (html, csv, json): ${r.summary} (${r.answers}).`;
      const params = (shared['parameters'] as Json[] | undefined) ?? [];
      shared['parameters'] = [...params, ...parameters.filter((p) => p['name'] === 'format').map((p) => ({ ...p, required: false }))];
      continue;
    }
    paths[openPath] = { ...(paths[openPath] ?? {}), [method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'auditwatch daemon API',
      version: '1',
      description:
        'The operations of the auditwatch CLI, served by the collect daemon on collect.listen. Authenticate with the token of the endpoint file next to the store (<store>.daemon.json, mode 0600): Authorization: Bearer TOKEN. The Host header must name the daemon (its listen address, localhost, or collect.allowedHosts).',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: "the endpoint file's token; acts as admin" },
        session: { type: 'apiKey', in: 'cookie', name: 'aw_session', description: 'a signed-in session (POST /api/v1/session or /auth/oidc/login); writes also need X-CSRF-Token' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'stable code of the error (usage, not_found, unauthorized, host_refused, bad_request, …)' },
                message: { type: 'string', description: 'one line that names the fix' },
                details: { type: 'array', items: { type: 'string' }, description: 'lines that belong to the error (e.g. each rule mistake)' },
                location: { type: 'object', properties: { file: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' } } },
              },
            },
          },
        },
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness (no token).', responses: { 200: { description: '{ ok: true }' }, 403: errorRef('foreign Host header') } } },
      '/metrics': { get: { summary: 'Prometheus metrics (no token).', responses: { 200: { description: 'Prometheus text format' }, 403: errorRef('foreign Host header') } } },
      [`${API_PREFIX}/openapi.json`]: { get: { summary: 'This document (no token).', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      ...sessionPaths(),
      ...paths,
    },
  };
}

/** The sign-in endpoints (session-routes.ts, oidc-routes.ts), written by hand: they are not operations. */
function sessionPaths(): Record<string, Json> {
  const session = envelope('{ user, role, csrfToken, expiresAt, method: local|oidc }');
  const ok = (description: string, schema: Json = session) => ({ description, content: { 'application/json': { schema } } });
  return {
    [`${API_PREFIX}/auth/methods`]: { get: { summary: 'The ways to sign in (no sign-in needed).', responses: { 200: ok('{ local: true, oidc: { label } | null }', envelope('{ local, oidc }')) } } },
    [`${API_PREFIX}/session`]: {
      post: {
        summary: 'Sign in with a local account; sets the aw_session cookie (HttpOnly, SameSite=Strict).',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } } } } },
        responses: { 200: ok('the new session'), 400: errorRef('not JSON'), 401: errorRef('login_failed (same for an unknown user and a wrong password)'), 429: errorRef('login_rate_limited; see Retry-After') },
      },
      get: { summary: 'The current session.', security: [{ session: [] }], responses: { 200: ok('the session'), 401: errorRef('no live session') } },
      delete: { summary: 'Sign out (needs X-CSRF-Token): the session ends server-side, the cookie is cleared.', security: [{ session: [] }], responses: { 200: ok('{ signedOut: true }', envelope('{ signedOut }')), 401: errorRef('no live session'), 403: errorRef('csrf_failed') } },
    },
    '/auth/oidc/login': { get: { summary: 'Single sign-on: 302 to the OpenID Connect provider (code + PKCE, state, nonce).', parameters: [{ name: 'next', in: 'query', required: false, schema: { type: 'string' }, description: 'a relative path to return to' }], responses: { 302: { description: 'to the provider, or /login?error=CODE' }, 404: errorRef('single sign-on is not configured') } } },
    '/auth/oidc/callback': { get: { summary: "The provider's redirect: verifies the id_token, sets the session cookie, 302 to next.", responses: { 302: { description: 'to next or /, or /login?error=CODE' } } } },
  };
}
