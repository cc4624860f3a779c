// The README's advice, tried as a new user would: point detect.ruleDirs at a copy of SigmaHQ's
// rules/cloud/m365 folder. The fixture below reproduces the shapes of SigmaHQ's m365 rules (their
// sub-folders, log sources old and new, bare Name/Value keys, Parameters.Name, eventName/eventData,
// Payload, status values, o365.audit.* names, an |expand placeholder, the id of a rule the built-in pack
// also carries) plus one Entra ID sign-in rule from rules/cloud/azure. validate and detect load them,
// run every rule that reads the unified audit log, and name each refused one with its reason.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './cli.testing.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'auditwatch-sigmahq-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FOLDER: Record<string, string> = {
  'audit/microsoft365_bypass_conditional_access.yml': `title: Azure Login Bypassing Conditional Access Policies
id: 13f2d3f5-6497-44a7-bf5f-dc13ffafe5dc
status: experimental
logsource:
    service: audit
    product: m365
detection:
    selection:
        Operation: 'UserLoggedIn'
        ApplicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223'
        ResultStatus: 'Success'
        RequestType: 'Cmsi:Cmsi'
    filter_main_objectid:
        ObjectId: '0000000a-0000-0000-c000-000000000000'
    condition: selection and not 1 of filter_main_*
level: high
`,
  // The same id as the pack's copy of it (rules/sigmahq_microsoft365_disabling_mfa.yml).
  'audit/microsoft365_disabling_mfa.yml': `title: Disabling Multi Factor Authentication
id: 60de9b57-dc4d-48b9-a6a0-b39e0469f876
status: experimental
logsource:
    service: audit
    product: m365
detection:
    selection:
        Operation|contains: 'Disable Strong Authentication.'
    condition: selection
level: high
`,
  'audit/microsoft365_malicious_url_blocked.yml': `title: Microsoft Defender for Office365 Malicious URL Blocked
id: 33130063-1adc-4767-be31-a85e21e14a58
status: experimental
logsource:
    service: audit
    product: m365
detection:
    selection:
        Workload: 'ThreatIntelligence'
        Operation: 'TIUrlClickData'
        UrlClickAction:
            - 2
            - 3
    condition: selection
level: medium
`,
  'audit/microsoft365_teams_guest_rmm_deployment.yml': `title: Potential Malicious Guest Accounts and RMM Tool Deployment via Teams
id: aed9c24f-097a-4505-af85-74b4b83982b0
status: experimental
logsource:
    product: m365
    service: audit
detection:
    selection_domain:
        user.email: '*@*.onmicrosoft.com'
    selection_extensions:
        o365.audit.MessageURLs|endswith:
            - .exe
            - .msi
    selection_rmm:
        o365.audit.MessageURLs:
            - anydesk.com
    condition: selection_domain and (selection_extensions or selection_rmm)
level: high
`,
  // |expand needs placeholder values the user defines: refused, with that reason.
  'audit/m365_audit_inbox_rule_external_forward.yml': `title: Suspicious Inbox Forwarding Rule Created Post-AiTM Session Hijack
id: 7dbc984c-fc0d-4b24-828f-d9a530cd2d81
status: experimental
logsource:
    product: m365
    service: audit
detection:
    selection_operation:
        Operation:
            - 'New-InboxRule'
            - 'Set-InboxRule'
    selection_suspicious_action:
        Parameters|contains:
            - 'ForwardTo'
            - 'RedirectTo'
    filter_internal_forward:
        Parameters|contains|expand: '%internal_domains%'
    condition: selection_operation and selection_suspicious_action and not filter_internal_forward
level: high
`,
  'exchange/microsoft365_email_forwarding_rule_exchange.yml': `title: Email Forwarding Rule - Exchange
id : 332bfab9-170c-40ef-9b11-c8df8d402421
status: experimental
logsource:
    service: exchange
    product: m365
detection:
    selection:
        Operation:
            - 'New-InboxRule'
            - 'Set-InboxRule'
        Parameters.Name:
            - 'ForwardAsAttachmentTo'
            - 'ForwardTo'
            - 'RedirectTo'
    condition: selection
level: medium
`,
  'exchange/microsoft365_exchange_inbox_rule_exfil_forwarding.yml': `title: Suspicious Exchange Inbox Rule Configured for External Forwarding or Message Suppression
id: 756232a0-5b3d-4665-86a1-12187c1bd427
status: experimental
logsource:
    product: m365
    service: exchange
detection:
    selection_operation:
        Operation:
            - 'New-InboxRule'
            - 'Set-InboxRule'
    selection_forwarding:
        Parameters|contains:
            - 'ForwardTo'
            - 'RedirectTo'
    selection_suppression:
        Parameters|contains:
            - 'DeleteMessage'
            - 'MarkAsRead'
    condition: selection_operation and (selection_forwarding or selection_suppression)
level: medium
`,
  'exchange/microsoft365_email_protection_policy_disabled.yml': `title: Microsoft 365 Email Protection Policy Disabled or Removed
id: 5063cb00-5d44-4d6d-ae79-aed940901a61
status: experimental
logsource:
    product: m365
    service: exchange
detection:
    selection_disable:
        eventName:
            - 'Disable-AntiPhishRule'
            - 'Disable-SafeLinksRule'
    selection_weaken:
        eventName:
            - 'Set-AntiPhishPolicy'
            - 'Set-SafeLinksPolicy'
        eventData|contains:
            - 'EnableSpoofIntelligence", "Value": "False'
            - 'Enabled", "Value": "False'
    filter_main_success:
        status: 'Failed'
    condition: 1 of selection_* and not 1 of filter_main_*
level: high
`,
  'threat_management/microsoft365_susp_inbox_forwarding.yml': `title: Suspicious Inbox Forwarding
id: 6c220477-0b5b-4b25-bb90-66183b4089e8
status: test
logsource:
    service: threat_management
    product: m365
detection:
    selection:
        eventSource: SecurityComplianceCenter
        eventName: 'Suspicious inbox forwarding'
        status: success
    condition: selection
level: low
`,
  'threat_management/microsoft365_pst_export_alert_using_new_compliancesearchaction.yml': `title: PST Export Alert Using New-ComplianceSearchAction
id: 6897cd82-6664-11ed-9022-0242ac120002
status: test
logsource:
    service: threat_management
    product: m365
detection:
    selection:
        eventSource: SecurityComplianceCenter
        Payload|contains|all:
            - 'New-ComplianceSearchAction'
            - 'Export'
            - 'pst'
    condition: selection
level: medium
`,
  // The folder's older log-source form.
  'microsoft365_suspicious_inbox_manipulation_rules.yml': `title: Microsoft 365 - Suspicious inbox manipulation rules
id: d2001772-f43f-4def-86d3-a9d5c47588c0
status: experimental
logsource:
    category: ThreatManagement
    service: m365
detection:
    selection:
        eventSource: SecurityComplianceCenter
        eventName: "Suspicious inbox manipulation rules"
        status: success
    condition: selection
level: medium
`,
  // From rules/cloud/azure: data the Management Activity API does not deliver.
  'azure_signin_password_spray.yml': `title: Sign-in Failure Due To Password Spray
id: 5151be2e-1c4e-45a0-9d5b-b8b2edbd3d2b
status: test
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50053
    condition: selection
level: high
`,
};

