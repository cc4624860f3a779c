// The emulator's OpenID Connect provider for its tenants' people, shaped like Entra ID's v2.0 endpoints:
// discovery (/{tenant}/v2.0/.well-known/openid-configuration), the authorization endpoint
// (/{tenant}/oauth2/v2.0/authorize: a small HTML sign-in form; POSTing a user's name and password sends
// the browser back with a code), the code grant at the existing token endpoint (PKCE S256 checked,
// one use, 5 minutes) answering an id_token and an access token, and the JWKS
// (/{tenant}/discovery/v2.0/keys). The registered app is the tenant's own (its clientId; any http(s)
// redirect URI, the secret optional as for a public client). Every emulated user's password is
// EMULATED_USER_PASSWORD unless the emulator is started with another.

import { createHash, createPublicKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, SignJWT } from 'jose';
import { escapeHtml, type Clock } from '../../core/index.js';
import type { ContentSource, EmulatorTenant, SignInUser } from '../model.js';
import { BodyTooLarge, entraError, readBody, sendJson, sendText, type EntraError } from './http.js';

/** The password of every emulated user at the sign-in form (documented in the README). */
export const EMULATED_USER_PASSWORD = 'emulated-user-password';

const CODE_TTL_MS = 5 * 60_000;
const TOKEN_LIFETIME_S = 3600;
const MAX_PENDING_CODES = 10_000;

interface PendingCode {
  tenant: EmulatorTenant;
  user: SignInUser;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  scope: string;
  expiresAt: number;
}

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  scope: string;
  codeChallenge: string;
}

