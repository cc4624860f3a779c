// The Management Activity API client: subscriptions, content listing (NextPageUri paging, read
// case-insensitively), blob download (bounded, parsed), with PublisherIdentifier on every call, a cached
// token refreshed before expiry and once on 401, and every failure an ApiError that names the fix.

import { formatApiTime, parseUtc, scrub, systemClock, silentLogger, type Clock, type Logger, type Secret } from '../core/index.js';
import { resolveEndpoints, type CloudEndpoints, type CloudName } from './clouds.js';
import { ApiError, classifyApiResponse, type RequestContext } from './errors.js';
import { createTransport, parseErrorBody, type HttpResponse, type RequestHooks, type Transport } from './http.js';
import { ClockSkew } from './skew.js';
import { splitJsonArray } from './split.js';
import { createTokenProvider, hostOf, type Credential, type TokenProvider } from './token.js';

export interface ApiClientOptions {
  tenantId: string;
  clientId: string;
  credential: Credential;
  cloud: CloudName;
  /** Full base URL overriding the cloud's API host, e.g. http://127.0.0.1:PORT (the emulator). */
  apiHost?: string | undefined;
  /** Full base URL overriding the cloud's login host. */
  loginHost?: string | undefined;
  /** Overrides the token resource (default: the cloud's API host). */
  resource?: string | undefined;
  /** PublisherIdentifier sent on every call (default: the tenant id). */
  publisherId?: string | undefined;
  clock?: Clock;
  logger?: Logger;
  /** Per-request timeout, real time (default 60 s). */
  timeoutMs?: number | undefined;
  /** Largest blob accepted (default 256 MiB); a larger one is an error, never skipped. */
  maxBlobBytes?: number | undefined;
  fetch?: typeof fetch | undefined;
  hooks?: RequestHooks | undefined;
}

export interface Subscription {
  contentType: string;
  /** "enabled" or "disabled" (as the API says). */
  status: string;
  webhook: unknown;
}

export interface ContentBlobRef {
  contentType: string;
  contentId: string;
  contentUri: string;
  contentCreated: number;
  contentExpiration: number;
}

export interface ContentPage {
  blobs: ContentBlobRef[];
  /** The next page's URL, or null on the last page. */
  nextPageUri: string | null;
}

export interface BlobContent {
  /**
   * The records of the blob: each record's JSON text exactly as sent when the body is an array of
   * objects (the normaliser takes text or objects), else the parsed values.
   */
  records: unknown[];
  bytes: number;
}

