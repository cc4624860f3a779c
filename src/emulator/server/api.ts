// The Management Activity API under /api/v1.0/{tenant}/activity/feed/…: bearer-token checks (401,
// AF20013, AF20010, AF20011, AF10001), per-tenant and common throttling (AF429 with HTTP 403), faults,
// then subscriptions start/stop/list, content listing with NextPageUri paging, blob retrieval,
// notifications and dlpSensitiveTypes. Blob bodies are sent as the source made them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, Logger } from '../../core/index.js';
import { isContentType, type ContentType } from '../../records/index.js';
import type { ContentSource, EmulatorTenant } from '../model.js';
import { checkAcceptLanguage, DLP_SENSITIVE_TYPES } from './dlp.js';
import { sendTruncated, type FaultDecision, type Faults } from './faults.js';
import { apiError, BodyTooLarge, GUID_RE, Query, readBody, sendApiError, sendText, sendUnauthorized, type ApiError } from './http.js';
import type { Stats } from './stats.js';
import type { Subscriptions } from './subscriptions.js';
import { COMMON_PUBLISHER, type Throttle } from './throttle.js';
import { MANAGEMENT_RESOURCES, type AccessClaims, type TokenService } from './tokens.js';
import { decodeNextPage, encodeNextPage, findPosition, parseWindow } from './window.js';

export const READ_ROLE = 'ActivityFeed.Read';
export const READ_DLP_ROLE = 'ActivityFeed.ReadDlp';

export interface ApiContext {
  clock: Clock;
  source: ContentSource;
  tokens: TokenService;
  throttle: Throttle;
  faults: Faults;
  stats: Stats;
  subs: Subscriptions;
  logger: Logger;
  pageSize: number;
  tenants: Map<string, EmulatorTenant>;
}

/** What the request log and the stats learn about a request while it is handled. */
export interface RequestInfo {
  endpoint: string;
  tenantId: string | null;
  outcome?: string;
}

interface Route {
  endpoint: string;
  method: 'GET' | 'POST';
  handle(ctx: ApiContext, call: Call): Promise<void> | void;
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  query: Query;
  tenantId: string;
  claims: AccessClaims;
  baseUrl: string;
  url: URL;
  fault: FaultDecision;
  info: RequestInfo;
  contentId?: string;
}

const ROUTES: Record<string, Route> = {
  'subscriptions/start': { endpoint: 'StartSubscription', method: 'POST', handle: startSubscription },
  'subscriptions/stop': { endpoint: 'StopSubscription', method: 'POST', handle: stopSubscription },
  'subscriptions/list': { endpoint: 'ListSubscriptions', method: 'GET', handle: listSubscriptions },
  'subscriptions/content': { endpoint: 'ListContent', method: 'GET', handle: listContent },
  'subscriptions/notifications': { endpoint: 'ListNotifications', method: 'GET', handle: listNotifications },
  'resources/dlpsensitivetypes': { endpoint: 'GetDlpSensitiveTypes', method: 'GET', handle: dlpSensitiveTypes },
};
const BLOB_ROUTE: Route = { endpoint: 'GetBlob', method: 'GET', handle: getBlob };

