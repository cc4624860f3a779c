// The `tenants` section: the Microsoft 365 tenants to collect from, each with its app registration
// (client id and a client secret, or a certificate and its private key), cloud and content types.

import { z } from 'zod';
import type { Secret } from '../../core/index.js';
import { CONTENT_TYPES } from '../../core/index.js';
import { fileContent, guid, httpUrl, secretRef } from '../fields.js';

export const CLOUDS = ['enterprise', 'gcc', 'gcc-high', 'dod'] as const;
export type CloudName = (typeof CLOUDS)[number];

export type TenantCredential =
  | { kind: 'secret'; secret: Secret }
  | { kind: 'certificate'; certificatePem: string; privateKeyPem: Secret };

const pemCheck = (label: string, fix: string) => (value: string) =>
  value.includes(`-----BEGIN ${label}`) || (label === 'PRIVATE KEY' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value))
    ? null
    : `does not hold a PEM ${label.toLowerCase()} ("-----BEGIN ${label}-----"); ${fix}`;

const tenantSchema = z
  .strictObject(
    {
      name: z
        .string({ error: 'must be a short name for the tenant, like contoso (letters, digits, . _ -)' })
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
          error: 'must be a short name for the tenant, like contoso (letters, digits, . _ -; at most 64)',
        }),
      tenantId: guid('the Directory (tenant) ID from the app registration'),
      clientId: guid('the Application (client) ID from the app registration'),
      clientSecret: secretRef('AUDITWATCH_CLIENT_SECRET').optional(),
      certificate: fileContent(
        'the PEM certificate uploaded to the app registration',
        pemCheck('CERTIFICATE', 'point it at the PEM certificate uploaded to the app registration'),
      ).optional(),
      privateKey: secretRef(
        'AUDITWATCH_PRIVATE_KEY',
        pemCheck('PRIVATE KEY', 'point it at the PEM private key of the certificate'),
      ).optional(),
      cloud: z
        .enum(CLOUDS, { error: `must be one of ${CLOUDS.join(', ')} (the tenant's Microsoft 365 plan)` })
        .default('enterprise'),
      apiUrl: httpUrl('the Management API root, to override the cloud\'s, e.g. an emulator').optional(),
      loginUrl: httpUrl('the token endpoint root, to override the cloud\'s, e.g. an emulator').optional(),
      publisherId: guid('the PublisherIdentifier; use your own tenant id').optional(),
      contentTypes: z
        .array(z.enum(CONTENT_TYPES, { error: `must be one of ${CONTENT_TYPES.join(', ')}` }), {
          error: `must be a list of content types (${CONTENT_TYPES.join(', ')})`,
        })
        .min(1, { error: 'must list at least one content type, or be left out for all five' })
        .default([...CONTENT_TYPES])
        .refine((l) => new Set(l).size === l.length, { error: 'must not list a content type twice' }),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'must be a tenant: a map with name, tenantId, clientId and a credential') },
  )
  .superRefine((t, ctx) => {
    const hasSecret = t.clientSecret !== undefined;
    const hasCert = t.certificate !== undefined || t.privateKey !== undefined;
    if (hasSecret && hasCert) {
      ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: 'and certificate/privateKey are both set; keep only one way to sign in' });
    } else if (!hasSecret && !hasCert) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientSecret'],
        message: 'is missing; add clientSecret: { env: NAME } or { file: PATH }, or certificate: { file: PATH } with privateKey: { env | file }',
      });
    } else if (hasCert && t.certificate === undefined) {
      ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'is missing; add certificate: { file: PATH } (the PEM certificate uploaded to the app registration)' });
    } else if (hasCert && t.privateKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'is missing; add privateKey: { env: NAME } or { file: PATH } (the PEM private key of the certificate)' });
    }
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null })
  .transform((t) => {
    const credential: TenantCredential =
      t.clientSecret !== undefined
        ? { kind: 'secret', secret: t.clientSecret }
        : { kind: 'certificate', certificatePem: t.certificate ?? '', privateKeyPem: t.privateKey! };
    return {
      name: t.name,
      tenantId: t.tenantId,
      clientId: t.clientId,
      credential,
      cloud: t.cloud,
      apiUrl: t.apiUrl,
      loginUrl: t.loginUrl,
      publisherId: t.publisherId ?? t.tenantId,
      contentTypes: t.contentTypes,
    };
  });

export const tenantsSection = z
  .array(tenantSchema, { error: 'must be a list of tenants (each a map starting with "- name:")' })
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    const seenIds = new Map<string, number>();
    list.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `repeats the name of tenants[${seen.get(t.name)}]; give each tenant its own name` });
      else seen.set(t.name, i);
      if (seenIds.has(t.tenantId)) ctx.addIssue({ code: 'custom', path: [i, 'tenantId'], message: `repeats tenants[${seenIds.get(t.tenantId)}].tenantId; list each tenant once` });
      else seenIds.set(t.tenantId, i);
    });
  });

export type TenantConfig = z.output<typeof tenantSchema>;