const rulesDir = path.join(dir, 'm365');
for (const [file, text] of Object.entries(FOLDER)) {
  mkdirSync(path.dirname(path.join(rulesDir, file)), { recursive: true });
  writeFileSync(path.join(rulesDir, file), text);
}
const cfg = path.join(dir, 'auditwatch.yaml');
writeFileSync(cfg, `store:\n  path: ${JSON.stringify(path.join(dir, 'store.duckdb'))}\ndetect:\n  ruleDirs: [${JSON.stringify(rulesDir)}]\n`);

let seq = 0;
const rec = (fields: Record<string, unknown>) => ({
  CreationTime: `2026-01-02T03:04:${String(++seq).padStart(2, '0')}`,
  Id: `${String(seq).padStart(8, '0')}-1111-4222-8333-444455556666`,
  OrganizationId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd',
  RecordType: 1,
  UserKey: 'k',
  UserType: 0,
  UserId: 'mallory@contoso.com',
  ClientIP: '198.51.100.1',
  ...fields,
});
const alert = (name: string, data: Record<string, unknown>) =>
  rec({ RecordType: 40, Workload: 'SecurityComplianceCenter', Operation: 'AlertTriggered', UserId: 'SecurityComplianceAlerts', UserKey: 'SecurityComplianceAlerts', UserType: 4, ResultStatus: 'Succeeded', Name: name, Severity: 'Medium', Status: 'Active', Category: 'ThreatManagement', Source: 'Office 365 Security & Compliance', AlertType: 'System', AlertId: `a1${seq}`, Data: JSON.stringify({ f3u: 'adele@contoso.com', an: name, sev: 'Medium', ...data }) });

