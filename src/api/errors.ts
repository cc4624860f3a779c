// ApiError: every failure of the Management Activity API or its login authority, classified by what
// the caller should do (management-api.md §1.8): fix the config, retry, record a gap, back off, clamp
// the window, or fix the credentials. Messages are one line, name the fix, and never carry a secret.

import { AppError } from '../core/index.js';

export type ApiErrorKind = 'config' | 'retryable' | 'gap' | 'throttled' | 'window' | 'auth';

export interface ApiErrorDetails {
  /** AF code (AF20051…), AADSTS code (AADSTS7000215…), or a transport code (ECONNREFUSED, timeout…). */
  afCode?: string | undefined;
  status?: number | undefined;
  /** Server-suggested wait (Retry-After), when given. */
  retryAfterMs?: number | undefined;
  /** True when no response came back at all (connection refused, DNS, TLS, timeout, reset). */
  transport?: boolean | undefined;
  cause?: Error | undefined;
}

export class ApiError extends AppError {
  readonly kind: ApiErrorKind;
  readonly afCode: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly transport: boolean;

  constructor(kind: ApiErrorKind, message: string, details: ApiErrorDetails = {}) {
    super(`api_${kind}`, message, {
      retryable: kind === 'retryable' || kind === 'throttled',
      ...(details.cause ? { cause: details.cause } : {}),
    });
    this.name = 'ApiError';
    this.kind = kind;
    this.afCode = details.afCode;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.transport = details.transport ?? false;
  }
}

export function isApiError(err: unknown, kind?: ApiErrorKind): err is ApiError {
  return err instanceof ApiError && (kind === undefined || err.kind === kind);
}

/** Where a request went, for messages (never the query string: it may name the publisher). */
export interface RequestContext {
  tenantId: string;
  cloud: string;
  /** "token", "list subscriptions", "start subscription", "list content", "fetch blob" */
  op: string;
  host: string;
}

const PERMISSION_FIX =
  'grant the app ActivityFeed.Read (Office 365 Management APIs, Application permission) and admin consent in Entra ID';

