// The one typed client of the daemon's API: the same Operations interface as the in-process service,
// each method one request built from the route table (routes.ts), with the endpoint file's token. An
// error answer becomes the AppError the daemon raised (same code, same one-line fix), so the CLI shows
// the same thing whether it ran the operation itself or asked the daemon.

import { AppError, errorMessage } from '../core/index.js';
import type { OperationName, Operations } from '../service/index.js';
import type { ErrorBody } from './app.js';
import type { DaemonEndpoint } from './endpoint.js';
import { API_PREFIX, pathParams, ROUTES, type RouteDef } from './routes.js';

const DEFAULT_TIMEOUT_MS = 120_000;

function queryString(input: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || v === null) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function call(ep: DaemonEndpoint, route: RouteDef, input: Record<string, unknown>): Promise<unknown> {
  const rest = { ...input };
  let path = route.path;
  for (const name of pathParams(route.path)) {
    path = path.replace(`:${name}`, encodeURIComponent(String(rest[name] ?? '')));
    delete rest[name];
  }
  const url = `${ep.url}${API_PREFIX}${path}${route.method === 'POST' ? '' : queryString(rest)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: route.method,
      headers: { authorization: `Bearer ${ep.token}`, ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(route.method === 'POST' ? { body: JSON.stringify(rest) } : {}),
      signal: AbortSignal.timeout(route.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    throw new AppError('daemon_unreachable', `The collect daemon (pid ${ep.pid}) holds the store but does not answer at ${ep.url} (${errorMessage(err)}); check that it runs, or stop it.`);
  }
  if (route.file && res.ok) {
    // A file answer: the body is the file, its name in Content-Disposition.
    const filename = /filename="([^"]*)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
    return { data: { filename, contentType: res.headers.get('content-type') ?? 'application/octet-stream', content: await res.text() }, warnings: [] };
  }
  const json = (await res.json().catch(() => null)) as (ErrorBody & { data?: unknown }) | null;
  if (!res.ok || json === null || typeof json !== 'object') {
    const e = json?.error;
    if (e && typeof e.code === 'string' && typeof e.message === 'string') {
      throw new AppError(e.code, e.message, { ...(e.details ? { details: e.details } : {}), ...(e.location ? { location: e.location } : {}) });
    }
    throw new AppError('daemon_error', `The collect daemon answered HTTP ${res.status} without an error message; see its log.`);
  }
  return json;
}

/** Operations run by the daemon at `endpoint`. */
export function createDaemonClient(endpoint: DaemonEndpoint): Operations {
  const ops = {} as Record<OperationName, (input: Record<string, unknown>) => Promise<unknown>>;
  for (const route of ROUTES) ops[route.op] = (input) => call(endpoint, route, input ?? {});
  return ops as unknown as Operations;
}