/** Each rule id the folder should alert on → the record that makes it fire. */
const EXPECTED: Record<string, Record<string, unknown>> = {
  '13f2d3f5-6497-44a7-bf5f-dc13ffafe5dc': rec({ RecordType: 15, Workload: 'AzureActiveDirectory', Operation: 'UserLoggedIn', ApplicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223', ObjectId: '00000003-0000-0000-c000-000000000000', ResultStatus: 'Succeeded', ExtendedProperties: [{ Name: 'RequestType', Value: 'Cmsi:Cmsi' }] }),
  '60de9b57-dc4d-48b9-a6a0-b39e0469f876': rec({ RecordType: 8, Workload: 'AzureActiveDirectory', Operation: 'Disable Strong Authentication.', ResultStatus: 'Success', ObjectId: 'bob@contoso.com' }),
  '33130063-1adc-4767-be31-a85e21e14a58': rec({ RecordType: 41, Workload: 'ThreatIntelligence', Operation: 'TIUrlClickData', UrlClickAction: 2, Url: 'https://phish.example/login' }),
  'aed9c24f-097a-4505-af85-74b4b83982b0': rec({ RecordType: 25, Workload: 'MicrosoftTeams', Operation: 'MessageCreatedHasLink', UserId: 'helpdesk@fabrikam.onmicrosoft.com', MessageURLs: ['https://files.example/QuickAssist.exe'] }),
  '332bfab9-170c-40ef-9b11-c8df8d402421': rec({ Workload: 'Exchange', Operation: 'New-InboxRule', ResultStatus: 'True', Parameters: [{ Name: 'Name', Value: '.' }, { Name: 'ForwardTo', Value: 'drop@evil.example' }] }),
  '756232a0-5b3d-4665-86a1-12187c1bd427': rec({ Workload: 'Exchange', Operation: 'Set-InboxRule', ResultStatus: 'True', Parameters: [{ Name: 'Identity', Value: 'r1' }, { Name: 'DeleteMessage', Value: 'True' }] }),
  '5063cb00-5d44-4d6d-ae79-aed940901a61': rec({ Workload: 'Exchange', Operation: 'Set-AntiPhishPolicy', ResultStatus: 'True', Parameters: [{ Name: 'Identity', Value: 'Office365 AntiPhish Default' }, { Name: 'EnableSpoofIntelligence', Value: 'False' }] }),
  '6c220477-0b5b-4b25-bb90-66183b4089e8': alert('Suspicious inbox forwarding', {}),
  '6897cd82-6664-11ed-9022-0242ac120002': alert('eDiscovery search started or exported', { cmd: 'New-ComplianceSearchAction -Name s1 -Export -Format FxStream -ExchangeArchiveFormat PerUserPst' }),
  'd2001772-f43f-4def-86d3-a9d5c47588c0': alert('Suspicious inbox manipulation rules', {}),
};
/** Look-alikes no rule of the folder may alert on. */
const BENIGN = [
  // A failed change of the anti-phishing policy (status: Failed is the rule's filter).
  rec({ Workload: 'Exchange', Operation: 'Set-AntiPhishPolicy', ResultStatus: 'False', Parameters: [{ Name: 'Identity', Value: 'Office365 AntiPhish Default' }, { Name: 'EnableSpoofIntelligence', Value: 'False' }] }),
  // An inbox rule that files mail and forwards nothing.
  rec({ Workload: 'Exchange', Operation: 'New-InboxRule', ResultStatus: 'True', Parameters: [{ Name: 'Name', Value: 'News' }, { Name: 'MoveToFolder', Value: 'News' }] }),
  // A Company Portal sign-in of a device enrolment (the rule's filter).
  rec({ RecordType: 15, Workload: 'AzureActiveDirectory', Operation: 'UserLoggedIn', ApplicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223', ObjectId: '0000000a-0000-0000-c000-000000000000', ResultStatus: 'Succeeded', ExtendedProperties: [{ Name: 'RequestType', Value: 'Cmsi:Cmsi' }] }),
];
const records = path.join(dir, 'records.ndjson');
writeFileSync(records, [...Object.values(EXPECTED), ...BENIGN].map((r) => JSON.stringify(r)).join('\n') + '\n');

test("SigmaHQ's m365 folder as the README advises: validate names the refused rules, detect runs the rest", async () => {
  const validate = await runCli(['validate', '--config', cfg]);
  assert.equal(validate.code, 1, 'validate fails while rules of the folder are refused');
  assert.match(validate.stderr, /azure_signin_password_spray\.yml:\d+.*reads Entra ID sign-in logs.*does not deliver/);
  assert.match(validate.stderr, /m365_audit_inbox_rule_external_forward\.yml:\d+.*expand modifier stands for placeholders \(%internal_domains%\)/);
  assert.match(validate.stderr, /2 rule errors? in the rule folders/);

  assert.equal((await runCli(['import', '--config', cfg, records])).code, 0);
  const detect = await runCli(['detect', '--config', cfg, '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-03T00:00:00Z', '--format', 'json']);
  assert.equal(detect.code, 0, detect.stderr);
  assert.match(detect.stderr, /2 rule error\(s\): those rules are skipped, the others run/);
  assert.match(detect.stderr, /notice: .*microsoft365_disabling_mfa\.yml:1: rule 60de9b57-dc4d-48b9-a6a0-b39e0469f876 replaces the one with that id in .*sigmahq_microsoft365_disabling_mfa\.yml/);
  const hits = detect.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: string; evidence: string[] });
  const fromFolder = new Set(Object.keys(EXPECTED));
  for (const [id, record] of Object.entries(EXPECTED)) {
    assert.ok(hits.some((h) => h.rule === id && h.evidence.includes(record['Id'] as string)), `${id} alerts on its record`);
  }
  for (const b of BENIGN) {
    const wrong = hits.filter((h) => fromFolder.has(h.rule) && h.evidence.includes(b['Id'] as string));
    assert.deepEqual(wrong.map((h) => h.rule), [], `no folder rule alerts on ${String((b as Record<string, unknown>)['Operation'])} look-alike`);
  }

  // The refused rules disabled by id (one does not even load): validate is clean.
  const quiet = path.join(dir, 'quiet.yaml');
  writeFileSync(quiet, `${'store:\n  path: '}${JSON.stringify(path.join(dir, 'store.duckdb'))}\ndetect:\n  ruleDirs: [${JSON.stringify(rulesDir)}]\n  disabled: [7dbc984c-fc0d-4b24-828f-d9a530cd2d81, 5151be2e-1c4e-45a0-9d5b-b8b2edbd3d2b]\n`);
  const clean = await runCli(['validate', '--config', quiet]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.doesNotMatch(clean.stderr, /rule error/);
});