/** Classifies an error body `{"error":{"code":"AF…","message":"…"}}` (or none) with its HTTP status. */
export function classifyApiResponse(
  ctx: RequestContext,
  status: number,
  code: string | undefined,
  serverMessage: string,
  retryAfterMs?: number,
): ApiError {
  const t = `tenant ${ctx.tenantId}`;
  const said = serverMessage ? ` (server said: ${serverMessage.slice(0, 160)})` : '';
  const d = { afCode: code, status, retryAfterMs };
  if (ctx.op === 'start subscription' && status === 429) {
    return new ApiError('throttled', `The API refused to start a subscription of ${t} so soon after the last start (one start per 15 minutes)${said}: auditwatch tries again on a later pass.`, d);
  }
  switch (code) {
    case 'AF10001':
      return new ApiError('config', `The app may not read the activity feed of ${t}: ${PERMISSION_FIX}.`, d);
    case 'AF20001':
    case 'AF20002':
    case 'AF20003':
      return new ApiError('config', `The API refused a ${ctx.op} request of ${t} as malformed [${code}]${said}; this is a bug in auditwatch, please report it.`, d);
    case 'AF20010':
      return new ApiError('config', `The token's tenant does not match ${t}: set tenantId to the directory (tenant) id the app is registered in.`, d);
    case 'AF20011':
      return new ApiError('config', `The API does not know ${t}: check the tenantId, and that unified audit logging is on in Purview (it takes up to 60 minutes to start).`, d);
    case 'AF20012':
      return new ApiError('config', `${cap(t)} is not configured for the Management Activity API: turn on unified audit logging in Purview and check the tenant's cloud setting.`, d);
    case 'AF20013':
      return new ApiError('config', `The tenant id "${ctx.tenantId.slice(0, 60)}" is not a GUID: set tenantId to the directory (tenant) id shown in Entra ID.`, d);
    case 'AF20020':
      return new ApiError('config', `The API refused the content type of a ${ctx.op} request of ${t}: use one of Audit.AzureActiveDirectory, Audit.Exchange, Audit.SharePoint, Audit.General, DLP.All.`, d);
    case 'AF20021':
      return new ApiError('config', `The API could not validate the webhook of ${t}: auditwatch polls; remove the webhook by starting the subscription again.`, d);
    case 'AF20022':
      return new ApiError('config', `There is no subscription for this content type in ${t}: auditwatch starts it (allow up to 12 hours for the first content).`, d);
    case 'AF20023':
      return new ApiError('config', `The subscription of ${t} was disabled by an administrator: auditwatch starts it again; check with the tenant's admins why it was stopped.`, d);
    case 'AF20030':
    case 'AF20055':
      return new ApiError('window', `The API refused the time window of a content listing of ${t} [${code}]: check this machine's clock (NTP); auditwatch clamps windows to 1 hour within the last 7 days.`, d);
    case 'AF20031':
      return new ApiError('retryable', `The API refused a NextPageUri of ${t} [AF20031]: the window is listed again.`, d);
    case 'AF20050':
    case 'AF20051':
    case 'AF20052':
      return new ApiError('gap', `The content is ${code === 'AF20051' ? 'expired' : 'not found'} in ${t} [${code}]: it is recorded as a gap${code === 'AF20052' ? '; if this repeats, check the tenant\'s cloud setting' : ''}.`, d);
    case 'AF20053':
    case 'AF20054':
      return new ApiError('config', `The API refused the Accept-Language header [${code}]: send one language only.`, d);
    case 'AF429':
      return new ApiError('throttled', `The API throttled ${t} (AF429, HTTP ${status}): auditwatch backs off; lower collect.requestsPerMinute in the config if this persists.`, d);
    case 'AF50000':
    case 'AF50005':
    case 'AF50006':
      return new ApiError('retryable', `The API had an internal error for ${t} [${code}]: retried with back-off.`, d);
  }
  if (status === 429) {
    return new ApiError('throttled', `The API throttled ${t} (HTTP 429)${said}: auditwatch backs off; lower collect.requestsPerMinute in the config if this persists.`, d);
  }
  if (status === 401) {
    return new ApiError('auth', `The API refused the access token for ${t} (HTTP 401)${said}: check the tenant's clientId, credential and cloud setting.`, d);
  }
  if (status === 403) {
    return new ApiError('config', `The API forbade a ${ctx.op} request of ${t} (HTTP 403)${said}: ${PERMISSION_FIX}.`, d);
  }
  if (status === 408 || status >= 500) {
    return new ApiError('retryable', `The API answered HTTP ${status} to a ${ctx.op} request of ${t}${said}: retried with back-off.`, d);
  }
  if (status === 404) {
    return new ApiError('config', `The API answered HTTP 404 to a ${ctx.op} request of ${t} at ${ctx.host}: check the tenant's cloud setting (or apiHost).`, d);
  }
  return new ApiError('config', `The API answered HTTP ${status}${code ? ` [${code}]` : ''} to a ${ctx.op} request of ${t}${said}: check the tenant's settings.`, d);
}

/** Classifies a token endpoint error `{"error":"invalid_client","error_description":"AADSTS7000215: …"}`. */
export function classifyTokenResponse(
  ctx: RequestContext & { clientId: string; credentialKind: 'secret' | 'certificate' },
  status: number,
  error: string,
  description: string,
): ApiError {
  const m = /AADSTS(\d+)/.exec(description) ?? /AADSTS(\d+)/.exec(error);
  const aad = m ? `AADSTS${m[1]}` : undefined;
  const t = `tenant ${ctx.tenantId}`;
  const app = `app ${ctx.clientId.slice(0, 60)}`;
  const d = { afCode: aad ?? (error || undefined), status };
  switch (aad) {
    case 'AADSTS7000215':
      return new ApiError('auth', `The client secret of ${app} in ${t} is wrong or expired: create a new one in Entra ID (App registrations → Certificates & secrets) and update the tenant's secret (its environment variable or file); use the secret's Value, not its ID.`, d);
    case 'AADSTS7000222':
      return new ApiError('auth', `The client secret of ${app} in ${t} has expired: create a new one in Entra ID (App registrations → Certificates & secrets) and update the tenant's secret.`, d);
    case 'AADSTS700016':
      return new ApiError('auth', `The ${app} is not found in ${t}: check clientId (the application id), and that the app is registered in, or consented by, that tenant.`, d);
    case 'AADSTS90002':
    case 'AADSTS900023':
      return new ApiError('config', `The login authority does not know ${t}: check the tenantId (the directory id in Entra ID) and the tenant's cloud setting.`, d);
    case 'AADSTS700027':
    case 'AADSTS700024':
    case 'AADSTS50012':
      return new ApiError('auth', `The certificate assertion of ${app} in ${t} was refused${aad ? ` [${aad}]` : ''}: upload the certificate to the app registration (Certificates & secrets) and check this machine's clock.`, d);
    case 'AADSTS500011':
    case 'AADSTS70011':
      return new ApiError('config', `The login authority refused the resource of ${t} [${aad}]: check the tenant's cloud setting (enterprise, gcc, gcc-high, dod).`, d);
    case 'AADSTS7000112':
      return new ApiError('auth', `The ${app} is disabled in ${t}: enable it in Entra ID (Enterprise applications → Properties).`, d);
  }
  if (status === 429 || status >= 500) {
    return new ApiError(status === 429 ? 'throttled' : 'retryable', `The login authority answered HTTP ${status} for ${t}: retried with back-off.`, d);
  }
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    const what = ctx.credentialKind === 'secret' ? 'client secret' : 'certificate';
    return new ApiError('auth', `The login authority refused the ${app} in ${t} (${error}${aad ? `, ${aad}` : ''}): check clientId and the ${what}.`, d);
  }
  if (error === 'invalid_tenant' || status === 404) {
    return new ApiError('config', `The login authority does not know ${t}: check the tenantId and the tenant's cloud setting.`, d);
  }
  return new ApiError('auth', `The login authority refused a token for ${t} (HTTP ${status}${error ? `, ${error.slice(0, 40)}` : ''}${aad ? `, ${aad}` : ''}): check tenantId, clientId, the credential and the cloud setting.`, d);
}

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_SSL/;

