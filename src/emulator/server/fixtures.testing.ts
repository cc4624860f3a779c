// A small, fixed ContentSource for the server's own tests: a few tenants, a few blobs per content type at
// known times, known record Ids. It lets the HTTP surface be tested apart from the simulated tenants.

import { AppError } from '../../core/index.js';
import { CONTENT_TYPES, type ContentType } from '../../records/index.js';
import type { BlobMeta, ContentSource, EmulatorTenant, GroundTruth, GroundTruthScenario } from '../model.js';

export const FIXTURE_START = Date.UTC(2026, 0, 10, 0, 0, 0);
const SEVEN_DAYS = 7 * 86_400_000;

export interface FixtureOptions {
  tenants?: number;
  /** Blobs per tenant and content type, every `spacingMs` from FIXTURE_START (default 6). */
  blobsPerType?: number;
  spacingMs?: number;
  /** Records per blob (default 3). */
  recordsPerBlob?: number;
  /** Roles of each tenant's app (default both). */
  roles?: (tenantIndex: number) => string[];
}

interface Blob {
  meta: BlobMeta;
  body: string;
  ids: string[];
}

function guid(n: number, salt: number): string {
  const h = (n * 2654435761 + salt * 40503) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  const tail = (n + salt * 1000).toString(16).padStart(12, '0');
  return `${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-a${hex.slice(5, 8)}-${tail}`;
}

export function createFixtureSource(options: FixtureOptions = {}): ContentSource & { blobs: Blob[] } {
  const tenantCount = options.tenants ?? 1;
  const perType = options.blobsPerType ?? 6;
  const spacing = options.spacingMs ?? 10 * 60_000;
  const perBlob = options.recordsPerBlob ?? 3;
  const tenants: EmulatorTenant[] = Array.from({ length: tenantCount }, (_, i) => ({
    tenantId: guid(i + 1, 7),
    domain: `contoso-${i + 1}.onmicrosoft.com`,
    displayName: `Contoso ${i + 1}`,
    clientId: guid(i + 1, 11),
    clientSecret: `fixture-secret-${i + 1}~abcdefghijklmnop`,
    roles: options.roles ? options.roles(i) : ['ActivityFeed.Read', 'ActivityFeed.ReadDlp'],
  }));
  const blobs: Blob[] = [];
  const scenarios: GroundTruthScenario[] = [];
  let recordSeq = 0;
  const addBlob = (tenantId: string, contentType: ContentType, created: number, ids?: string[]): Blob => {
    const recordIds = ids ?? Array.from({ length: perBlob }, () => guid(++recordSeq, 3));
    const stamp = new Date(created).toISOString().replace(/[-:TZ.]/g, '');
    const contentId = `${stamp}${String(blobs.length).padStart(6, '0')}$${stamp}$${contentType.replace('.', '_').toLowerCase()}$${contentType.replace('.', '_')}$emu0001`;
    const records = recordIds.map((id) => ({
      CreationTime: new Date(created - 3_600_000).toISOString().slice(0, 19),
      Id: id,
      Operation: 'FileAccessed',
      OrganizationId: tenantId,
      RecordType: 6,
      UserKey: 'i:0h.f|membership|1003@live.com',
      UserType: 0,
      Version: 1,
      Workload: 'SharePoint',
      UserId: 'adele@contoso.com',
      ClientIP: '203.0.113.7',
    }));
    const blob: Blob = {
      meta: { tenantId, contentType, contentId, contentCreated: created, contentExpiration: created + SEVEN_DAYS, recordCount: records.length },
      body: JSON.stringify(records),
      ids: recordIds,
    };
    blobs.push(blob);
    return blob;
  };
  for (const t of tenants) {
    for (const type of CONTENT_TYPES) {
      for (let k = 0; k < perType; k++) addBlob(t.tenantId, type, FIXTURE_START + k * spacing);
    }
  }
  const sorted = () =>
    [...blobs].sort((a, b) => a.meta.contentCreated - b.meta.contentCreated || (a.meta.contentId < b.meta.contentId ? -1 : 1));
  return {
    blobs,
    tenants: () => tenants,
    // Three people per tenant who can sign in (OIDC provider): an admin, an analyst and a viewer.
    signInUsers: (tenantId: string) => {
      const t = tenants.find((x) => x.tenantId === tenantId);
      if (!t) return [];
      return (['admin', 'analyst', 'viewer'] as const).map((role, i) => ({
        upn: `${role}@${t.domain}`,
        displayName: `${role[0]!.toUpperCase()}${role.slice(1)} of ${t.displayName}`,
        objectId: guid(tenants.indexOf(t) * 10 + i + 1, 13),
        roles: [`AuditWatch.${role[0]!.toUpperCase()}${role.slice(1)}`],
      }));
    },
    listBlobs(tenantId, contentType, from, to, now) {
      return sorted()
        .filter(
          (b) =>
            b.meta.tenantId === tenantId &&
            b.meta.contentType === contentType &&
            b.meta.contentCreated >= from &&
            b.meta.contentCreated < to &&
            b.meta.contentCreated <= now,
        )
        .map((b) => b.meta);
    },
    blobContent(tenantId, contentId) {
      const b = blobs.find((x) => x.meta.tenantId === tenantId && x.meta.contentId === contentId);
      return b ? { meta: b.meta, body: b.body } : null;
    },
    groundTruth(now, created = { from: -Infinity, to: Infinity }): GroundTruth {
      const available: GroundTruth['available'] = {};
      for (const b of blobs) {
        if (b.meta.contentCreated > now || b.meta.contentCreated < created.from || b.meta.contentCreated >= created.to) continue;
        const byType = (available[b.meta.tenantId] ??= {});
        const ids = (byType[b.meta.contentType] ??= []);
        for (const id of b.ids) if (!ids.includes(id)) ids.push(id);
      }
      return { scenarios: [...scenarios], available };
    },
    scenarioNames: () => ['fixture-burst'],
    inject(name, params, at) {
      if (name !== 'fixture-burst') throw new AppError('unknown_scenario', `Unknown scenario "${name}"; use fixture-burst.`);
      const tenantId = typeof params.tenantId === 'string' ? params.tenantId : tenants[0]!.tenantId;
      const blob = addBlob(tenantId, 'Audit.SharePoint', at);
      const entry: GroundTruthScenario = {
        name,
        label: 'attack',
        tenantId,
        actors: ['adele@contoso.com'],
        victims: [],
        start: new Date(at).toISOString(),
        end: new Date(at).toISOString(),
        recordIds: blob.ids,
      };
      scenarios.push(entry);
      return entry;
    },
  };
}

// ---- helpers for tests over real HTTP ----

export interface TestTenant {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** A v2 access token by client secret. */
export async function tokenFor(url: string, t: TestTenant): Promise<string> {
  const res = await fetch(`${url}/${t.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: t.clientId,
      client_secret: t.clientSecret,
      scope: 'https://manage.office.com/.default',
    }),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Calls the activity feed: `path` is what follows /activity/feed/ (with its query). */
export async function feed(
  url: string,
  tenantId: string,
  token: string | null,
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${url}/api/v1.0/${tenantId}/activity/feed/${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function errorCode(json: unknown): string | undefined {
  return (json as { error?: { code?: string } } | null)?.error?.code;
}