export interface ApiClient {
  readonly tenantId: string;
  readonly publisherId: string;
  readonly cloud: CloudName;
  readonly endpoints: CloudEndpoints;
  listSubscriptions(signal?: AbortSignal): Promise<Subscription[]>;
  /** Starts (or re-enables) a subscription; "already enabled" (AF20024) counts as success. */
  startSubscription(contentType: string, signal?: AbortSignal): Promise<Subscription>;
  /** Pages of the blobs with start <= contentCreated < end, following NextPageUri to the end. */
  listContent(contentType: string, start: number, end: number, signal?: AbortSignal): AsyncIterable<ContentPage>;
  /** One page: the first (no nextPageUri) or the one a NextPageUri names. */
  listContentPage(contentType: string, start: number, end: number, nextPageUri?: string | null, signal?: AbortSignal): Promise<ContentPage>;
  fetchBlob(contentUri: string, signal?: AbortSignal): Promise<BlobContent>;
  /**
   * The API's clock − this machine's clock in ms, from the `Date` header of recent answers (±1 s), or
   * null before the first answer.
   */
  clockSkewMs(): number | null;
  /** The same client (same token cache) with other request hooks, e.g. a collector's budget and metrics. */
  withHooks(hooks: RequestHooks): ApiClient;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const clock = options.clock ?? systemClock;
  const endpoints = resolveEndpoints(options.cloud, options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const skew = new ClockSkew(() => clock.now());
  const tokenTransport = createTransport({ fetch: options.fetch, timeoutMs, skew });
  const tokens = createTokenProvider({
    tenantId: options.tenantId,
    clientId: options.clientId,
    credential: options.credential,
    loginBase: endpoints.loginBase,
    resource: endpoints.resource,
    cloud: options.cloud,
    clock,
    transport: tokenTransport,
  });
  return build(options, endpoints, tokens, skew, createTransport({ fetch: options.fetch, timeoutMs, hooks: options.hooks, skew }));
}

function build(options: ApiClientOptions, endpoints: CloudEndpoints, tokens: TokenProvider, skew: ClockSkew, transport: Transport): ApiClient {
  const logger = (options.logger ?? silentLogger).child({ tenant: options.tenantId });
  const publisherId = options.publisherId ?? options.tenantId;
  const maxBlobBytes = options.maxBlobBytes ?? 256 * 1048576;
  const secrets: (Secret | string)[] =
    options.credential.kind === 'secret' ? [options.credential.secret] : [options.credential.privateKeyPem];
  const feed = `${endpoints.apiBase}/api/v1.0/${encodeURIComponent(options.tenantId)}/activity/feed`;
  const apiOrigin = new URL(endpoints.apiBase).origin;

  const ctx = (op: string): RequestContext => ({ tenantId: options.tenantId, cloud: options.cloud, op, host: hostOf(endpoints.apiBase) });

  const withPublisher = (url: string): string => {
    if (/[?&]PublisherIdentifier=/i.test(url)) return url;
    return `${url}${url.includes('?') ? '&' : '?'}PublisherIdentifier=${encodeURIComponent(publisherId)}`;
  };

  /** An authorised API call: budgeted, refreshed once on 401, errors classified and scrubbed. */
  const call = async (op: string, method: 'GET' | 'POST', url: string, maxBytes: number, signal?: AbortSignal): Promise<HttpResponse> => {
    if (new URL(url).origin !== apiOrigin) {
      // Never send the bearer token to a host other than the API's (a NextPageUri or contentUri could name one).
      throw new ApiError('config', `The API named a URL on another host (${hostOf(url)}) for tenant ${options.tenantId}: check the apiHost setting; auditwatch does not send tokens elsewhere.`);
    }
    try {
      for (let attempt = 0; ; attempt++) {
        const token = await tokens.get(signal);
        const res = await transport.request(ctx(op), {
          method,
          url: withPublisher(url),
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          ...(method === 'POST' ? { body: '' } : {}),
          signal,
          maxBytes,
          budget: true,
        });
        if (res.status === 401 && attempt === 0) {
          logger.debug('The API refused the token; fetching a new one.', { op });
          tokens.invalidate(token);
          continue;
        }
        return res;
      }
    } catch (err) {
      throw scrubError(err, secrets);
    }
  };

  const fail = (op: string, res: HttpResponse): ApiError => {
    const { code, message } = parseErrorBody(res);
    const retryAfter = Number(res.headers.get('retry-after'));
    const err = classifyApiResponse(ctx(op), res.status, code, scrub(message, secrets), Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
    return err;
  };

  const parseJson = (op: string, res: HttpResponse): unknown => {
    try {
      return JSON.parse(res.text());
    } catch {
      throw new ApiError('retryable', `The API sent an answer that is not JSON to a ${op} request of tenant ${options.tenantId} (cut short?): retried with back-off.`, { afCode: 'truncated', status: res.status });
    }
  };

  const client: ApiClient = {
    tenantId: options.tenantId,
    publisherId,
    cloud: options.cloud,
    endpoints,

    async listSubscriptions(signal) {
      const res = await call('list subscriptions', 'GET', `${feed}/subscriptions/list`, 1 << 20, signal);
      if (res.status !== 200) throw fail('list subscriptions', res);
      const json = parseJson('list subscriptions', res);
      if (!Array.isArray(json)) throw fail('list subscriptions', res);
      return json.map((s: Record<string, unknown>) => ({
        contentType: String(s.contentType ?? ''),
        status: String(s.status ?? '').toLowerCase(),
        webhook: s.webhook ?? null,
      }));
    },

    async startSubscription(contentType, signal) {
      const url = `${feed}/subscriptions/start?contentType=${encodeURIComponent(contentType)}`;
      const res = await call('start subscription', 'POST', url, 1 << 20, signal);
      if (res.status === 200 || res.status === 201) {
        const s = parseJson('start subscription', res) as Record<string, unknown>;
        return { contentType: String(s.contentType ?? contentType), status: String(s.status ?? 'enabled').toLowerCase(), webhook: s.webhook ?? null };
      }
      if (parseErrorBody(res).code === 'AF20024') return { contentType, status: 'enabled', webhook: null };
      throw fail('start subscription', res);
    },

    async listContentPage(contentType, start, end, nextPageUri, signal) {
      const url =
        nextPageUri ??
        `${feed}/subscriptions/content?contentType=${encodeURIComponent(contentType)}&startTime=${formatApiTime(start)}&endTime=${formatApiTime(end)}`;
      const res = await call('list content', 'GET', url, 64 << 20, signal);
      if (res.status !== 200) throw fail('list content', res);
      const json = parseJson('list content', res);
      if (!Array.isArray(json)) throw fail('list content', res);
      const blobs: ContentBlobRef[] = [];
      for (const b of json as Record<string, unknown>[]) {
        const contentId = typeof b.contentId === 'string' ? b.contentId : '';
        const contentUri = typeof b.contentUri === 'string' ? b.contentUri : '';
        const created = parseUtc(String(b.contentCreated ?? ''));
        if (!contentId || !contentUri || !Number.isFinite(created)) {
          throw new ApiError('retryable', `The content listing of tenant ${options.tenantId} holds an entry without contentId, contentUri or contentCreated: listed again.`, { afCode: 'bad-listing' });
        }
        const expiration = parseUtc(String(b.contentExpiration ?? ''));
        blobs.push({
          contentType: typeof b.contentType === 'string' ? b.contentType : contentType,
          contentId,
          contentUri,
          contentCreated: created,
          contentExpiration: Number.isFinite(expiration) ? expiration : created + 7 * 86_400_000,
        });
      }
      // NextPageUri, read case-insensitively (Headers.get is), with the old "NextPageUrl" spelling too.
      const next = res.headers.get('nextpageuri') ?? res.headers.get('nextpageurl');
      return { blobs, nextPageUri: next ? next : null };
    },

    listContent(contentType, start, end, signal) {
      return {
        async *[Symbol.asyncIterator]() {
          let next: string | null = null;
          const seen = new Set<string>();
          do {
            const page: ContentPage = await client.listContentPage(contentType, start, end, next, signal);
            yield page;
            next = page.nextPageUri;
            if (next && seen.has(next)) {
              throw new ApiError('retryable', `The content listing of tenant ${options.tenantId} repeats a NextPageUri: listed again.`, { afCode: 'page-loop' });
            }
            if (next) seen.add(next);
          } while (next);
        },
      };
    },

    async fetchBlob(contentUri, signal) {
      const res = await call('fetch blob', 'GET', contentUri, maxBlobBytes, signal);
      if (res.status !== 200) throw fail('fetch blob', res);
      // Each record's own text, as sent: parsed once by the normaliser and kept verbatim as raw.
      const texts = splitJsonArray(res.text());
      if (texts) return { records: texts, bytes: res.body.length };
      const json = parseJson('fetch blob', res);
      if (!Array.isArray(json)) {
        // An error object with a 200 (ddbnl#63): classify it rather than read it as records.
        if (json && typeof json === 'object' && 'error' in json) throw fail('fetch blob', { ...res, status: res.status === 200 ? 500 : res.status });
        throw new ApiError('retryable', `A blob of tenant ${options.tenantId} is not a JSON array: retried with back-off.`, { afCode: 'bad-blob', status: res.status });
      }
      return { records: json, bytes: res.body.length };
    },

    clockSkewMs: () => skew.estimate(),
    withHooks(hooks) {
      const timeoutMs = options.timeoutMs ?? 60_000;
      return build({ ...options, hooks }, endpoints, tokens, skew, createTransport({ fetch: options.fetch, timeoutMs, hooks, skew }));
    },
  };
  return client;
}

/** Makes sure no secret value survives in an error's message or cause chain. */
function scrubError(err: unknown, secrets: (Secret | string)[]): unknown {
  if (!(err instanceof Error)) return err;
  let e: Error | undefined = err;
  for (let depth = 0; e && depth < 8; depth++) {
    const clean = scrub(e.message, secrets);
    if (clean !== e.message) {
      try {
        e.message = clean;
      } catch {
        // read-only message: leave it
      }
    }
    e = e.cause instanceof Error ? e.cause : undefined;
  }
  return err;
}
