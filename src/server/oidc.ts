// OpenID Connect sign-in (collect.auth.oidc), the relying-party side, with `jose`: discovery from the
// issuer, the authorization code flow with PKCE (S256), state and nonce, the code exchanged at the token
// endpoint (client_secret_post when a secret is configured), and the id_token verified — signature by
// the provider's JWKS, issuer, audience, expiry, nonce, and the tenant (tid) when allowedTenants is set.
// The user's roles claim maps to a role through roleMap (the highest wins), else defaultRole, else the
// sign-in is refused. Pending sign-ins (10 minutes) are held in memory: a restart in the middle of one
// only means signing in again. No token, code or secret is ever logged or put in an error.

import { randomBytes, createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { AppError, errorMessage, safeLine, type Clock, type Logger } from '../core/index.js';
import type { OidcConfig } from '../config/index.js';
import { ROLES, type Role } from './routes.js';

const PENDING_MS = 10 * 60_000;
const MAX_PENDING = 10_000;
const DISCOVERY_TTL_MS = 60 * 60_000;
const HTTP_TIMEOUT_MS = 15_000;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

interface Pending {
  nonce: string;
  verifier: string;
  next: string;
  expiresAt: number;
}

export interface OidcSignIn {
  user: string;
  role: Role;
  next: string;
}

/** A refused sign-in: `code` goes to /login?error=, `reason` only to the log. */
export class OidcRefused extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const random = () => randomBytes(32).toString('base64url');

/** A relative path of this app to return to after sign-in, or / (never another origin). */
export function safeNext(next: string | undefined | null): string {
  if (typeof next !== 'string' || next.length > 500 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  return next;
}

export function createOidcClient(config: OidcConfig, o: { clock: Clock; logger: Logger; fetch?: typeof fetch }) {
  const doFetch = o.fetch ?? fetch;
  const pending = new Map<string, Pending>();
  let discovery: { doc: Discovery; at: number } | null = null;
  const jwksByUri = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  const discover = async (): Promise<Discovery> => {
    if (discovery && o.clock.now() - discovery.at < DISCOVERY_TTL_MS) return discovery.doc;
    const url = `${config.issuer}/.well-known/openid-configuration`;
    let doc: Partial<Discovery>;
    try {
      const res = await doFetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as Partial<Discovery>;
    } catch (err) {
      throw new OidcRefused('oidc_unavailable', `The OpenID Connect discovery document at ${safeLine(url, 200)} could not be read (${safeLine(errorMessage(err), 200)}); check collect.auth.oidc.issuer.`);
    }
    for (const k of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      if (typeof doc[k] !== 'string' || !/^https?:\/\//.test(doc[k])) throw new OidcRefused('oidc_unavailable', `The discovery document at ${safeLine(url, 200)} has no ${k}; check collect.auth.oidc.issuer.`);
    }
    const issuerOk = doc.issuer === config.issuer || doc.issuer!.includes('{tenantid}');
    if (!issuerOk) throw new OidcRefused('oidc_unavailable', `The discovery document names the issuer ${safeLine(doc.issuer, 200)}, not ${safeLine(config.issuer, 200)}; set collect.auth.oidc.issuer to the provider's issuer exactly.`);
    discovery = { doc: doc as Discovery, at: o.clock.now() };
    return discovery.doc;
  };

  const jwks = (uri: string) => {
    let set = jwksByUri.get(uri);
    if (!set) {
      set = createRemoteJWKSet(new URL(uri), { timeoutDuration: HTTP_TIMEOUT_MS });
      jwksByUri.set(uri, set);
    }
    return set;
  };

  const roleOf = (claims: JWTPayload): Role | null => {
    const raw = claims[config.roleClaim];
    const values = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : typeof raw === 'string' ? [raw] : [];
    let best: Role | null = null;
    for (const v of values) {
      const r = config.roleMap[v];
      if (r && (best === null || ROLES.indexOf(r) > ROLES.indexOf(best))) best = r;
    }
    return best ?? config.defaultRole;
  };

  return {
    label: config.label,

    /** Where to send the browser, and the state to bind to it (a cookie). */
    async begin(next: string | undefined): Promise<{ location: string; state: string }> {
      const d = await discover();
      const now = o.clock.now();
      for (const [k, v] of pending) if (v.expiresAt <= now) pending.delete(k);
      while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
      const state = random();
      const p: Pending = { nonce: random(), verifier: random(), next: safeNext(next), expiresAt: now + PENDING_MS };
      pending.set(state, p);
      const url = new URL(d.authorization_endpoint);
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', config.redirectUrl);
      url.searchParams.set('scope', [...new Set(['openid', ...config.scopes])].join(' '));
      url.searchParams.set('state', state);
      url.searchParams.set('nonce', p.nonce);
      url.searchParams.set('code_challenge', createHash('sha256').update(p.verifier).digest('base64url'));
      url.searchParams.set('code_challenge_method', 'S256');
      url.searchParams.set('response_mode', 'query');
      return { location: url.toString(), state };
    },

    /** The callback's query and the state cookie → the signed-in user, or OidcRefused. */
    async finish(query: URLSearchParams, boundState: string | undefined): Promise<OidcSignIn> {
      const state = query.get('state') ?? '';
      const p = pending.get(state);
      if (p) pending.delete(state);
      if (!p || p.expiresAt <= o.clock.now() || boundState !== state) throw new OidcRefused('oidc_state', 'The sign-in came back with an unknown or expired state, or in another browser; start it again.');
      const providerError = query.get('error');
      if (providerError) throw new OidcRefused('oidc_denied', `The provider refused the sign-in (${safeLine(providerError, 60)}: ${safeLine(query.get('error_description') ?? '', 200)}).`);
      const code = query.get('code');
      if (!code) throw new OidcRefused('oidc_denied', 'The provider sent no authorization code.');
      const d = await discover();

      const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: config.redirectUrl, client_id: config.clientId, code_verifier: p.verifier });
      if (config.clientSecret) form.set('client_secret', config.clientSecret.reveal());
      let tokens: { id_token?: unknown; error?: unknown; error_description?: unknown };
      try {
        const res = await doFetch(d.token_endpoint, { method: 'POST', body: form, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
        tokens = (await res.json()) as typeof tokens;
        if (!res.ok) throw new Error(`HTTP ${res.status} ${safeLine(String(tokens.error ?? ''), 60)}: ${safeLine(String(tokens.error_description ?? '').split('\r')[0], 200)}`);
      } catch (err) {
        throw new OidcRefused('oidc_token', `The provider's token endpoint refused the code (${safeLine(errorMessage(err), 300)}); check collect.auth.oidc.clientId, clientSecret and redirectUrl.`);
      }
      if (typeof tokens.id_token !== 'string') throw new OidcRefused('oidc_token', 'The token endpoint answered without an id_token; make sure the scopes include openid.');

      let claims: JWTPayload;
      try {
        let issuer = d.issuer;
        if (issuer.includes('{tenantid}')) {
          // A multi-tenant endpoint (common, organizations): the token names its tenant, which must be allowed.
          const tid = decodeJwt(tokens.id_token)['tid'];
          if (typeof tid !== 'string' || !config.allowedTenants.includes(tid)) throw new OidcRefused('oidc_tenant', `A user of tenant ${safeLine(String(tid), 60)} tried to sign in; list allowed tenants in collect.auth.oidc.allowedTenants.`);
          issuer = issuer.replace('{tenantid}', tid);
        }
        ({ payload: claims } = await jwtVerify(tokens.id_token, jwks(d.jwks_uri), {
          issuer,
          audience: config.clientId,
          algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'],
          currentDate: new Date(o.clock.now()),
          clockTolerance: 120,
          requiredClaims: ['exp', 'iat', 'sub'],
        }));
      } catch (err) {
        if (err instanceof OidcRefused) throw err;
        const why = err instanceof joseErrors.JOSEError ? `${err.code}: ${safeLine(err.message, 200)}` : safeLine(errorMessage(err), 200);
        throw new OidcRefused('oidc_invalid_token', `The id_token was refused (${why}).`);
      }
      if (claims['nonce'] !== p.nonce) throw new OidcRefused('oidc_invalid_token', 'The id_token does not carry the nonce of this sign-in (a replayed token).');
      const tid = claims['tid'];
      if (config.allowedTenants.length > 0 && (typeof tid !== 'string' || !config.allowedTenants.includes(tid))) {
        throw new OidcRefused('oidc_tenant', `A user of tenant ${safeLine(String(tid), 60)} tried to sign in; list allowed tenants in collect.auth.oidc.allowedTenants.`);
      }
      const name = [claims[config.usernameClaim], claims['email'], claims.sub].find((v): v is string => typeof v === 'string' && v.trim() !== '');
      if (!name) throw new OidcRefused('oidc_invalid_token', `The id_token names no user (${config.usernameClaim}, email or sub).`);
      const user = safeLine(name.trim().toLowerCase(), 200);
      const role = roleOf(claims);
      if (!role) throw new OidcRefused('oidc_no_role', `${user} has no role: the ${config.roleClaim} claim matches nothing in collect.auth.oidc.roleMap and there is no defaultRole.`);
      return { user, role, next: p.next };
    },
  };
}

export type OidcClient = ReturnType<typeof createOidcClient>;

/** An OidcRefused, or anything else as oidc_failed (for the /login?error= code). */
export function refusal(err: unknown): OidcRefused {
  if (err instanceof OidcRefused) return err;
  if (err instanceof AppError) return new OidcRefused('oidc_failed', err.message);
  return new OidcRefused('oidc_failed', safeLine(errorMessage(err), 300));
}
