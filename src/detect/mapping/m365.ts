// Sigma's `product: m365` taxonomy onto the unified audit log, as data: which records each log-source
// service covers, and how the taxonomy's generic field names (eventSource, eventName, status) map to
// raw record fields, with value mappings where the taxonomy's words differ from the log's.
// SigmaHQ's rules/cloud/m365 use: service audit (raw names: Operation, Parameters, …), exchange and
// threat_management / threat_detection (eventSource / eventName / status on Cloud App Security alerts,
// which the unified audit log carries as SecurityComplianceAlerts records whose `Name` is the alert).

export const M365_PRODUCTS = ['m365', 'microsoft365', 'office365'] as const;

export interface ServiceMapping {
  /** Raw-field conditions (field → accepted values, case-insensitive) every record of the service meets. */
  filter: Record<string, string[]>;
  /** Taxonomy field → raw field, for this service. */
  fields: Record<string, string>;
}

const GENERIC_FIELDS: Record<string, string> = {
  eventSource: 'Workload',
  eventName: 'Operation',
  status: 'ResultStatus',
  // SigmaHQ's exchange rules search a cmdlet's parameters as the Name/Value array's JSON text.
  eventData: 'raw.Parameters',
};

/** Taxonomy fields whose value is JSON text (matched as JSON spells it, whatever the spacing a rule copied). */
export const JSON_TEXT_FIELDS: readonly string[] = ['eventData'];

const ALERT_FIELDS: Record<string, string> = {
  eventSource: 'Workload',
  eventName: 'Name',
  status: 'ResultStatus',
};

export const M365_SERVICES: Record<string, ServiceMapping> = {
  audit: { filter: {}, fields: GENERIC_FIELDS },
  exchange: { filter: { Workload: ['Exchange'] }, fields: GENERIC_FIELDS },
  threat_management: { filter: { Workload: ['SecurityComplianceCenter'] }, fields: ALERT_FIELDS },
  threat_detection: { filter: { Workload: ['SecurityComplianceCenter'] }, fields: ALERT_FIELDS },
  azuread: { filter: { Workload: ['AzureActiveDirectory'] }, fields: GENERIC_FIELDS },
  sharepoint: { filter: { Workload: ['SharePoint', 'OneDrive'] }, fields: GENERIC_FIELDS },
};

/** The service when a rule names none: every record. */
export const DEFAULT_SERVICE: ServiceMapping = { filter: {}, fields: GENERIC_FIELDS };

/**
 * Taxonomy values that differ from the log's: `status: success` must match every spelling the unified
 * audit log uses for success (ual-schema.md §5.6; Exchange admin cmdlets say "True").
 */
const STATUS_SPELLINGS: Record<string, string[]> = {
  success: ['Succeeded', 'Success', 'True', 'PartiallySucceeded'],
  succeeded: ['Succeeded', 'Success', 'True', 'PartiallySucceeded'],
  failure: ['Failed', 'Failure', 'False'],
  failed: ['Failed', 'Failure', 'False'],
};

/**
 * Also the raw `ResultStatus`, as community rules write it: `ResultStatus: Success` matches "Succeeded"
 * too (and `Failed` matches "Failure" and Exchange's "False"); other values compare as written.
 */
export const VALUE_MAPPINGS: Record<string, Record<string, string[]>> = {
  status: STATUS_SPELLINGS,
  ResultStatus: STATUS_SPELLINGS,
};
