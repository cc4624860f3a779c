// The emulator's Entra ID token endpoints (v1 `/{tenant}/oauth2/token` with `resource`, v2
// `/{tenant}/oauth2/v2.0/token` with `scope`), client credentials by secret or by certificate
// (client_assertion JWT checked against the tenant's registered certificate), and the access tokens the
// API accepts: RS256 JWTs signed by the emulator's own key, carrying tid, aud, appid, roles and expiry.

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT, decodeProtectedHeader, decodeJwt, jwtVerify, errors as joseErrors } from 'jose';
import type { Clock } from '../../core/index.js';
import type { EmulatorTenant } from '../model.js';
import type { GeneratedCertificate } from './certs.js';
import { BodyTooLarge, entraError, GUID_RE, readBody, sendEntraError, sendJson, type EntraError } from './http.js';

/** The Management Activity API's resource per cloud; the emulator stands in for any of them. */
export const MANAGEMENT_RESOURCES = [
  'https://manage.office.com',
  'https://manage-gcc.office.com',
  'https://manage.office365.us',
  'https://manage.protection.apps.mil',
  'https://manage.office365.cn',
] as const;

/**
 * Microsoft's own resources, present as service principals in every tenant: a client-credentials token
 * for them is issued (without roles: the emulated app holds none there), as a real tenant does. A client
 * that asks Graph for a token first (to read its own identity) works unmodified.
 */
export const FIRST_PARTY_RESOURCES = [
  'https://graph.microsoft.com',
  'https://graph.windows.net',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
  'https://management.azure.com',
  'https://management.core.windows.net',
  'https://vault.azure.net',
  'https://storage.azure.com',
  'https://outlook.office365.com',
  'https://outlook.office.com',
  'https://api.security.microsoft.com',
  'https://api.securitycenter.microsoft.com',
] as const;

const LOGIN_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
]);

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface RegisteredApp {
  tenant: EmulatorTenant;
  certificate: GeneratedCertificate;
}

export interface AccessClaims {
  tid: string;
  aud: string;
  appid: string;
  roles: string[];
  exp: number;
  nbf: number;
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: string };

export interface MintOptions {
  tenantId: string;
  appId?: string;
  aud?: string;
  /** The app's roles on `aud`; none: the claim is left out (Entra's token for a resource without roles). */
  roles?: string[];
  /** The app's display name (`app_displayname`). */
  appName?: string;
  /** Lifetime from now (the emulator clock), seconds; negative gives an already expired token. */
  lifetimeSeconds?: number;
}

export class TokenService {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;
  private readonly cache = new Map<string, AccessClaims>();
  private readonly byTenant = new Map<string, RegisteredApp>();

  /** `signingKey`: the emulator's own RSA private key, which signs every access token it issues. */
  constructor(
    private readonly clock: Clock,
    apps: RegisteredApp[],
    signingKey: KeyObject,
    public lifetimeSeconds = 3600,
  ) {
    this.privateKey = signingKey;
    this.publicKey = createPublicKey(signingKey);
    this.kid = createHash('sha1').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
    for (const app of apps) {
      this.byTenant.set(app.tenant.tenantId.toLowerCase(), app);
      this.byTenant.set(app.tenant.domain.toLowerCase(), app);
    }
  }

  app(tenantIdOrDomain: string): RegisteredApp | undefined {
    return this.byTenant.get(tenantIdOrDomain.toLowerCase());
  }

  /** The OpenID Connect provider's authorization_code grant (oidc.ts), when the emulator has one. */
  codeGrant: ((form: URLSearchParams, tenantSegment: string, baseUrl: string, authorization: string | undefined) => Promise<{ response: Record<string, unknown> } | { error: EntraError }>) | null = null;

