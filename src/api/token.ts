// App-only access tokens (OAuth2 client credentials, v2 endpoint) with a client secret or a certificate
// (client_assertion: an RS256 JWT whose x5t is the certificate's SHA-1 thumbprint). Tokens are cached
// and refreshed a margin before they expire, or when the API answers 401.

import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock, Secret } from '../core/index.js';
import { ApiError, classifyTokenResponse } from './errors.js';
import type { Transport } from './http.js';

export type Credential =
  | { kind: 'secret'; secret: Secret }
  | { kind: 'certificate'; certificatePem: string; privateKeyPem: Secret };

export interface TokenProviderOptions {
  tenantId: string;
  clientId: string;
  credential: Credential;
  loginBase: string;
  resource: string;
  cloud: string;
  clock: Clock;
  transport: Transport;
  /** Refresh this long before expiry (default 5 minutes). */
  refreshMarginMs?: number;
}

export interface TokenProvider {
  /** A valid token (cached, or fetched). */
  get(signal?: AbortSignal): Promise<string>;
  /** Drops the cached token (after a 401), so the next get() fetches a new one. */
  invalidate(token: string): void;
}

export function createTokenProvider(o: TokenProviderOptions): TokenProvider {
  const margin = o.refreshMarginMs ?? 5 * 60_000;
  const tokenUrl = `${o.loginBase}/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`;
  let cached: { token: string; refreshAt: number } | null = null;
  let inflight: Promise<string> | null = null;

  const fetchToken = async (signal?: AbortSignal): Promise<string> => {
    const form = new URLSearchParams({
      client_id: o.clientId,
      scope: `${o.resource}/.default`,
      grant_type: 'client_credentials',
    });
    if (o.credential.kind === 'secret') {
      form.set('client_secret', o.credential.secret.reveal());
    } else {
      form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      form.set('client_assertion', await clientAssertion(o, tokenUrl));
    }
    const ctx = { tenantId: o.tenantId, cloud: o.cloud, op: 'token', host: hostOf(o.loginBase) };
    const res = await o.transport.request(ctx, {
      method: 'POST',
      url: tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal,
      maxBytes: 1 << 20,
      budget: false,
    });
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.text()) as Record<string, unknown>;
    } catch {
      // An HTML error page or nothing: classified by status below.
    }
    if (res.status !== 200 || typeof json.access_token !== 'string') {
      throw classifyTokenResponse(
        { ...ctx, clientId: o.clientId, credentialKind: o.credential.kind },
        res.status,
        typeof json.error === 'string' ? json.error : '',
        typeof json.error_description === 'string' ? json.error_description : '',
      );
    }
    // expires_in is a number on v2 and a string on v1; accept both.
    const expiresIn = Number(json.expires_in ?? 3599);
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_599_000;
    // A short-lived token is refreshed at half its life rather than never being cached.
    cached = { token: json.access_token, refreshAt: o.clock.now() + lifetime - Math.min(margin, lifetime / 2) };
    return json.access_token;
  };

  return {
    async get(signal) {
      if (cached && o.clock.now() < cached.refreshAt) return cached.token;
      if (!inflight) {
        inflight = fetchToken(signal).finally(() => {
          inflight = null;
        });
      }
      return inflight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
  };
}

async function clientAssertion(o: TokenProviderOptions, audience: string): Promise<string> {
  if (o.credential.kind !== 'certificate') throw new Error('not a certificate credential');
  let key;
  let x5t: string;
  try {
    key = createPrivateKey(o.credential.privateKeyPem.reveal());
  } catch {
    throw new ApiError('config', `The private key of tenant ${o.tenantId}'s certificate cannot be read: give the PEM (PKCS#8 or PKCS#1) of the key that belongs to the certificate.`);
  }
  try {
    const der = new X509Certificate(o.credential.certificatePem).raw;
    x5t = createHash('sha1').update(der).digest('base64url');
  } catch {
    throw new ApiError('config', `The certificate of tenant ${o.tenantId} cannot be read: give the PEM of the certificate uploaded to the app registration.`);
  }
  const now = Math.floor(o.clock.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t })
    .setIssuer(o.clientId)
    .setSubject(o.clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now - 60)
    .setExpirationTime(now + 600)
    .sign(key);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 80);
  }
}
