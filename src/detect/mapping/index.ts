// mapping: from the names a rule uses (raw record names, or Sigma's m365 taxonomy) to where the store
// keeps the data, and the records a log source covers.

import type { LogSource } from '../sigma/ast.js';
import { resolveRawField, type FieldRef } from './fields.js';
import { DEFAULT_SERVICE, JSON_TEXT_FIELDS, M365_PRODUCTS, M365_SERVICES, VALUE_MAPPINGS, type ServiceMapping } from './m365.js';

export { COLUMN_FIELDS, NAME_VALUE_FIELDS, NAME_VALUE_COLUMNS, RAW_FIELDS, resolveRawField, type FieldRef } from './fields.js';
export { M365_SERVICES, M365_PRODUCTS, VALUE_MAPPINGS, type ServiceMapping } from './m365.js';

export interface MappedField {
  ref: FieldRef;
  /** The raw field name it resolved to. */
  canonical: string;
  /** Taxonomy value → the log's spellings (e.g. status: success → Succeeded, Success, True). */
  values?: Record<string, string[]>;
  /** The value is JSON text (the whole record, eventData): text is also searched as JSON escapes and spaces it. */
  jsonText?: boolean;
}

export type MapResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Log sources of other products that SigmaHQ's cloud rules use, and the data each needs. */
const OTHER_SOURCES: Record<string, string> = {
  'azure/signinlogs': 'Entra ID sign-in logs (Azure Monitor / Microsoft Graph signIns)',
  'azure/auditlogs': 'Entra ID audit logs (Azure Monitor / Microsoft Graph directoryAudits)',
  'azure/activitylogs': 'Azure activity logs (Azure Resource Manager)',
  'azure/riskdetection': 'Entra ID Protection risk detections (Microsoft Graph)',
  'azure/pim': 'Entra ID Privileged Identity Management logs',
  azure: 'Azure logs (Azure Monitor)',
  aws: 'AWS CloudTrail logs',
  gcp: 'Google Cloud audit logs',
  okta: 'Okta system logs',
  github: 'GitHub audit logs',
  google_workspace: 'Google Workspace audit logs',
};

/** The service mapping of a rule's log source, or why the log source is not the unified audit log. */
export function serviceOf(logsource: LogSource): MapResult<ServiceMapping> {
  const product = logsource.product?.toLowerCase() ?? null;
  if (product !== null && !(M365_PRODUCTS as readonly string[]).includes(product)) {
    const needs = OTHER_SOURCES[`${product}/${logsource.service?.toLowerCase() ?? ''}`] ?? OTHER_SOURCES[product];
    if (needs) return { ok: false, error: `this rule reads ${needs}, which the Office 365 Management Activity API does not deliver; auditwatch reads the unified audit log (product: m365), so run this rule where that data is, or rewrite it for product: m365` };
    return { ok: false, error: `product "${logsource.product}" is not the Microsoft 365 unified audit log; use product: m365` };
  }
  // SigmaHQ's older form: `category: ThreatManagement, service: m365` names the product as the service.
  if (product === null && logsource.category !== null && logsource.service !== null && (M365_PRODUCTS as readonly string[]).includes(logsource.service.toLowerCase())) {
    const key = Object.keys(M365_SERVICES).find((k) => k.replace(/_/g, '') === logsource.category!.toLowerCase().replace(/[_\s-]/g, ''));
    if (key) return { ok: true, value: M365_SERVICES[key]! };
    return { ok: false, error: `category "${logsource.category}" has no mapping; use product: m365 with service: ${Object.keys(M365_SERVICES).join(' | ')}` };
  }
  if (logsource.category !== null && logsource.service === null) {
    return { ok: false, error: `category "${logsource.category}" has no mapping; use service: ${Object.keys(M365_SERVICES).join(' | ')}` };
  }
  if (logsource.service === null) return { ok: true, value: DEFAULT_SERVICE };
  const service = M365_SERVICES[logsource.service.toLowerCase()];
  if (!service) return { ok: false, error: `service "${logsource.service}" is unknown; use one of ${Object.keys(M365_SERVICES).join(', ')}` };
  return { ok: true, value: service };
}

/** Maps a rule's field name through the service's taxonomy, then to the store. */
export function mapField(service: ServiceMapping, name: string): MapResult<MappedField> {
  const taxonomy = service.fields[name];
  const raw = taxonomy ?? name;
  const res = resolveRawField(raw);
  if (!res.ok) return { ok: false, error: res.error };
  const values = taxonomy ? VALUE_MAPPINGS[name] : VALUE_MAPPINGS[res.canonical];
  const jsonText = res.ref.kind === 'record' || (taxonomy !== undefined && JSON_TEXT_FIELDS.includes(name));
  return { ok: true, value: { ref: res.ref, canonical: res.canonical, ...(values ? { values } : {}), ...(jsonText ? { jsonText } : {}) } };
}