/** Handles /api/v1.0/{tenant}/activity/feed/{op…}; `segments` are the path parts after /api/v1.0/. */
export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  segments: string[],
  baseUrl: string,
  info: RequestInfo,
): Promise<void> {
  const [tenantSegment = '', activity, feed, ...op] = segments;
  let route: Route | undefined;
  let contentId: string | undefined;
  if (activity?.toLowerCase() === 'activity' && feed?.toLowerCase() === 'feed') {
    if (op.length === 2 && op[0]!.toLowerCase() === 'audit') {
      route = BLOB_ROUTE;
      contentId = op[1]!;
    } else {
      route = ROUTES[op.join('/').toLowerCase()];
    }
  }
  if (!route) {
    info.endpoint = 'NotFound';
    return sendText(res, 404, JSON.stringify({ Message: `No HTTP resource was found that matches the request URI '${baseUrl}${url.pathname.slice(0, 300)}'.` }));
  }
  info.endpoint = route.endpoint;
  if (req.method !== route.method) {
    return sendText(res, 405, JSON.stringify({ Message: `The requested resource does not support http method '${String(req.method).slice(0, 20)}'.` }), {
      Allow: route.method,
    });
  }
  // Authentication and authorisation, in the order the service applies them.
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth.trim());
  if (!m) return sendUnauthorized(res, 'No bearer token was given.');
  const verified = await ctx.tokens.verify(m[1]!);
  if (!verified.ok) return sendUnauthorized(res, verified.reason);
  const claims = verified.claims;
  if (!GUID_RE.test(tenantSegment)) {
    return sendApiError(res, apiError(400, 'AF20013', `The tenant ID passed in the URL (${clip(tenantSegment)}) is not a valid GUID.`));
  }
  const tenantId = tenantSegment.toLowerCase();
  if (!(MANAGEMENT_RESOURCES as readonly string[]).includes(claims.aud.replace(/\/+$/, '').toLowerCase())) {
    return sendApiError(res, apiError(401, 'AF20010', `The access token's audience (${clip(claims.aud)}) is not the Management Activity API; request the token for ${MANAGEMENT_RESOURCES[0]}.`));
  }
  if (claims.tid.toLowerCase() !== tenantId) {
    return sendApiError(res, apiError(401, 'AF20010', `The tenant ID passed in the URL (${tenantId}) does not match the tenant ID passed in the access token (${clip(claims.tid)}).`));
  }
  const tenant = ctx.tenants.get(tenantId);
  if (!tenant) {
    return sendApiError(res, apiError(400, 'AF20011', `Specified tenant ID (${tenantId}) does not exist in the system or has been deleted.`));
  }
  info.tenantId = tenant.tenantId;
  if (!claims.roles.includes(READ_ROLE)) return sendApiError(res, missingRole(claims, READ_ROLE));
  // Throttling.
  const query = new Query(url.searchParams);
  const publisher = query.get('PublisherIdentifier') || undefined;
  if (!ctx.throttle.admit(tenant.tenantId, publisher, ctx.clock.now())) {
    ctx.stats.throttle(publisher ? `tenant:${tenant.tenantId}` : 'common');
    return sendApiError(res, apiError(403, 'AF429', `Too many requests. Method=${route.endpoint}, PublisherId=${publisher ?? COMMON_PUBLISHER}`));
  }
  // Faults.
  const fault = ctx.faults.decide();
  if (fault.kind) ctx.stats.fault(fault.kind);
  if (fault.delayMs > 0) {
    ctx.stats.fault('slow');
    await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  }
  switch (fault.kind) {
    case 'reset':
      info.outcome = 'reset';
      req.socket.destroy();
      return;
    case '500':
      return sendText(res, 500, JSON.stringify({ Message: 'An error has occurred.' }));
    case '503':
      return sendText(res, 503, 'Service Unavailable', { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '10' });
    case 'AF50000':
      return sendApiError(res, apiError(500, 'AF50000', 'An internal error occurred. Retry the request.'));
    default:
      break;
  }
  const call: Call = { req, res, query, tenantId: tenant.tenantId, claims, baseUrl, url, fault, info };
  if (contentId !== undefined) call.contentId = contentId;
  await route.handle(ctx, call);
}

function missingRole(claims: AccessClaims, role: string): ApiError {
  return apiError(403, 'AF10001', `The permission set (${claims.roles.join(' ')}) sent in the request did not include the expected permission ${role}.`);
}

function clip(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 100);
}

/** Sends a reply, or half of it when the truncation fault hit this request. */
function reply(call: Call, status: number, text: string, headers: Record<string, string> = {}): void {
  if (call.fault.kind === 'truncate') {
    call.info.outcome = 'truncated';
    return sendTruncated(call.res, status, text, headers);
  }
  sendText(call.res, status, text, headers);
}

function fail(call: Call, err: ApiError): void {
  reply(call, err.status, JSON.stringify({ error: { code: err.code, message: err.message } }), err.headers ?? {});
}

function contentTypeOf(call: Call): ContentType | ApiError {
  const value = call.query.get('contentType');
  if (value === undefined || value === '') return apiError(400, 'AF20001', 'Missing parameter: contentType.');
  const match = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All'].find(
    (t) => t.toLowerCase() === value.toLowerCase(),
  );
  if (!match || !isContentType(match)) return apiError(400, 'AF20020', 'The specified content type is not valid.');
  return match;
}

function dlpCheck(call: Call, contentType: string): ApiError | null {
  return contentType === 'DLP.All' && !call.claims.roles.includes(READ_DLP_ROLE) ? missingRole(call.claims, READ_DLP_ROLE) : null;
}

export function contentUri(baseUrl: string, tenantId: string, contentId: string): string {
  return `${baseUrl}/api/v1.0/${tenantId}/activity/feed/audit/${contentId}`;
}

async function startSubscription(ctx: ApiContext, call: Call): Promise<void> {
  const type = contentTypeOf(call);
  if (typeof type !== 'string') return fail(call, type);
  let text: string;
  try {
    text = await readBody(call.req, 100_000);
  } catch (err) {
    if (err instanceof BodyTooLarge) return fail(call, apiError(400, 'AF20002', 'Invalid parameter type: body. Expected type: Webhook'));
    throw err;
  }
  let webhook: unknown;
  if (text.trim() !== '') {
    try {
      const body = JSON.parse(text) as unknown;
      webhook = body && typeof body === 'object' ? ((body as Record<string, unknown>).webhook ?? (body as Record<string, unknown>).Webhook) : body;
    } catch {
      return fail(call, apiError(400, 'AF20002', 'Invalid parameter type: body. Expected type: JSON'));
    }
  }
  const result = await ctx.subs.start(call.tenantId, type, webhook);
  if ('code' in result) return fail(call, result);
  reply(call, 200, JSON.stringify(result));
}

