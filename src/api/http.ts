// One HTTP exchange with a bounded body and a timeout, over fetch (undici, keep-alive). Every failure
// without an HTTP answer becomes a classified ApiError; hooks let the collector meter each request
// against the tenant's budget and count answers by status.

import { ApiError, classifyTransport, type RequestContext } from './errors.js';
import type { ClockSkew } from './skew.js';

export interface RequestHooks {
  /** Awaited before every API request (not token requests): the collector's per-tenant budget. */
  beforeRequest?: (op: string, signal?: AbortSignal) => Promise<void>;
  /** Called after every answer or transport failure, with the HTTP status (0 when none) and AF code. */
  afterResponse?: (info: { op: string; status: number; code?: string | undefined; ms: number; retryAfterMs?: number | undefined }) => void;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
  maxBytes: number;
  /** false for token requests, which do not count against the API quota. */
  budget: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  text(): string;
}

export interface Transport {
  request(ctx: RequestContext, req: HttpRequest): Promise<HttpResponse>;
}

export function createTransport(options: {
  fetch?: typeof fetch | undefined;
  timeoutMs: number;
  hooks?: RequestHooks | undefined;
  now?: () => number;
  /** Fed with the `Date` header of every answer. */
  skew?: ClockSkew | undefined;
}): Transport {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  return {
    async request(ctx, req) {
      if (req.budget && options.hooks?.beforeRequest) await options.hooks.beforeRequest(ctx.op, req.signal);
      const started = now();
      const sentAt = options.skew?.localNow() ?? 0;
      // Socket timeouts are real time, whatever clock schedules the collector.
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await doFetch(req.url, {
          method: req.method,
          headers: req.headers,
          ...(req.body !== undefined ? { body: req.body } : {}),
          signal,
          redirect: 'error',
        });
      } catch (err) {
        options.hooks?.afterResponse?.({ op: ctx.op, status: 0, code: 'transport', ms: now() - started });
        if (req.signal?.aborted) throw req.signal.reason ?? err;
        throw classifyTransport(ctx, timeout.aborted ? timeoutError() : err, options.timeoutMs);
      }
      options.skew?.observe(res.headers.get('date'), sentAt);
      let body: Buffer;
      try {
        body = await readBounded(res, req.maxBytes, ctx);
      } catch (err) {
        options.hooks?.afterResponse?.({ op: ctx.op, status: res.status, code: 'truncated', ms: now() - started });
        if (err instanceof ApiError) throw err;
        if (req.signal?.aborted) throw req.signal.reason ?? err;
        throw classifyTransport(ctx, timeout.aborted ? timeoutError() : truncatedError(err), options.timeoutMs);
      }
      const declared = res.headers.get('content-length');
      if (declared !== null && Number(declared) !== body.length && !res.headers.get('content-encoding')) {
        options.hooks?.afterResponse?.({ op: ctx.op, status: res.status, code: 'truncated', ms: now() - started });
        throw classifyTransport(ctx, truncatedError(new Error('body shorter than Content-Length')), options.timeoutMs);
      }
      const out: HttpResponse = {
        status: res.status,
        headers: res.headers,
        body,
        text: () => body.toString('utf8'),
      };
      if (options.hooks?.afterResponse) {
        const retryAfter = Number(res.headers.get('retry-after'));
        options.hooks.afterResponse({
          op: ctx.op, status: res.status, code: res.status >= 400 ? afCodeOf(out) : undefined, ms: now() - started,
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
        });
      }
      return out;
    },
  };
}

async function readBounded(res: Response, maxBytes: number, ctx: RequestContext): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge(ctx, maxBytes);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw tooLarge(ctx, maxBytes);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks, total);
}

function tooLarge(ctx: RequestContext, maxBytes: number): ApiError {
  return new ApiError(
    'config',
    `An answer from ${ctx.host} (${ctx.op} for tenant ${ctx.tenantId}) is larger than ${Math.round(maxBytes / 1048576)} MiB: raise collector.maxBlobBytes; the blob is not skipped, the cursor waits for it.`,
    { afCode: 'too-large' },
  );
}

/** The AF code of an error body, if any. Cheap: only error answers are parsed. */
export function afCodeOf(res: HttpResponse): string | undefined {
  return parseErrorBody(res).code;
}

export function parseErrorBody(res: HttpResponse): { code: string | undefined; message: string } {
  if (res.body.length === 0 || res.body.length > 65536) return { code: undefined, message: '' };
  try {
    const json = JSON.parse(res.text()) as { error?: { code?: unknown; message?: unknown } | string; message?: unknown };
    const e = json.error;
    if (e && typeof e === 'object') {
      return {
        code: typeof e.code === 'string' ? e.code : undefined,
        message: typeof e.message === 'string' ? e.message : '',
      };
    }
    return { code: undefined, message: typeof json.message === 'string' ? json.message : '' };
  } catch {
    const text = res.text();
    const m = /\b(AF\d{3,5})\b/.exec(text);
    return { code: m?.[1], message: '' };
  }
}

function timeoutError(): Error {
  const e = new Error('timeout');
  e.name = 'TimeoutError';
  return e;
}

function truncatedError(cause: unknown): Error {
  const e = new Error(`truncated body: ${cause instanceof Error ? cause.message : String(cause)}`) as Error & { code: string };
  e.code = 'truncated';
  return e;
}
