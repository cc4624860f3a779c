// Community rules as SigmaHQ writes them, run on a real DuckDB file: bare Name/Value keys (RequestType),
// the Name/Value array's own Name and Value (Parameters.Name: ForwardTo), keywords (plain, |all, with
// characters JSON escapes) and the whole record (Payload, raw). Each rule has a record it must match and
// a look-alike it must not.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock, silentLogger } from '../../core/index.js';
import { normalize, type EventRow } from '../../records/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { createDetector } from './detector.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
let dir: string;
let store: Store;
let seq = 0;

function record(fields: Record<string, unknown>): EventRow {
  const res = normalize(
    {
      Id: `22222222-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
      RecordType: 1,
      CreationTime: new Date(T0 + seq * 1000).toISOString().slice(0, 19),
      OrganizationId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd',
      UserType: 0,
      UserKey: 'k',
      UserId: 'user@contoso.com',
      ClientIP: '203.0.113.9',
      ...fields,
    },
    { tenantId: 't', contentType: 'Audit.General', sourceId: 'test' },
  );
  assert.ok(res.ok);
  return res.row;
}

/** Each rule id → a record it must match (first) and one it must not (second). */
const CASES: Record<string, [EventRow, EventRow]> = {
  // SigmaHQ microsoft365_bypass_conditional_access: RequestType written bare, ResultStatus 'Success'.
  bare_extended: [
    record({ Operation: 'UserLoggedIn', RecordType: 15, Workload: 'AzureActiveDirectory', ApplicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223', ResultStatus: 'Succeeded', ExtendedProperties: [{ Name: 'RequestType', Value: 'Cmsi:Cmsi' }] }),
    record({ Operation: 'UserLoggedIn', RecordType: 15, Workload: 'AzureActiveDirectory', ApplicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223', ResultStatus: 'Succeeded', ExtendedProperties: [{ Name: 'RequestType', Value: 'OAuth2:Authorize' }] }),
  ],
  // A Parameters key written bare.
  bare_parameter: [
    record({ Operation: 'Set-Mailbox', Workload: 'Exchange', Parameters: [{ Name: 'Identity', Value: 'ceo' }, { Name: 'ForwardingSmtpAddress', Value: 'smtp:drop@evil.example' }] }),
    record({ Operation: 'Set-Mailbox', Workload: 'Exchange', Parameters: [{ Name: 'Identity', Value: 'ceo' }, { Name: 'ProhibitSendQuota', Value: 'evil.example' }] }),
  ],
  // A ModifiedProperties name written bare: its new value.
  bare_modified: [
    record({ Operation: 'Update user.', RecordType: 8, Workload: 'AzureActiveDirectory', ModifiedProperties: [{ Name: 'StrongAuthenticationRequirement', OldValue: '[{"State":1}]', NewValue: '[]' }] }),
    record({ Operation: 'Update user.', RecordType: 8, Workload: 'AzureActiveDirectory', ModifiedProperties: [{ Name: 'StrongAuthenticationRequirement', OldValue: '[]', NewValue: '[{"State":1}]' }] }),
  ],
  // SigmaHQ microsoft365_email_forwarding_rule_exchange: Parameters.Name is a parameter's name.
  nv_name: [
    record({ Operation: 'New-InboxRule', Workload: 'Exchange', Parameters: [{ Name: 'Name', Value: 'x' }, { Name: 'ForwardTo', Value: 'drop@evil.example' }] }),
    record({ Operation: 'New-InboxRule', Workload: 'Exchange', Parameters: [{ Name: 'Name', Value: 'Newsletters' }, { Name: 'MoveToFolder', Value: 'News' }] }),
  ],
  // SigmaHQ microsoft365_susp_mail_forwarding_o365auditlogs: OperationProperties.Value is a member's value.
  nv_value: [
    record({ Operation: 'UpdateInboxRules', Workload: 'Exchange', OperationProperties: [{ Name: 'RuleOperation', Value: 'AddMailboxRule' }, { Name: 'RuleActions', Value: '[{"ActionType":"Forward","Recipients":["drop@evil.example"]}]' }] }),
    record({ Operation: 'UpdateInboxRules', Workload: 'Exchange', OperationProperties: [{ Name: 'RuleOperation', Value: 'AddMailboxRule' }, { Name: 'RuleActions', Value: '[{"ActionType":"MoveToFolder"}]' }] }),
  ],
  // ModifiedProperties.Name / .NewValue: any property.
  mp_members: [
    record({ Operation: 'Set federation settings on domain.', RecordType: 8, Workload: 'AzureActiveDirectory', ModifiedProperties: [{ Name: 'IssuerUri', OldValue: '', NewValue: 'http://any.sts/evil' }] }),
    record({ Operation: 'Set federation settings on domain.', RecordType: 8, Workload: 'AzureActiveDirectory', ModifiedProperties: [{ Name: 'LiveType', OldValue: '', NewValue: 'http://any.sts/evil' }] }),
  ],
  // Plain keywords: a case-insensitive search of the whole record.
  keywords: [
    record({ Operation: 'New-ComplianceSearchAction', Workload: 'Exchange', Parameters: [{ Name: 'Format', Value: 'FxStream' }, { Name: 'Export', Value: 'True' }] }),
    record({ Operation: 'New-ComplianceSearch', Workload: 'Exchange', Parameters: [{ Name: 'Name', Value: 'hold' }] }),
  ],
  // '|all': every keyword; one with quotes, found although the record's JSON escapes them.
  keywords_all: [
    record({ Operation: 'New-InboxRule', Workload: 'Exchange', Parameters: [{ Name: 'SubjectContainsWords', Value: 'say "invoice" now' }] }),
    record({ Operation: 'New-InboxRule', Workload: 'Exchange', Parameters: [{ Name: 'SubjectContainsWords', Value: 'say invoice now' }] }),
  ],
  // SigmaHQ microsoft365_pst_export_alert_when_policy_is_disabled: Payload|contains|all.
  payload: [
    record({ Operation: 'AlertTriggered', RecordType: 40, Workload: 'SecurityComplianceCenter', UserId: 'SecurityComplianceAlerts', Name: 'eDiscovery search started or exported', Data: '{"cmd":"New-ComplianceSearchAction -Export -Format Pst"}' }),
    record({ Operation: 'AlertTriggered', RecordType: 40, Workload: 'SecurityComplianceCenter', UserId: 'SecurityComplianceAlerts', Name: 'eDiscovery search started or exported', Data: '{"cmd":"New-ComplianceSearchAction -Purge"}' }),
  ],
  // raw without a path: the whole record too.
  raw_whole: [
    record({ Operation: 'FileDownloaded', Workload: 'SharePoint', SourceFileName: 'passwords.kdbx' }),
    record({ Operation: 'FileDownloaded', Workload: 'SharePoint', SourceFileName: 'budget.xlsx' }),
  ],
  // Elastic's o365 module names (o365.audit.X) and ECS user.email, as one SigmaHQ rule writes them.
  foreign_names: [
    record({ Operation: 'MessageSent', Workload: 'MicrosoftTeams', UserId: 'guest@fabrikam.onmicrosoft.com', MessageURLs: ['https://x.example/setup.exe'] }),
    record({ Operation: 'MessageSent', Workload: 'MicrosoftTeams', UserId: 'bob@contoso.com', MessageURLs: ['https://x.example/setup.exe'] }),
  ],
};

const RULES = `title: Bypass CA (SigmaHQ shape)
id: bare_extended
logsource: {service: audit, product: m365}
detection:
  selection:
    Operation: 'UserLoggedIn'
    ApplicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223'
    ResultStatus: 'Success'
    RequestType: 'Cmsi:Cmsi'
  condition: selection
---
title: Bare parameter
id: bare_parameter
logsource: {product: m365, service: exchange}
detection:
  s:
    Operation: Set-Mailbox
    ForwardingSmtpAddress|contains: evil.example
  condition: s
---
title: Bare modified property
id: bare_modified
logsource: {product: m365, service: audit}
detection:
  s:
    Operation: Update user.
    StrongAuthenticationRequirement: '[]'
  condition: s
---
title: Forwarding rule (SigmaHQ shape)
id: nv_name
logsource: {service: exchange, product: m365}
detection:
  selection:
    Operation: ['New-InboxRule', 'Set-InboxRule']
    Parameters.Name: ['ForwardAsAttachmentTo', 'ForwardTo', 'RedirectTo']
  condition: selection
---
title: Forwarding via OWA (SigmaHQ shape)
id: nv_value
logsource: {product: m365, service: audit}
detection:
  selection1:
    Operation|contains: 'UpdateInboxRules'
    OperationProperties.Value|contains: ['Forward', 'Recipients']
  condition: selection1
---
title: Federation issuer changed
id: mp_members
logsource: {product: m365, service: audit}
detection:
  s:
    ModifiedProperties.Name: IssuerUri
    ModifiedProperties.NewValue|contains: sts
  condition: s
---
title: Keywords
id: keywords
logsource: {product: m365, service: audit}
detection:
  keywords:
    - 'new-compliancesearchaction'
    - 'Nothing-Like-This'
  condition: keywords
---
title: Keywords all
id: keywords_all
logsource: {product: m365, service: audit}
detection:
  kw:
    '|all':
      - 'New-InboxRule'
      - 'say "invoice"'
  condition: kw
---
title: PST export (SigmaHQ shape)
id: payload
logsource: {service: threat_management, product: m365}
detection:
  selection:
    eventSource: SecurityComplianceCenter
    Payload|contains|all: ['New-ComplianceSearchAction', 'Export', 'pst']
  condition: selection
---
title: Whole record
id: raw_whole
logsource: {product: m365, service: audit}
detection:
  s:
    raw|contains: '.kdbx'
  condition: s
---
title: Teams guest (SigmaHQ shape)
id: foreign_names
logsource: {product: m365, service: audit}
detection:
  selection_domain:
    user.email: '*@*.onmicrosoft.com'
  selection_extensions:
    o365.audit.MessageURLs|contains: '.exe'
  condition: selection_domain and selection_extensions
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-community-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
  const rows = Object.values(CASES).flat();
  await store.importRecords({ tenantId: 't', sourceId: 'import:test', rows, rejects: [], ingestedAt: T0 + 3_600_000 });
});

after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('community rules as written compile and match exactly their record, not its look-alike', async () => {
  const parsed = parseRuleText(RULES, 'community.yml');
  assert.deepEqual(parsed.errors.map((e) => e.display()), []);
  const det = createDetector({ store, clock: new ManualClock(T0 + 7_200_000), logger: silentLogger, rules: parsed.rules });
  assert.deepEqual(det.failures().map((f) => `${f.location}: ${f.message}`), []);
  const hits = await det.hunt({ from: T0 - 3_600_000, to: T0 + 3_600_000 });
  const byRule = new Map<string, string[]>();
  for (const h of hits) byRule.set(h.ruleId, [...(byRule.get(h.ruleId) ?? []), ...h.evidence]);
  for (const [id, [match, lookAlike]] of Object.entries(CASES)) {
    const ids = byRule.get(id) ?? [];
    assert.ok(ids.includes(match.id), `${id} matches its record`);
    assert.ok(!ids.includes(lookAlike.id), `${id} does not match the look-alike`);
  }
});