function stopSubscription(ctx: ApiContext, call: Call): void {
  const type = contentTypeOf(call);
  if (typeof type !== 'string') return fail(call, type);
  const err = ctx.subs.stop(call.tenantId, type);
  if (err) return fail(call, err);
  reply(call, 200, '');
}

function listSubscriptions(ctx: ApiContext, call: Call): void {
  reply(call, 200, JSON.stringify(ctx.subs.list(call.tenantId)));
}

function listContent(ctx: ApiContext, call: Call): void {
  const type = contentTypeOf(call);
  if (typeof type !== 'string') return fail(call, type);
  const dlp = dlpCheck(call, type);
  if (dlp) return fail(call, dlp);
  const now = ctx.clock.now();
  const window = parseWindow(call.query.get('startTime'), call.query.get('endTime'), now);
  if ('code' in window) return fail(call, window);
  const sub = ctx.subs.get(call.tenantId, type);
  if (!sub) return fail(call, apiError(400, 'AF20022', 'No subscription found for the specified content type.'));
  if (sub.status !== 'enabled') return fail(call, apiError(400, 'AF20023', 'The subscription was disabled by the client (subscriptions/stop).'));
  let blobs = ctx.source.listBlobs(call.tenantId, type, window.start, window.end, now);
  if (sub.stopped.length > 0) blobs = blobs.filter((b) => !ctx.subs.isLost(sub, b.contentCreated));
  let from = 0;
  const nextPage = call.query.get('nextPage');
  if (nextPage !== undefined) {
    const pos = decodeNextPage(nextPage);
    if (!pos || pos.contentCreated < window.start || pos.contentCreated >= window.end) {
      return fail(call, apiError(400, 'AF20031', `Invalid nextPage Input: ${clip(nextPage)}.`));
    }
    from = findPosition(blobs, pos);
  }
  const page = blobs.slice(from, from + ctx.pageSize);
  const headers: Record<string, string> = {};
  const next = blobs[from + ctx.pageSize];
  if (next) {
    const params = new URLSearchParams();
    for (const [k, v] of call.url.searchParams) if (k.toLowerCase() !== 'nextpage') params.append(k, v);
    params.set('nextPage', encodeNextPage(next.contentCreated, next.contentId));
    headers.NextPageUri = `${call.baseUrl}${call.url.pathname}?${params.toString()}`;
  }
  const body = page.map((b) => ({
    contentType: b.contentType,
    contentId: b.contentId,
    contentUri: contentUri(call.baseUrl, call.tenantId, b.contentId),
    contentCreated: new Date(b.contentCreated).toISOString(),
    contentExpiration: new Date(b.contentExpiration).toISOString(),
  }));
  reply(call, 200, JSON.stringify(body), headers);
}

function getBlob(ctx: ApiContext, call: Call): void {
  const id = call.contentId ?? '';
  if (!/^[A-Za-z0-9$._-]{1,256}$/.test(id)) {
    return fail(call, apiError(400, 'AF20052', `Content ID ${clip(id)} in the URL is invalid.`));
  }
  const now = ctx.clock.now();
  const blob = ctx.source.blobContent(call.tenantId, id);
  if (!blob || blob.meta.contentCreated > now) {
    return fail(call, apiError(400, 'AF20050', `The specified content (${id}) doesn't exist.`));
  }
  const dlp = dlpCheck(call, blob.meta.contentType);
  if (dlp) return fail(call, dlp);
  if (now >= blob.meta.contentExpiration) {
    return fail(call, apiError(400, 'AF20051', `Content requested with the key ${id} has already expired. Content older than 7 days cannot be retrieved.`));
  }
  reply(call, 200, blob.body);
}

function listNotifications(ctx: ApiContext, call: Call): void {
  const type = contentTypeOf(call);
  if (typeof type !== 'string') return fail(call, type);
  const window = parseWindow(call.query.get('startTime'), call.query.get('endTime'), ctx.clock.now());
  if ('code' in window) return fail(call, window);
  if (!ctx.subs.get(call.tenantId, type)) return fail(call, apiError(400, 'AF20022', 'No subscription found for the specified content type.'));
  // contentUri as the caller reached us (Host, or the forwarding headers with trustForwarded).
  const entries = ctx.subs.notifications(call.tenantId, type, window.start, window.end).map((e) => ({ ...e, contentUri: contentUri(call.baseUrl, call.tenantId, e.contentId) }));
  reply(call, 200, JSON.stringify(entries));
}

function dlpSensitiveTypes(_ctx: ApiContext, call: Call): void {
  const header = call.req.headers['accept-language'];
  const err = checkAcceptLanguage(Array.isArray(header) ? header.join(',') : header);
  if (err) return fail(call, err);
  reply(call, 200, JSON.stringify(DLP_SENSITIVE_TYPES));
}
