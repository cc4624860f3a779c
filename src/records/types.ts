// The audit-record model: what a normalised record looks like once it leaves the normaliser.
// This row shape is the contract between records/, store/ and detect/; the store keeps it as the
// `events` table (snake_case columns, documented in the README).

/** The five content types of the Management Activity API. */
export const CONTENT_TYPES = [
  'Audit.AzureActiveDirectory',
  'Audit.Exchange',
  'Audit.SharePoint',
  'Audit.General',
  'DLP.All',
] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export function isContentType(value: string): value is ContentType {
  return (CONTENT_TYPES as readonly string[]).includes(value);
}

/** A ModifiedProperties entry, flattened. */
export interface ModifiedValue {
  oldValue: string | null;
  newValue: string | null;
}

/** One normalised audit record. Times are epoch milliseconds UTC. Absent values are null. */
export interface EventRow {
  /** The record's Id (GUID, lower-cased). With tenantId, the de-duplication key. */
  id: string;
  /** The tenant the record was collected for (OrganizationId when the source does not say). */
  tenantId: string;
  creationTime: number;
  recordType: number;
  /** RecordType name from record-types.tsv, or "Unknown(N)". */
  recordTypeName: string;
  operation: string;
  workload: string;
  organizationId: string;
  userId: string;
  userKey: string;
  userType: number | null;
  userTypeName: string | null;
  /** Normalised client IP (no port, no brackets, IPv4-mapped unwrapped); null when absent or not an IP. */
  clientIp: string | null;
  /** The client IP exactly as the record gave it. */
  clientIpRaw: string | null;
  resultStatus: string | null;
  objectId: string | null;
  // Family fields worth a column.
  applicationId: string | null;
  errorNumber: string | null;
  logonError: string | null;
  userAgent: string | null;
  requestType: string | null;
  siteUrl: string | null;
  fileName: string | null;
  fileExtension: string | null;
  mailboxOwnerUpn: string | null;
  mailboxGuid: string | null;
  logonType: number | null;
  /** Name/Value arrays as maps (the first value of a repeated name wins; the raw JSON keeps all). */
  parameters: Record<string, string>;
  extendedProperties: Record<string, string>;
  operationProperties: Record<string, string>;
  deviceProperties: Record<string, string>;
  modifiedProperties: Record<string, ModifiedValue>;
  /** Enrichment of clientIp at ingest (records/enrich); null when unknown or not enriched. */
  country: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  asn: number | null;
  asOrg: string | null;
  /** The raw record, whole, as JSON text. */
  raw: string;
}

/** Where a record came from: a content blob, or an import. */
export interface RecordSource {
  tenantId: string;
  contentType: string | null;
  /** contentId of the blob, or "import:<file>". */
  sourceId: string;
}

/** Why the normaliser refused a record; the record goes to the dead-letter table with this reason. */
export interface Rejection {
  reason: string;
  /** The input as text (bounded), so nothing is lost. */
  raw: string;
  /**
   * What tells this rejection apart from others of the same source in the dead-letter table, when raw
   * alone does not (raw cut at its bound; the same text on two lines of an import). Default: raw.
   */
  key?: string;
}

export type NormalizeResult = { ok: true; row: EventRow } | { ok: false; rejection: Rejection };
