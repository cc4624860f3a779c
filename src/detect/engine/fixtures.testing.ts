// Records for the engine's tests: a normalised failed sign-in (or any record, through `extra`), with a
// unique Id per call.

import assert from 'node:assert/strict';
import { normalize, type EventRow } from '../../records/index.js';

let idSeq = 0;

export function signInRecord(tenant: string, at: number, user = 'victim@contoso.com', extra: Record<string, unknown> = {}): EventRow {
  const res = normalize(
    {
      Id: `00000000-0000-4000-8000-${String(++idSeq).padStart(12, '0')}`,
      RecordType: 15,
      CreationTime: new Date(at).toISOString().slice(0, 19),
      Operation: 'UserLoginFailed',
      OrganizationId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd',
      UserType: 0,
      UserKey: '',
      Workload: 'AzureActiveDirectory',
      UserId: user,
      ClientIP: '203.0.113.9',
      ErrorNumber: '50126',
      ...extra,
    },
    { tenantId: tenant, contentType: 'Audit.AzureActiveDirectory', sourceId: 'test' },
  );
  assert.ok(res.ok);
  return res.row;
}

/** The detection rule `failed` (every failed sign-in) that the test correlations count, as rule YAML. */
export const FAILED_SIGNIN_RULE = `title: failed
name: failed
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
`;

/** A brute-force correlation (10 failed sign-ins of one UserId within 5 minutes) and its feeder, as rule YAML. */
export function bruteForceRules(id = 'burst', title = 'Failed sign-ins burst'): string {
  return `title: ${title}
id: ${id}
correlation:
  type: event_count
  rules: [failed]
  group-by: [UserId]
  timespan: 5m
  condition: {gte: 10}
level: high
---
${FAILED_SIGNIN_RULE}`;
}

/** A first-seen rule (a sign-in country new for the user; history 30d, learning 2d) and its feeder, as rule YAML. */
export function newCountryRules(id = 'new-country'): string {
  return `title: Sign-in from a country new for the user
id: ${id}
correlation:
  type: first_seen
  rules: [signed_in]
  group-by: [UserId]
  fields: [ClientIP.Country]
  history: 30d
  learning: 2d
level: medium
---
title: signed in
name: signed_in
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoggedIn}
  condition: s
`;
}
