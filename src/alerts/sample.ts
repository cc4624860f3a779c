// The sample alert `auditwatch notify test` sends: realistic fields, clearly marked as a test.

import type { AlertPayload } from './types.js';

export function sampleAlert(now: number): AlertPayload {
  const t = new Date(now).toISOString();
  return {
    id: `test-${now.toString(36)}`,
    rule: 'auditwatch-test',
    title: 'Test notification from auditwatch (no action needed)',
    severity: 'informational',
    tenant: '00000000-0000-0000-0000-000000000000',
    groupKey: 'sample',
    entities: { users: ['test.user@example.com'], ips: ['192.0.2.10'] },
    tags: ['test'],
    firstSeen: t,
    lastSeen: t,
    count: 1,
    evidence: ['00000000-0000-0000-0000-000000000001'],
    evidenceTotal: 1,
    status: 'new',
    assignee: null,
    revision: 1,
    suppressedBy: null,
  };
}
