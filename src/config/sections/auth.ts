// `collect.auth`: how people sign in to the daemon's API and dashboard (served on collect.listen):
// session lifetimes, the secure-cookie policy, login rate limits, and OpenID Connect single sign-on
// (Entra ID or any provider with discovery). Local accounts need no config (`auditwatch users add`).

import { z } from 'zod';
import { duration, httpUrl, secretRef } from '../fields.js';

const ROLE = z.enum(['viewer', 'analyst', 'admin'], { error: 'must be viewer, analyst or admin' });
const whole = (min: number, max: number, d: number) =>
  z
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` })
    .default(d);

export const oidcSection = z.strictObject({
  /** The provider's issuer URL; discovery is read from <issuer>/.well-known/openid-configuration. */
  issuer: httpUrl('the OpenID Connect issuer, e.g. https://login.microsoftonline.com/TENANT-ID/v2.0'),
  /** The application (client) id registered at the provider. */
  clientId: z.string({ error: 'is missing; add the application (client) id of the app registration' }).min(1).max(200),
  /** The client secret, { env } or { file }; none: a public client (PKCE only). */
  clientSecret: secretRef('AUDITWATCH_OIDC_CLIENT_SECRET').optional(),
  /** Where the provider sends the browser back: this daemon's /auth/oidc/callback as the browser sees it. */
  redirectUrl: httpUrl('this daemon\'s /auth/oidc/callback as the browser reaches it, e.g. https://auditwatch.example.org/auth/oidc/callback'),
  /** Scopes asked for. */
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, { error: 'must be a scope name' })).min(1).default(['openid', 'profile', 'email']),
  /** The button's text on the sign-in page. */
  label: z.string().min(1).max(60).default('Microsoft Entra ID'),
  /** The claim holding the user's name shown in history (falls back to email, then sub). */
  usernameClaim: z.string().min(1).max(100).default('preferred_username'),
  /** The claim holding the user's roles or groups (a string or a list of strings). */
  roleClaim: z.string().min(1).max(100).default('roles'),
  /** Claim value → role (e.g. AuditWatch.Admin: admin); the highest role matched wins. */
  roleMap: z.record(z.string().min(1).max(200), ROLE).default({}),
  /** The role of a user whom roleMap gives none; none (the default): such a user is refused. */
  defaultRole: ROLE.nullable().default(null),
  /** Tenant ids (tid claim) allowed to sign in; empty: only the issuer's own (its iss pins the tenant). */
  allowedTenants: z.array(z.string().min(1).max(100)).default([]),
});

export const authSection = z
  .strictObject({
    /** A session ends after this long without a request. */
    sessionIdle: duration('30m', { min: '1m', max: '7d' }),
    /** A session ends this long after sign-in, however busy. */
    sessionLifetime: duration('12h', { min: '5m', max: '30d' }),
    /** Secure cookies: auto (when the request came over TLS or oidc.redirectUrl is https), true, or false. */
    secureCookies: z.union([z.literal('auto'), z.boolean()], { error: 'must be auto, true or false' }).default('auto'),
    login: z
      .strictObject({
        /** Failed sign-ins per user name and client address within `window` before 429. */
        maxFailures: whole(1, 1000, 5),
        /** Failed sign-ins per client address (any user name) within `window` before 429. */
        maxFailuresPerIp: whole(1, 100000, 20),
        /** Failed sign-ins per user name from any address within `window` (a guess spread over many addresses). */
        maxFailuresPerUser: whole(1, 100000, 50),
        /** The window the failures are counted in. */
        window: duration('15m', { min: '1m', max: '1d' }),
      })
      .prefault({}),
    /** OpenID Connect single sign-on; none: local accounts only. */
    oidc: oidcSection.nullable().default(null),
  })
  .prefault({});

export type AuthConfig = z.output<typeof authSection>;
export type OidcConfig = z.output<typeof oidcSection>;