export interface OidcProviderOptions {
  clock: Clock;
  source: ContentSource;
  tenantOf(segment: string): EmulatorTenant | undefined;
  signingKey: KeyObject;
  password?: string;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class OidcProvider {
  private readonly codes = new Map<string, PendingCode>();
  private readonly publicKey: KeyObject;
  private readonly kid: string;
  private readonly password: string;

  constructor(private readonly o: OidcProviderOptions) {
    this.publicKey = createPublicKey(o.signingKey);
    this.kid = createHash('sha1').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
    this.password = o.password ?? EMULATED_USER_PASSWORD;
  }

  issuer(baseUrl: string, tenant: EmulatorTenant): string {
    return `${baseUrl}/${tenant.tenantId}/v2.0`;
  }

  /** Routes the provider's own paths (lower-cased parts after the tenant); false when the path is not one. */
  async route(req: IncomingMessage, res: ServerResponse, parts: string[], baseUrl: string, url: URL): Promise<boolean> {
    const lower = parts.map((p) => p.toLowerCase());
    const path = lower.slice(1).join('/');
    if (path !== 'v2.0/.well-known/openid-configuration' && path !== 'oauth2/v2.0/authorize' && path !== 'discovery/v2.0/keys') return false;
    const tenant = this.o.tenantOf(decodeURIComponent(parts[0]!));
    if (!tenant) {
      sendJson(res, 400, { error: 'invalid_tenant', error_description: 'AADSTS90002: Tenant not found.' });
      return true;
    }
    if (path === 'v2.0/.well-known/openid-configuration') sendJson(res, 200, this.discovery(baseUrl, tenant));
    else if (path === 'discovery/v2.0/keys') sendJson(res, 200, { keys: [await this.jwk()] });
    else await this.authorize(req, res, tenant, url);
    return true;
  }

  discovery(baseUrl: string, tenant: EmulatorTenant): Record<string, unknown> {
    const t = `${baseUrl}/${tenant.tenantId}`;
    return {
      issuer: this.issuer(baseUrl, tenant),
      authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
      token_endpoint: `${t}/oauth2/v2.0/token`,
      jwks_uri: `${t}/discovery/v2.0/keys`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      code_challenge_methods_supported: ['S256'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'name', 'preferred_username', 'email', 'oid', 'tid', 'roles', 'ver'],
      tenant_region_scope: 'EU',
    };
  }

  private async jwk(): Promise<Record<string, unknown>> {
    return { ...(await exportJWK(this.publicKey)), kid: this.kid, use: 'sig', alg: 'RS256' };
  }

  private users(tenant: EmulatorTenant): SignInUser[] {
    return this.o.source.signInUsers?.(tenant.tenantId) ?? [];
  }

  /** GET shows the form; POST checks the name and password and redirects with a code. */
  private async authorize(req: IncomingMessage, res: ServerResponse, tenant: EmulatorTenant, url: URL): Promise<void> {
    let form = url.searchParams;
    if (req.method === 'POST') {
      try {
        form = new URLSearchParams(await readBody(req, 100_000));
      } catch (err) {
        if (!(err instanceof BodyTooLarge)) throw err;
        return page(res, 413, 'The form is too large.');
      }
    } else if (req.method !== 'GET') {
      return page(res, 405, 'Use GET or POST.');
    }
    const p = this.params(form, tenant);
    // Mistakes in the client's request are shown here, never sent to a redirect URI that may not be the client's.
    if (typeof p === 'string') return page(res, 400, p);
    if (req.method === 'GET') return this.form(res, tenant, p, form.get('login_hint') ?? '', null);
    const name = (form.get('username') ?? '').trim().toLowerCase();
    const user = this.users(tenant).find((u) => u.upn.toLowerCase() === name);
    if (!user || !same(form.get('password') ?? '', this.password)) {
      return this.form(res, tenant, p, name, 'Your account or password is incorrect.');
    }
    const code = randomBytes(32).toString('base64url');
    const now = this.o.clock.now();
    for (const [k, v] of this.codes) if (v.expiresAt <= now || this.codes.size > MAX_PENDING_CODES) this.codes.delete(k);
    this.codes.set(code, { tenant, user, clientId: p.clientId, redirectUri: p.redirectUri, codeChallenge: p.codeChallenge, nonce: p.nonce || null, scope: p.scope, expiresAt: now + CODE_TTL_MS });
    const back = new URL(p.redirectUri);
    back.searchParams.set('code', code);
    if (p.state) back.searchParams.set('state', p.state);
    res.writeHead(302, { Location: back.toString(), 'Cache-Control': 'no-store' });
    res.end();
  }

  private params(form: URLSearchParams, tenant: EmulatorTenant): AuthorizeParams | string {
    const get = (k: string) => form.get(k) ?? '';
    if (get('client_id').toLowerCase() !== tenant.clientId.toLowerCase()) return `AADSTS700016: Application with identifier '${get('client_id').slice(0, 80)}' was not found in the directory '${tenant.displayName}'.`;
    let redirect: URL;
    try {
      redirect = new URL(get('redirect_uri'));
    } catch {
      return 'AADSTS50011: The redirect URI is missing or not a URL.';
    }
    if (redirect.protocol !== 'http:' && redirect.protocol !== 'https:') return 'AADSTS50011: The redirect URI must be http(s).';
    if (get('response_type') !== 'code') return "AADSTS700054: response_type must be 'code' (the authorization code flow).";
    if (!get('scope').split(' ').includes('openid')) return "AADSTS900144: The scope must include 'openid'.";
    if (!/^[A-Za-z0-9_-]{43,128}$/.test(get('code_challenge')) || get('code_challenge_method') !== 'S256') return 'AADSTS501491: PKCE is required: send code_challenge with code_challenge_method=S256.';
    return { clientId: tenant.clientId, redirectUri: redirect.toString(), state: get('state').slice(0, 2000), nonce: get('nonce').slice(0, 500), scope: get('scope').slice(0, 1000), codeChallenge: get('code_challenge') };
  }

  private form(res: ServerResponse, tenant: EmulatorTenant, p: AuthorizeParams, name: string, error: string | null): void {
    const hidden = (k: string, v: string) => `<input type="hidden" name="${k}" value="${escapeHtml(v, 4000)}">`;
    const users = this.users(tenant).slice(0, 50).map((u) => `<option value="${escapeHtml(u.upn)}">${escapeHtml(u.displayName)} (${escapeHtml(u.roles.join(', ') || 'no role')})</option>`);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in: ${escapeHtml(tenant.displayName)} (emulator)</title></head><body>
<h1>Sign in to ${escapeHtml(tenant.displayName)}</h1><p>auditwatch emulator: every user's password is the emulator's user password (default: ${EMULATED_USER_PASSWORD}).</p>
${error ? `<p role="alert" id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="authorize">
${hidden('client_id', p.clientId)}${hidden('redirect_uri', p.redirectUri)}${hidden('response_type', 'code')}${hidden('scope', p.scope)}${hidden('state', p.state)}${hidden('nonce', p.nonce)}${hidden('code_challenge', p.codeChallenge)}${hidden('code_challenge_method', 'S256')}
<label>User name <input name="username" list="users" autocomplete="username" value="${escapeHtml(name, 200)}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form><datalist id="users">${users.join('')}</datalist></body></html>`;
    sendText(res, 200, html, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' });
  }

  /** The authorization_code grant at /{tenant}/oauth2/v2.0/token. */
  async codeGrant(form: URLSearchParams, tenantSegment: string, baseUrl: string, basicAuth: { id: string; secret: string } | null): Promise<{ response: Record<string, unknown> } | { error: EntraError }> {
    const fail = (error: string, code: number, description: string) => ({ error: entraError(400, error, code, description) });
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code); // one use, whatever happens next
    const tenant = this.o.tenantOf(tenantSegment);
    if (!pending || !tenant || pending.tenant.tenantId !== tenant.tenantId || pending.expiresAt <= this.o.clock.now()) {
      return fail('invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity, was already redeemed, or was issued to another tenant.');
    }
    const clientId = basicAuth?.id ?? form.get('client_id') ?? '';
    if (clientId.toLowerCase() !== pending.clientId.toLowerCase()) return fail('invalid_client', 700016, 'The client_id does not match the one the code was issued to.');
    const secret = basicAuth?.secret ?? form.get('client_secret');
    if (secret !== null && !same(secret, tenant.clientSecret)) {
      return { error: entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.') };
    }
    if ((form.get('redirect_uri') ?? '') !== pending.redirectUri && (form.get('redirect_uri') ?? '') !== pending.redirectUri.replace(/\/$/, '')) {
      return fail('invalid_grant', 70002, "The redirect_uri does not match the one of the authorization request.");
    }
    const verifier = form.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !same(s256(verifier), pending.codeChallenge)) {
      return fail('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    }
    const now = Math.floor(this.o.clock.now() / 1000);
    const u = pending.user;
    const issuer = this.issuer(baseUrl, tenant);
    const common = { tid: tenant.tenantId, oid: u.objectId, preferred_username: u.upn, name: u.displayName, ver: '2.0' };
    const sign = (claims: Record<string, unknown>, aud: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
        .setIssuer(issuer)
        .setAudience(aud)
        .setSubject(createHash('sha256').update(`${u.objectId}|${pending.clientId}`).digest('base64url').slice(0, 43))
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + TOKEN_LIFETIME_S)
        .sign(this.o.signingKey);
    const idToken = await sign({ ...common, email: u.upn, roles: u.roles, ...(pending.nonce ? { nonce: pending.nonce } : {}) }, pending.clientId);
    const accessToken = await sign({ ...common, scp: pending.scope.split(' ').filter((s) => !['openid', 'profile', 'email', 'offline_access'].includes(s)).join(' ') || 'User.Read', azp: pending.clientId }, '00000003-0000-0000-c000-000000000000');
    return { response: { token_type: 'Bearer', scope: pending.scope, expires_in: TOKEN_LIFETIME_S, ext_expires_in: TOKEN_LIFETIME_S, access_token: accessToken, id_token: idToken } };
  }
}

function page(res: ServerResponse, status: number, message: string): void {
  sendText(res, status, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>Sign-in error</h1><p id="error">${escapeHtml(message, 500)}</p></body></html>`, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
  });
}

/** The client id and secret of an Authorization: Basic header (RFC 6749 2.3.1), or null. */
export function basicClient(header: string | undefined): { id: string; secret: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  try {
    return { id: decodeURIComponent(text.slice(0, colon)), secret: decodeURIComponent(text.slice(colon + 1)) };
  } catch {
    return null;
  }
}