  /** Handles a token request (the path's tenant segment and endpoint version already parsed). */
  async handle(req: IncomingMessage, res: ServerResponse, tenantSegment: string, version: 1 | 2, baseUrl: string): Promise<void> {
    let body: string;
    try {
      body = await readBody(req, 200_000);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      return sendEntraError(res, entraError(400, 'invalid_request', 900144, 'The request body is too large.'), this.clock.now());
    }
    const form = new URLSearchParams(body);
    const result =
      version === 2 && form.get('grant_type') === 'authorization_code' && this.codeGrant
        ? await this.codeGrant(form, tenantSegment, baseUrl, req.headers.authorization)
        : await this.grant(form, tenantSegment, version, baseUrl);
    if ('error' in result) return sendEntraError(res, result.error, this.clock.now());
    sendJson(res, 200, result.response, { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' });
  }

  private async grant(
    form: URLSearchParams,
    tenantSegment: string,
    version: 1 | 2,
    baseUrl: string,
  ): Promise<{ response: Record<string, unknown> } | { error: EntraError }> {
    const fail = (status: number, error: string, code: number, description: string) => ({
      error: entraError(status, error, code, description),
    });
    if (!GUID_RE.test(tenantSegment) && !tenantSegment.includes('.')) {
      return fail(400, 'invalid_request', 900023, `Specified tenant identifier '${clip(tenantSegment)}' is neither a valid DNS name, nor a valid external domain.`);
    }
    const app = this.app(tenantSegment);
    if (!app) {
      return fail(400, 'invalid_request', 90002, `Tenant '${clip(tenantSegment)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`);
    }
    const tenant = app.tenant;
    const grantType = form.get('grant_type');
    if (!grantType) return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grantType !== 'client_credentials') {
      return fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${clip(grantType)}'.`);
    }
    const clientId = form.get('client_id');
    if (!clientId) return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    if (clientId.toLowerCase() !== tenant.clientId.toLowerCase()) {
      return fail(400, 'unauthorized_client', 700016, `Application with identifier '${clip(clientId)}' was not found in the directory '${tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    }
    // The resource (v1) or scope (v2).
    let resource: string;
    if (version === 1) {
      const given = form.get('resource');
      if (!given) return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'resource'.");
      resource = given.replace(/\/+$/, '');
    } else {
      const scope = form.get('scope');
      if (!scope) return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
      if (!scope.endsWith('/.default') || scope.trim().includes(' ')) {
        return fail(400, 'invalid_scope', 1002012, `The provided value for scope ${clip(scope)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      }
      resource = scope.slice(0, -'/.default'.length).replace(/\/+$/, '');
    }
    const management = MANAGEMENT_RESOURCES.find((r) => r === resource.toLowerCase());
    const canonical = management ?? FIRST_PARTY_RESOURCES.find((r) => r === resource.toLowerCase());
    if (!canonical) {
      return fail(400, version === 1 ? 'invalid_resource' : 'invalid_scope', 500011, `The resource principal named ${clip(resource)} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
    }
    // Client authentication.
    const assertion = form.get('client_assertion');
    const secret = form.get('client_secret');
    let appidacr = '1';
    if (assertion !== null) {
      if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
        return fail(400, 'invalid_request', 900144, `The request body must contain the following parameter: 'client_assertion_type' with the value '${ASSERTION_TYPE}'.`);
      }
      const problem = await this.checkAssertion(assertion, app, tenantSegment, baseUrl);
      if (problem) return { error: problem };
      appidacr = '2';
    } else if (secret !== null) {
      if (secret !== tenant.clientSecret) {
        return fail(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${tenant.clientId}'.`);
      }
    } else {
      return fail(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    const token = await this.mint(
      { tenantId: tenant.tenantId, appId: tenant.clientId, aud: canonical, ...(management ? { roles: tenant.roles } : { roles: [] }), appName: appDisplayName(tenant) },
      appidacr,
    );
    const now = Math.floor(this.clock.now() / 1000);
    const expiresIn = this.lifetimeSeconds - 1;
    if (version === 1) {
      return {
        response: {
          token_type: 'Bearer',
          expires_in: String(expiresIn),
          ext_expires_in: String(expiresIn),
          expires_on: String(now + expiresIn),
          not_before: String(now),
          resource: canonical,
          access_token: token,
        },
      };
    }
    return { response: { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token } };
  }

  private async checkAssertion(assertion: string, app: RegisteredApp, tenantSegment: string, baseUrl: string): Promise<EntraError | null> {
    const malformed = (why: string) => entraError(401, 'invalid_client', 50027, `JWT token is invalid or malformed. ${why}`);
    let header;
    let claims;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      return malformed('The client_assertion is not a JWT.');
    }
    if (header.alg !== 'RS256' && header.alg !== 'PS256') return malformed(`The algorithm ${clip(String(header.alg))} is not supported; sign with RS256.`);
    const cert = app.certificate;
    if (header.x5t !== cert.x5t && header['x5t#S256'] !== cert.x5tS256) {
      return entraError(401, 'invalid_client', 700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${clip(String(header.x5t ?? header['x5t#S256'] ?? ''))}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.tenant.clientId}'.]`);
    }
    const now = this.clock.now();
    try {
      await jwtVerify(assertion, cert.publicKey, { algorithms: ['RS256', 'PS256'], currentDate: new Date(now), clockTolerance: 300 });
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired || (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf')) {
        return entraError(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}, assertion valid from ${isoSeconds(claims.nbf)}, expiry time of assertion ${isoSeconds(claims.exp)}.`);
      }
      return entraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    if (typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') return malformed('The assertion must carry nbf and exp.');
    if (typeof claims.jti !== 'string' || claims.jti === '') return malformed('The assertion must carry a jti.');
    const clientId = app.tenant.clientId.toLowerCase();
    if (String(claims.iss ?? '').toLowerCase() !== clientId || String(claims.sub ?? '').toLowerCase() !== clientId) {
      return entraError(401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter. iss and sub must both be the client id.");
    }
    const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!auds.some((a: unknown) => typeof a === 'string' && this.isTokenUrl(a, app, baseUrl))) {
      return entraError(401, 'invalid_client', 700027, `Client assertion contains an invalid audience. The aud claim must be the token endpoint URL, e.g. ${baseUrl}/${tenantSegment}/oauth2/v2.0/token.`);
    }
    return null;
  }

  /** The token URL as the client used it (this emulator's host) or as Entra spells it (login hosts). */
  private isTokenUrl(aud: string, app: RegisteredApp, baseUrl: string): boolean {
    let url: URL;
    try {
      url = new URL(aud);
    } catch {
      return false;
    }
    const m = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/.exec(url.pathname);
    if (!m || this.app(decodeURIComponent(m[1]!)) !== app) return false;
    return url.host === new URL(baseUrl).host || LOGIN_HOSTS.has(url.hostname.toLowerCase());
  }

  /** Signs an access token the way Entra ID signs them for the Management Activity API (v1 format). */
  async mint(options: MintOptions, appidacr = '1'): Promise<string> {
    const app = this.app(options.tenantId);
    const now = Math.floor(this.clock.now() / 1000);
    const lifetime = options.lifetimeSeconds ?? this.lifetimeSeconds;
    const appId = options.appId ?? app?.tenant.clientId ?? options.tenantId;
    const oid = guidFrom('oid', options.tenantId, appId);
    const iss = `https://sts.windows.net/${options.tenantId}/`;
    const roles = options.roles ?? app?.tenant.roles ?? [];
    const aud = options.aud ?? MANAGEMENT_RESOURCES[0];
    // The claims Entra puts in an app-only v1 token; roles only where the app holds some (the Management
    // API's, or a minted test token's).
    return new SignJWT({
      aio: guidFrom('aio', now, appId),
      app_displayname: options.appName ?? (app ? appDisplayName(app.tenant) : 'auditwatch collector'),
      appid: appId,
      appidacr,
      idp: iss,
      idtyp: 'app',
      oid,
      rh: '0.emulator.',
      ...(roles.length > 0 || (MANAGEMENT_RESOURCES as readonly string[]).includes(aud) ? { roles } : {}),
      tid: options.tenantId,
      uti: guidFrom('uti', now, appId, Math.random()),
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid, x5t: this.kid })
      .setAudience(aud)
      .setIssuer(iss)
      .setSubject(oid)
      .setIssuedAt(Math.min(now, now + lifetime - 1))
      .setNotBefore(Math.min(now, now + lifetime - 1))
      .setExpirationTime(now + lifetime)
      .sign(this.privateKey);
  }

  /** Verifies a bearer token against the emulator's key and clock (no tolerance, so expiry is exact). */
  async verify(token: string): Promise<VerifyResult> {
    const now = this.clock.now() / 1000;
    let claims = this.cache.get(token);
    if (!claims) {
      try {
        const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], currentDate: new Date(this.clock.now()) });
        claims = {
          tid: String(payload.tid ?? ''),
          aud: String(Array.isArray(payload.aud) ? payload.aud[0] : (payload.aud ?? '')),
          appid: String(payload.appid ?? ''),
          roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
          exp: Number(payload.exp),
          nbf: Number(payload.nbf ?? 0),
        };
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'The token is expired.' };
        return { ok: false, reason: 'The token is not valid.' };
      }
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(token, claims);
    }
    if (now >= claims.exp) return { ok: false, reason: 'The token is expired.' };
    if (now < claims.nbf) return { ok: false, reason: 'The token is not valid yet.' };
    return { ok: true, claims };
  }
}

function clip(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
}

function isoSeconds(v: unknown): string {
  return typeof v === 'number' ? new Date(v * 1000).toISOString() : 'unknown';
}

function guidFrom(...parts: unknown[]): string {
  const h = createHash('sha256').update(parts.map(String).join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The emulated app registration's display name, as Entra puts it in `app_displayname`. */
function appDisplayName(tenant: { displayName: string }): string {
  return `${tenant.displayName} auditwatch collector`;
}
