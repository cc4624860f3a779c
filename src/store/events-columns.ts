// The `events` table's columns, once: name, portable type and how each is read from an EventRow.
// Both engines build their DDL and their bulk loaders from this list, so the column order never drifts.

import type { EventRow } from '../records/index.js';

export type ColumnType = 'text' | 'int' | 'bigint' | 'double' | 'timestamp' | 'json';
// 'int' columns are stored as BIGINT as well: audit data is hostile and a 32-bit overflow must not fail a batch.

export interface EventColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** The value for a row; timestamps are epoch milliseconds, json columns are JSON text. */
  get(row: EventRow, source: EventSourceFields): string | number | null;
}

/** What the store adds to a normalised record: where it came from and when it was stored. */
export interface EventSourceFields {
  contentType: string | null;
  sourceId: string;
  ingestedAt: number;
}

const col = (name: string, type: ColumnType, nullable: boolean, get: EventColumn['get']): EventColumn => ({ name, type, nullable, get });

export const EVENT_COLUMNS: readonly EventColumn[] = [
  col('id', 'text', false, (r) => r.id),
  col('tenant_id', 'text', false, (r) => r.tenantId),
  col('creation_time', 'timestamp', false, (r) => r.creationTime),
  col('record_type', 'int', false, (r) => r.recordType),
  col('record_type_name', 'text', false, (r) => r.recordTypeName),
  col('operation', 'text', false, (r) => r.operation),
  col('workload', 'text', false, (r) => r.workload),
  col('organization_id', 'text', false, (r) => r.organizationId),
  col('user_id', 'text', false, (r) => r.userId),
  col('user_key', 'text', false, (r) => r.userKey),
  col('user_type', 'int', true, (r) => r.userType),
  col('user_type_name', 'text', true, (r) => r.userTypeName),
  col('client_ip', 'text', true, (r) => r.clientIp),
  col('client_ip_raw', 'text', true, (r) => r.clientIpRaw),
  col('result_status', 'text', true, (r) => r.resultStatus),
  col('object_id', 'text', true, (r) => r.objectId),
  col('application_id', 'text', true, (r) => r.applicationId),
  col('error_number', 'text', true, (r) => r.errorNumber),
  col('logon_error', 'text', true, (r) => r.logonError),
  col('user_agent', 'text', true, (r) => r.userAgent),
  col('request_type', 'text', true, (r) => r.requestType),
  col('site_url', 'text', true, (r) => r.siteUrl),
  col('file_name', 'text', true, (r) => r.fileName),
  col('file_extension', 'text', true, (r) => r.fileExtension),
  col('mailbox_owner_upn', 'text', true, (r) => r.mailboxOwnerUpn),
  col('mailbox_guid', 'text', true, (r) => r.mailboxGuid),
  col('logon_type', 'int', true, (r) => r.logonType),
  col('parameters', 'json', false, (r) => jsonMap(r.parameters)),
  col('extended_properties', 'json', false, (r) => jsonMap(r.extendedProperties)),
  col('operation_properties', 'json', false, (r) => jsonMap(r.operationProperties)),
  col('device_properties', 'json', false, (r) => jsonMap(r.deviceProperties)),
  col('modified_properties', 'json', false, (r) => jsonMap(r.modifiedProperties)),
  col('country', 'text', true, (r) => r.country),
  col('city', 'text', true, (r) => r.city),
  col('latitude', 'double', true, (r) => r.latitude),
  col('longitude', 'double', true, (r) => r.longitude),
  col('asn', 'bigint', true, (r) => r.asn),
  col('as_org', 'text', true, (r) => r.asOrg),
  col('raw', 'text', false, (r) => r.raw),
  col('content_type', 'text', true, (_r, s) => s.contentType),
  col('source_id', 'text', false, (_r, s) => s.sourceId),
  col('ingested_at', 'timestamp', false, (_r, s) => s.ingestedAt),
];

function jsonMap(map: object | null | undefined): string {
  if (!map) return '{}';
  for (const _ in map) return JSON.stringify(map);
  return '{}';
}
