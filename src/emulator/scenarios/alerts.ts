// Built-in Security & Compliance alerts (RecordType 40, ual-schema.md §4.8) that Microsoft 365 raises
// about an attack: an AlertTriggered record (actor: the pseudo-user SecurityComplianceAlerts, the
// affected user in `Data`) and its AlertEntityGenerated record naming the user entity, a few minutes
// after the activity. Attack scenarios add them to their own records, so they are ground truth; the
// names are the ones Microsoft's default policies and Defender for Cloud Apps use, which SigmaHQ's
// m365 threat_management rules match.

import { alertRecord } from '../tenant/records.js';
import type { ScenarioRun } from './context.js';

const GEN = 'Audit.General' as const;
const MIN = 60_000;

export interface BuiltinAlert {
  name: string;
  severity: 'Informational' | 'Low' | 'Medium' | 'High';
  category: string;
  /** `Office 365 Security & Compliance` or `Cloud App Security`. */
  source?: string;
  /** The operation and workload the policy watched (Data's `op` and `wl`). */
  op: string;
  workload: string;
}

/** Adds the alert about `user` at `at` plus a delay (the policy's processing time): trigger and user entity. */
export function raiseBuiltinAlert(s: ScenarioRun, at: number, user: string, alert: BuiltinAlert): void {
  const when = at + s.rng.int(3, 9) * MIN;
  const trigger = s.add(GEN, when, (c) => {
    const r = alertRecord(c, alert.name, alert.severity, alert.category, user, alert.op, alert.workload);
    if (alert.source) r.Source = alert.source;
    return r;
  });
  s.add(GEN, when + 2_000, (c) => {
    const r = alertRecord(c, alert.name, alert.severity, alert.category, user, alert.op, alert.workload);
    r.Operation = 'AlertEntityGenerated';
    r.AlertId = trigger.AlertId;
    r.ObjectId = trigger.AlertId;
    r.PolicyId = trigger.PolicyId;
    r.EntityType = 'User';
    r.AlertEntityId = user;
    if (alert.source) r.Source = alert.source;
    return r;
  });
}

export const SUSPICIOUS_INBOX_FORWARDING: BuiltinAlert = { name: 'Suspicious inbox forwarding', severity: 'Medium', category: 'ThreatManagement', source: 'Cloud App Security', op: 'New-InboxRule', workload: 'Exchange' };
export const SUSPICIOUS_EMAIL_FORWARDING: BuiltinAlert = { name: 'Suspicious email forwarding activity', severity: 'High', category: 'ThreatManagement', op: 'Set-Mailbox', workload: 'Exchange' };
export const IMPOSSIBLE_TRAVEL: BuiltinAlert = { name: 'Impossible travel activity', severity: 'Medium', category: 'ThreatManagement', source: 'Cloud App Security', op: 'UserLoggedIn', workload: 'AzureActiveDirectory' };
export const EDISCOVERY_EXPORT: BuiltinAlert = { name: 'eDiscovery search started or exported', severity: 'Medium', category: 'ThreatManagement', op: 'New-ComplianceSearchAction', workload: 'SecurityComplianceCenter' };
export const UNUSUAL_EXTERNAL_FILE_ACTIVITY: BuiltinAlert = { name: 'Unusual external user file activity', severity: 'Low', category: 'ThreatManagement', source: 'Cloud App Security', op: 'AnonymousLinkCreated', workload: 'SharePoint' };
export const EXCHANGE_ADMIN_ELEVATION: BuiltinAlert = { name: 'Elevation of Exchange admin privilege', severity: 'Low', category: 'AccessGovernance', op: 'Add-MailboxPermission', workload: 'Exchange' };
export const ANONYMOUS_IP_ACTIVITY: BuiltinAlert = { name: 'Activity from anonymous IP addresses', severity: 'Informational', category: 'ThreatManagement', source: 'Cloud App Security', op: 'UserLoggedIn', workload: 'AzureActiveDirectory' };
