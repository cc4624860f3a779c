// Test support: a small ContentSource for the emulator whose blobs sit just before the real "now"
// (the CLI runs on the system clock), for every tenant × content type, with a duplicated record
// across blobs. CLI tests serve it with startEmulator over real HTTP.

import { AppError } from '../core/index.js';
import { CONTENT_TYPES, type ContentType } from '../records/index.js';
import type { BlobMeta, ContentSource, EmulatorTenant, GroundTruth } from '../emulator/index.js';

const MIN = 60_000;
const WEEK = 7 * 86_400_000;

const RECORD_SHAPES: Record<ContentType, { RecordType: number; Workload: string; Operation: string }> = {
  'Audit.AzureActiveDirectory': { RecordType: 15, Workload: 'AzureActiveDirectory', Operation: 'UserLoggedIn' },
  'Audit.Exchange': { RecordType: 2, Workload: 'Exchange', Operation: 'MailItemsAccessed' },
  'Audit.SharePoint': { RecordType: 6, Workload: 'SharePoint', Operation: 'FileAccessed' },
  'Audit.General': { RecordType: 25, Workload: 'MicrosoftTeams', Operation: 'MessageSent' },
  'DLP.All': { RecordType: 11, Workload: 'SharePoint', Operation: 'DlpRuleMatch' },
};

function guid(...n: number[]): string {
  const h = n.reduce((a, b) => (Math.imul(a ^ b, 2654435761) + 0x9e3779b9) >>> 0, 0x811c9dc5);
  const hex = (x: number, len: number) => (x >>> 0).toString(16).padStart(8, '0').slice(0, len);
  return `${hex(h, 8)}-${hex(h >>> 3, 4)}-4${hex(h >>> 5, 3)}-a${hex(h >>> 7, 3)}-${hex(n[0]! * 7919, 4)}${hex(h ^ n.length, 8)}`;
}

export interface TestSourceOptions {
  tenants?: number;
  /** Blobs per tenant and content type (default 4), every 20 minutes up to 10 minutes before `now`. */
  blobsPerType?: number;
  recordsPerBlob?: number;
  now?: number;
  roles?: (tenantIndex: number) => string[];
}

interface TestBlob {
  meta: BlobMeta;
  body: string;
  ids: string[];
}

export function createTestSource(o: TestSourceOptions = {}): ContentSource & { uniqueIds(): Set<string> } {
  const now = o.now ?? Date.now();
  const perType = o.blobsPerType ?? 4;
  const perBlob = o.recordsPerBlob ?? 3;
  const tenants: EmulatorTenant[] = Array.from({ length: o.tenants ?? 2 }, (_, i) => ({
    tenantId: guid(i + 1, 1),
    domain: `contoso-${i + 1}.onmicrosoft.com`,
    displayName: `Contoso ${i + 1}`,
    clientId: guid(i + 1, 2),
    clientSecret: `cli-test-secret-${i + 1}-${guid(i + 1, 3).slice(0, 8)}`,
    roles: o.roles ? o.roles(i) : ['ActivityFeed.Read', 'ActivityFeed.ReadDlp'],
  }));
  const blobs: TestBlob[] = [];
  let seq = 0;
  tenants.forEach((t, ti) => {
    CONTENT_TYPES.forEach((ct, ci) => {
      let previousFirst: string | null = null;
      for (let k = 0; k < perType; k++) {
        const created = now - 10 * MIN - (perType - 1 - k) * 20 * MIN;
        const ids = Array.from({ length: perBlob }, (_, r) => guid(ti + 1, ci + 1, k + 1, r + 1, ++seq));
        // The first record of the previous blob comes again: duplicates are by design in the API.
        const all = previousFirst ? [...ids, previousFirst] : ids;
        previousFirst = ids[0]!;
        const shape = RECORD_SHAPES[ct];
        const records = all.map((id, r) => ({
          CreationTime: new Date(created - 70 * MIN + r * 1000).toISOString().slice(0, 19),
          Id: id,
          Operation: shape.Operation,
          OrganizationId: t.tenantId,
          RecordType: shape.RecordType,
          UserKey: `1003200${ti}${r}`,
          UserType: 0,
          Version: 1,
          Workload: shape.Workload,
          UserId: `user${r}@contoso-${ti + 1}.onmicrosoft.com`,
          ClientIP: '203.0.113.7',
          ObjectId: `https://contoso.sharepoint.com/doc-${k}-${r}.docx`,
          ResultStatus: 'Succeeded',
        }));
        const stamp = new Date(created).toISOString().replace(/[-:TZ.]/g, '');
        blobs.push({
          meta: {
            tenantId: t.tenantId,
            contentType: ct,
            contentId: `${stamp}$${stamp}$${ct.replace('.', '_').toLowerCase()}$${ti}$${k}`,
            contentCreated: created,
            contentExpiration: created + WEEK,
            recordCount: records.length,
          },
          body: JSON.stringify(records),
          ids,
        });
      }
    });
  });
  return {
    tenants: () => tenants,
    listBlobs: (tenantId, contentType, from, to, at) =>
      blobs
        .filter((b) => b.meta.tenantId === tenantId && b.meta.contentType === contentType && b.meta.contentCreated >= from && b.meta.contentCreated < to && b.meta.contentCreated <= at)
        .sort((a, b) => a.meta.contentCreated - b.meta.contentCreated)
        .map((b) => b.meta),
    blobContent: (tenantId, contentId) => {
      const b = blobs.find((x) => x.meta.tenantId === tenantId && x.meta.contentId === contentId);
      return b ? { meta: b.meta, body: b.body } : null;
    },
    groundTruth: (at, created = { from: -Infinity, to: Infinity }): GroundTruth => {
      const available: GroundTruth['available'] = {};
      for (const b of blobs) {
        if (b.meta.contentCreated > at || b.meta.contentCreated < created.from || b.meta.contentCreated >= created.to) continue;
        const ids = ((available[b.meta.tenantId] ??= {})[b.meta.contentType] ??= []);
        for (const id of b.ids) if (!ids.includes(id)) ids.push(id);
      }
      return { scenarios: [], available };
    },
    scenarioNames: () => [],
    inject: (name) => {
      throw new AppError('unknown_scenario', `The CLI test source has no scenario "${name}".`);
    },
    uniqueIds: () => new Set(blobs.flatMap((b) => b.ids)),
  };
}
