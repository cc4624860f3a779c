// Hand-built state records for the state-port conformance suite, hostile text included: the store must
// keep whatever the alerts, detection and reports parts hand it, byte for byte.

import type { AlertRecord, NewOutboxRow } from '../types.js';
import { BASE_TIME } from './rows.js';

export { BASE_TIME };
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** Text an attacker controls (a user name, a file name) that must round-trip unchanged. */
export const HOSTILE = ["quote ' \" `; DROP TABLE alerts; --", 'line\r\nbreak\ttab', 'nul\u0000byte', 'emoji 🛡️ ü', '<script>x</script>', '\u202eevil\u2028', '\uffff marker'];

export function makeAlert(n: number, overrides: Partial<AlertRecord> = {}): AlertRecord {
  const at = BASE_TIME + n * MINUTE;
  return {
    id: `alert-${String(n).padStart(4, '0')}`,
    ruleId: 'rule-a',
    title: `Brute force against user${n}`,
    severity: 'high',
    severityRank: 3,
    tags: ['attack.credential_access', 'attack.t1110'],
    tenantId: 'tenant-a',
    groupKey: `user${n}@contoso.com`,
    groupHash: `hash-${n}`,
    entities: { user: [`user${n}@contoso.com`], ip: ['203.0.113.7', '2001:db8::1'] },
    firstSeen: at,
    lastSeen: at + MINUTE,
    count: 3,
    evidence: [`rec-${n}-1`, `rec-${n}-2`],
    evidenceTotal: 2,
    status: 'new',
    assignee: null,
    revision: 1,
    suppressedBy: null,
    createdAt: at + 2 * MINUTE,
    updatedAt: at + 2 * MINUTE,
    ...overrides,
  };
}

export function outboxRow(alertId: string, destination: string, revision = 1, at = BASE_TIME): NewOutboxRow {
  return { alertId, destination, revision, idempotencyKey: `${alertId}:${destination}:${revision}`, payload: JSON.stringify({ alertId, revision, text: 'a "payload" \u0000' }), at };
}
