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
      security: [{ bearer: [] }],
      responses: {
        200: { description: r.answers, content: { 'application/json': { schema: envelope(r.answers) } } },
        400: errorRef('the request or its input is wrong; the message names the fix'),
        401: errorRef('no or a wrong bearer token'),
        403: errorRef('the Host header does not name this daemon'),
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
    paths[openPath] = { ...(paths[openPath] ?? {}), [r.method.toLowerCase()]: operation };
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
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
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
      ...paths,
    },
  };
}