/** Classifies a failure with no HTTP answer: DNS, refused, reset, TLS, timeout, truncated body. */
export function classifyTransport(ctx: RequestContext, err: unknown, timeoutMs: number): ApiError {
  const code = transportCode(err);
  const where = `${ctx.host} (${ctx.op} for tenant ${ctx.tenantId})`;
  const cause = sanitizedCause(err, code);
  const d = { afCode: code, transport: true, cause };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ApiError('config', `Cannot resolve the host ${where}: check the tenant's cloud setting (now ${ctx.cloud}) and any apiHost/loginHost override, and this machine's DNS.`, d);
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new ApiError('retryable', `Cannot connect to ${where} [${code}]: check the tenant's cloud setting (now ${ctx.cloud}), any apiHost/loginHost override, and the network or proxy.`, d);
  }
  if (code && TLS_CODES.test(code)) {
    return new ApiError('config', `The TLS connection to ${where} failed [${code}]: the server's certificate is not trusted; for a private CA or the emulator's --tls certificate set NODE_EXTRA_CA_CERTS to its file.`, d);
  }
  if (!code && /bad port/i.test(causeText(err))) {
    return new ApiError('config', `The port of ${where} is not one HTTP clients may use: fix the apiHost/loginHost override.`, d);
  }
  if (code === 'timeout') {
    return new ApiError('retryable', `No answer from ${where} within ${Math.round(timeoutMs / 1000)}s: retried with back-off.`, d);
  }
  if (code === 'truncated') {
    return new ApiError('retryable', `The answer from ${where} was cut short: retried with back-off.`, d);
  }
  return new ApiError('retryable', `The connection to ${where} failed [${code ?? 'network'}]: retried with back-off.`, d);
}

/** The first system error code in an error's cause chain (undici wraps them in "fetch failed"). */
export function transportCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e; depth++) {
    const o = e as { code?: unknown; name?: unknown; errors?: unknown[]; cause?: unknown };
    if (o.name === 'TimeoutError') return 'timeout';
    if (typeof o.code === 'string' && o.code !== 'UND_ERR_SOCKET') return o.code;
    if (Array.isArray(o.errors) && o.errors.length > 0) {
      const inner = transportCode(o.errors[0]);
      if (inner) return inner;
    }
    if (o.code === 'UND_ERR_SOCKET') return 'ECONNRESET';
    e = o.cause;
  }
  return undefined;
}

/** A cause that keeps the code and a one-line message but none of the original objects (which may hold requests). */
function sanitizedCause(err: unknown, code: string | undefined): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const out = new Error(`${code ?? 'network error'}: ${msg.split('\n')[0]!.slice(0, 200)}`);
  out.name = 'TransportError';
  return out;
}

function causeText(err: unknown): string {
  let out = '';
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    out += ` ${e.message}`;
    e = e.cause;
  }
  return out;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
