// The table of built-in reports. Adding a report is one entry here (and its definition beside this file).

import { AppError } from '../../core/index.js';
import type { ReportDefinition } from '../types.js';
import { adminActivity, privilegedRoleChanges } from './admin.js';
import { collectionCompleteness } from './collection.js';
import { mailboxSelfGrants, mailForwarding } from './mailbox.js';
import { accessDenied, externalSharing } from './sharepoint.js';
import { failedSignins, signinsByCountry } from './signins.js';

export const REPORTS: readonly ReportDefinition[] = [
  mailboxSelfGrants,
  failedSignins,
  accessDenied,
  adminActivity,
  externalSharing,
  mailForwarding,
  privilegedRoleChanges,
  signinsByCountry,
  collectionCompleteness,
];

export function findReport(name: string): ReportDefinition {
  const def = REPORTS.find((r) => r.name === name);
  if (!def) {
    throw new AppError('report_unknown', `No report "${name.slice(0, 80)}"; use one of: ${REPORTS.map((r) => r.name).join(', ')} (auditwatch report list).`);
  }
  return def;
}

export { ACCESS_DENIED_OPERATIONS } from './sharepoint.js';
export { selfGrantPredicate } from './mailbox.js';
