// Hand-built EventRows and blob commits for store tests (the normaliser is not involved on purpose:
// the store must keep whatever a valid EventRow holds, hostile text included).

import type { EventRow } from '../../records/index.js';
import type { BlobCommit } from '../types.js';

export const BASE_TIME = Date.UTC(2026, 0, 5, 12, 0, 0);

/** A complete EventRow; `n` varies id, time and user. */
export function makeEventRow(n: number, overrides: Partial<EventRow> = {}): EventRow {
  const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const tenantId = overrides.tenantId ?? 'tenant-a';
  const creationTime = BASE_TIME + n * 1000;
  return {
    id,
    tenantId,
    creationTime,
    recordType: 15,
    recordTypeName: 'AzureActiveDirectoryStsLogon',
    operation: n % 2 === 0 ? 'UserLoggedIn' : 'UserLoginFailed',
    workload: 'AzureActiveDirectory',
    organizationId: tenantId,
    userId: `user${n}@contoso.com`,
    userKey: `key-${n}`,
    userType: 0,
    userTypeName: 'Regular',
    clientIp: '203.0.113.7',
    clientIpRaw: '203.0.113.7:443',
    resultStatus: 'Success',
    objectId: null,
    applicationId: null,
    errorNumber: n % 2 === 0 ? null : '50126',
    logonError: null,
    userAgent: 'Mozilla/5.0',
    requestType: null,
    siteUrl: null,
    fileName: null,
    fileExtension: null,
    mailboxOwnerUpn: null,
    mailboxGuid: null,
    logonType: null,
    parameters: {},
    extendedProperties: {},
    operationProperties: {},
    deviceProperties: {},
    modifiedProperties: {},
    country: null,
    city: null,
    latitude: null,
    longitude: null,
    asn: null,
    asOrg: null,
    raw: JSON.stringify({ Id: id, CreationTime: new Date(creationTime).toISOString().slice(0, 19), Operation: 'UserLoggedIn' }),
    ...overrides,
  };
}

export function makeBlob(contentId: string, rows: EventRow[], options: Partial<Omit<BlobCommit, 'blob' | 'rows'>> & { tenantId?: string; contentType?: string; contentCreated?: number } = {}): BlobCommit {
  const created = options.contentCreated ?? BASE_TIME;
  return {
    blob: {
      tenantId: options.tenantId ?? rows[0]?.tenantId ?? 'tenant-a',
      contentType: options.contentType ?? 'Audit.AzureActiveDirectory',
      contentId,
      contentUri: `https://manage.example.invalid/api/v1.0/t/activity/feed/audit/${contentId}`,
      contentCreated: created,
      contentExpiration: created + 7 * 86_400_000,
    },
    rows,
    rejects: options.rejects ?? [],
    ingestedAt: options.ingestedAt ?? BASE_TIME + 3_600_000,
  };
}
