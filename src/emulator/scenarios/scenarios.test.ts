// Every scenario injected by `scenarios: 'all'`: its records are in the blobs with the documented shape,
// its ground truth is complete, benign look-alikes carry their own labels, and the baseline around them
// does not look like an attack.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY, HOUR, parseUtc } from '../../core/index.js';
import type { GroundTruthScenario } from '../model.js';
import { createContentSource } from '../tenant/index.js';
import { walkBlobs } from '../tenant/tenant.testing.js';
import { SCENARIOS } from './index.js';

type R = Record<string, unknown>;
const START = Date.UTC(2026, 2, 12, 16, 0, 0);
const DAYS = 3;

const src = createContentSource({ seed: 42, days: DAYS, users: 60, tenants: 2, scenarios: 'all', live: false, startTime: START });
const blobs = src.tenants().map((t) => walkBlobs(src, t.tenantId, START - (DAYS + 1) * DAY, START + DAY));
const byId = new Map<string, R>();
for (const list of blobs) for (const b of list) for (const r of b.records) byId.set(r.Id as string, r);
const truth = src.groundTruth(START + DAY);
const dir = src.states[0]!.dir;
const users = new Map(dir.users.map((u) => [u.upn, u]));

function param(r: R, name: string): string | undefined {
  return (r.Parameters as { Name: string; Value: string }[] | undefined)?.find((p) => p.Name === name)?.Value;
}
function modified(r: R, name: string): string | undefined {
  return (r.ModifiedProperties as { Name: string; NewValue: string }[] | undefined)?.find((p) => p.Name === name)?.NewValue;
}
/** The scenario's activity: its records without the built-in alerts Microsoft raises about it (RecordType 40). */
function recordsOf(s: GroundTruthScenario): R[] {
  return s.recordIds.map((id) => byId.get(id)!).filter((r) => r.RecordType !== 40);
}
function alertsOf(s: GroundTruthScenario): R[] {
  return s.recordIds.map((id) => byId.get(id)!).filter((r) => r.RecordType === 40);
}
function scenario(name: string): GroundTruthScenario {
  const s = truth.scenarios.find((x) => x.name === name && x.tenantId === dir.tenantId);
  assert.ok(s, `scenario ${name} injected`);
  return s;
}
/** Does `value` name the same person as `upn` (UPN, alias, display name or object id)? */
function isSame(value: string | undefined, upn: string): boolean {
  const u = users.get(upn)!;
  return value !== undefined && [u.upn, u.alias, u.displayName, u.objectId].includes(value);
}

test('every scenario is injected once per tenant with complete ground truth, inside the history', () => {
  assert.equal(truth.scenarios.length, SCENARIOS.length * 2);
  for (const s of truth.scenarios) {
    assert.ok(s.recordIds.length > 0, s.name);
    assert.ok(s.actors.length > 0, s.name);
    for (const id of s.recordIds) assert.ok(byId.has(id), `${s.name}: record ${id} is in a blob`);
    const start = Date.parse(s.start);
    const end = Date.parse(s.end);
    assert.ok(start >= START - DAYS * DAY + HOUR && end <= START - HOUR, `${s.name} ${s.start}..${s.end}`);
    const all = [...recordsOf(s), ...alertsOf(s)];
    const times = all.map((r) => parseUtc(r.CreationTime as string));
    assert.equal(Math.min(...times), start);
    assert.equal(Math.max(...times), end);
    for (const r of all) assert.equal(r.OrganizationId, s.tenantId);
    const available = new Set(Object.values(truth.available[s.tenantId]!).flat());
    assert.ok(s.recordIds.every((id) => available.has(id)));
  }
  const labels = new Map(truth.scenarios.map((s) => [s.name, s.label]));
  for (const benign of ['password-typo', 'admin-grants-colleague-fullaccess', 'internal-forwarding-rule', 'bulk-sync', 'access-request-single', 'plausible-travel']) {
    assert.equal(labels.get(benign), 'benign', benign);
  }
  assert.equal([...labels.values()].filter((l) => l === 'attack').length, 44);
});

test('sign-in attacks have the documented shape', () => {
  const bf = recordsOf(scenario('brute-force'));
  assert.ok(bf.length >= 10 && bf.every((r) => r.Operation === 'UserLoginFailed' && r.RecordType === 15));
  assert.ok(bf.filter((r) => r.ErrorNumber === '50126' && r.LogonError === 'InvalidUserNameOrPassword').length >= 10);
  assert.equal(new Set(bf.map((r) => r.UserId)).size, 1);
  assert.equal(new Set(bf.map((r) => r.ClientIP)).size, 1);
  const span = parseUtc(bf[9]!.CreationTime as string) - parseUtc(bf[0]!.CreationTime as string);
  assert.ok(span <= 5 * 60_000, 'ten failures within five minutes');

  const spray = scenario('password-spray');
  const sr = recordsOf(spray);
  assert.equal(new Set(sr.map((r) => r.ClientIP)).size, 1);
  assert.equal(new Set(sr.map((r) => r.UserId)).size, sr.length);
  assert.deepEqual(spray.actors, [sr[0]!.ClientIP]);

  const saf = recordsOf(scenario('success-after-failures'));
  assert.equal(saf.at(-1)!.Operation, 'UserLoggedIn');
  assert.equal(saf.at(-1)!.ErrorNumber, '0');
  assert.ok(saf.slice(0, -1).every((r) => r.Operation === 'UserLoginFailed'));

  const travel = recordsOf(scenario('impossible-travel'));
  assert.equal(travel.length, 2);
  assert.ok(travel.every((r) => r.Operation === 'UserLoggedIn' && r.UserId === travel[0]!.UserId));
  assert.notEqual(travel[0]!.ClientIP, travel[1]!.ClientIP);

  const typo = recordsOf(scenario('password-typo'));
  assert.deepEqual(typo.map((r) => r.Operation), ['UserLoginFailed', 'UserLoginFailed', 'UserLoggedIn']);
});

test('mailbox self-grants name the actor in varied forms; the colleague grant does not', () => {
  for (const tenantId of src.tenants().map((t) => t.tenantId)) {
    const s = truth.scenarios.find((x) => x.name === 'mailbox-fullaccess-self-grant' && x.tenantId === tenantId)!;
    const recs = recordsOf(s);
    assert.deepEqual(new Set((s.details!.userForms as string[])), new Set(['upn', 'alias', 'displayName', 'objectId']));
    for (const r of recs) {
      assert.equal(r.Operation, 'Add-MailboxPermission');
      assert.equal(r.RecordType, 1);
      assert.equal(param(r, 'AccessRights'), 'FullAccess');
      assert.equal(r.UserId, s.actors[0]);
      assert.match(String(r.ClientIP), /\d/);
    }
  }
  const self = scenario('mailbox-fullaccess-self-grant');
  for (const r of recordsOf(self)) {
    assert.ok(isSame(param(r, 'User'), self.actors[0]!), 'User resolves to the actor');
    assert.ok(!isSame(param(r, 'Identity'), self.actors[0]!), 'on another user\'s mailbox');
  }
  const sendAs = scenario('sendas-self-grant');
  const [sa] = recordsOf(sendAs);
  assert.equal(sa!.Operation, 'Add-RecipientPermission');
  assert.ok(isSame(param(sa!, 'Trustee'), sendAs.actors[0]!));
  assert.equal(param(sa!, 'AccessRights'), 'SendAs');
  const colleague = scenario('admin-grants-colleague-fullaccess');
  const [cg] = recordsOf(colleague);
  assert.equal(cg!.Operation, 'Add-MailboxPermission');
  assert.ok(!isSame(param(cg!, 'User'), colleague.actors[0]!));
  assert.ok(isSame(param(cg!, 'User'), colleague.details!.grantee as string));
});

test('forwarding, audit and Exchange scenarios have the documented shape', () => {
  const rule = recordsOf(scenario('inbox-rule-external-forward'))[0]!;
  assert.equal(rule.Operation, 'New-InboxRule');
  assert.match(param(rule, 'ForwardTo')!, /@(?!contoso)/);
  const internal = recordsOf(scenario('internal-forwarding-rule'))[0]!;
  assert.match(param(internal, 'ForwardTo')!, new RegExp(`@${dir.domain.replace(/\./g, '\\.')}$`));
  const fwd = recordsOf(scenario('mailbox-external-forwarding'))[0]!;
  assert.equal(fwd.Operation, 'Set-Mailbox');
  assert.match(param(fwd, 'ForwardingSmtpAddress')!, /^smtp:.+@/);
  const tr = recordsOf(scenario('transport-rule-external-copy'))[0]!;
  assert.equal(tr.Operation, 'New-TransportRule');
  assert.match(param(tr, 'BlindCopyTo')!, /@/);
  const audit = recordsOf(scenario('audit-logging-disabled'))[0]!;
  assert.equal(audit.Operation, 'Set-AdminAuditLogConfig');
  assert.equal(param(audit, 'UnifiedAuditLogIngestionEnabled'), 'False');
  const bypass = recordsOf(scenario('mailbox-audit-bypass'))[0]!;
  assert.equal(bypass.Operation, 'Set-MailboxAuditBypassAssociation');
  assert.equal(param(bypass, 'AuditBypassEnabled'), 'True');
  const mia = scenario('mailitemsaccessed-non-owner');
  for (const r of recordsOf(mia)) {
    assert.equal(r.Operation, 'MailItemsAccessed');
    assert.equal(r.RecordType, 50);
    assert.equal(r.UserId, mia.actors[0]);
    assert.equal(r.MailboxOwnerUPN, mia.victims[0]);
    assert.notEqual(r.UserId, r.MailboxOwnerUPN);
  }
  const ed = recordsOf(scenario('ediscovery-export'));
  assert.ok(ed.some((r) => r.Operation === 'New-ComplianceSearchAction' && String(r.Parameters).includes('-Export')));
  assert.ok(ed.some((r) => r.Operation === 'SearchExported'));
});

test('directory scenarios have the documented shape', () => {
  assert.equal(recordsOf(scenario('mfa-disabled'))[0]!.Operation, 'Disable Strong Authentication.');
  const ga = recordsOf(scenario('global-admin-granted'))[0]!;
  assert.equal(ga.Operation, 'Add member to role.');
  assert.equal(modified(ga, 'Role.DisplayName'), 'Global Administrator');
  assert.equal(ga.ObjectId, scenario('global-admin-granted').victims[0]);
  assert.ok(recordsOf(scenario('oauth-consent-unknown-app')).some((r) => r.Operation === 'Consent to application.'));
  assert.equal(recordsOf(scenario('sp-credentials-added'))[0]!.Operation, 'Add service principal credentials.');
  assert.deepEqual(
    recordsOf(scenario('federated-domain-added')).map((r) => r.Operation),
    ['Add domain to company.', 'Set domain authentication.', 'Set federation settings on domain.'],
  );
});

test('file scenarios have the documented shape', () => {
  const dl = scenario('mass-file-download');
  const dr = recordsOf(dl);
  assert.ok(dr.length >= 50 && dr.every((r) => r.Operation === 'FileDownloaded' && r.UserId === dl.actors[0]));
  assert.ok(recordsOf(scenario('anonymous-link-burst')).every((r) => r.Operation === 'AnonymousLinkCreated' && r.RecordType === 14));
  const ad = scenario('access-denied-burst');
  assert.ok(recordsOf(ad).length >= 10 && recordsOf(ad).every((r) => r.Operation === 'AccessRequestCreated' && r.UserId === ad.actors[0]));
  const sync = scenario('bulk-sync');
  assert.ok(recordsOf(sync).every((r) => r.Operation === 'FileSyncDownloadedFull' && r.Workload === 'OneDrive' && String(r.ObjectId).startsWith(users.get(sync.actors[0]!)!.oneDriveUrl)));
});

test('baseline does not look like an attack', () => {
  const base = createContentSource({ seed: 42, days: DAYS, users: 60, tenants: 1, scenarios: [], live: false, startTime: START });
  const records = walkBlobs(base, base.tenants()[0]!.tenantId, START - (DAYS + 1) * DAY, START + DAY).flatMap((b) => b.records);
  const failures = new Map<string, number[]>();
  for (const r of records) {
    if (r.Operation === 'UserLoginFailed') failures.set(r.UserId as string, [...(failures.get(r.UserId as string) ?? []), parseUtc(r.CreationTime as string)]);
    assert.ok(!['Add-MailboxPermission', 'Add-RecipientPermission', 'Add-MailboxFolderPermission', 'AnonymousLinkCreated', 'Add member to role.',
      'Consent to application.', 'Set-AdminAuditLogConfig', 'New-TransportRule', 'Disable Strong Authentication.'].includes(r.Operation as string), String(r.Operation));
    if (r.Operation === 'New-InboxRule' || r.Operation === 'Set-Mailbox') {
      assert.equal(param(r, 'ForwardTo'), undefined);
      assert.equal(param(r, 'ForwardingSmtpAddress'), undefined);
    }
  }
  for (const [user, times] of failures) {
    times.sort((a, b) => a - b);
    for (let i = 0; i + 2 < times.length; i++) assert.ok(times[i + 2]! - times[i]! > 5 * 60_000, `${user}: three failures within five minutes`);
  }
  assert.ok(failures.size > 0, 'occasional failures exist');
});

test('attacks Microsoft flags carry its built-in alert about the affected user, as ground truth; look-alikes none', () => {
  const expected: Record<string, [string, string]> = {
    'inbox-rule-external-forward': ['Suspicious inbox forwarding', 'Medium'],
    'mailbox-external-forwarding': ['Suspicious email forwarding activity', 'High'],
    'impossible-travel': ['Impossible travel activity', 'Medium'],
    'ediscovery-export': ['eDiscovery search started or exported', 'Medium'],
    'anonymous-link-burst': ['Unusual external user file activity', 'Low'],
    'mailbox-fullaccess-self-grant': ['Elevation of Exchange admin privilege', 'Low'],
    'offensive-tool-signin': ['Activity from anonymous IP addresses', 'Informational'],
  };
  for (const [name, [alert, severity]] of Object.entries(expected)) {
    const s = scenario(name);
    const alerts = alertsOf(s);
    assert.deepEqual(alerts.map((r) => r.Operation), ['AlertTriggered', 'AlertEntityGenerated'], name);
    const user = name === 'mailbox-fullaccess-self-grant' || name === 'ediscovery-export' || name === 'anonymous-link-burst' ? s.actors[0] : s.victims[0];
    for (const r of alerts) {
      assert.equal(r.Name, alert);
      assert.equal(r.Severity, severity);
      assert.equal(r.UserId, 'SecurityComplianceAlerts');
      assert.equal(r.Workload, 'SecurityComplianceCenter');
      assert.equal(JSON.parse(String(r.Data)).f3u, user, `${name}: Data names the affected user`);
      assert.equal(r.AlertId, alerts[0]!.AlertId);
    }
    assert.equal(alerts[1]!.EntityType, 'User');
    assert.equal(alerts[1]!.AlertEntityId, user);
  }
  for (const s of truth.scenarios.filter((x) => x.label === 'benign')) assert.deepEqual(alertsOf(s), [], `${s.name} raises no built-in alert`);
});

test('baseline scenarios have the documented shape: a home sign-in then one from a new country, one admin cmdlet from abroad, one consent; a renewal 2.6 days after the first consent', () => {
  // The account's own sign-in from home two hours before (its baseline), then the one from abroad.
  const signin = recordsOf(scenario('signin-new-country-device'));
  assert.deepEqual(signin.map((r) => r.Operation), ['UserLoggedIn', 'UserLoggedIn']);
  assert.equal(signin[0]!.UserId, signin[1]!.UserId);
  assert.equal(parseUtc(signin[1]!.CreationTime as string) - parseUtc(signin[0]!.CreationTime as string), 2 * 3_600_000);
  const victim = users.get(signin[0]!.UserId as string)!;
  assert.equal(String(signin[0]!.ClientIP).split(':')[0], victim.homeIp);
  assert.notEqual(String(signin[1]!.ClientIP).split(':')[0], victim.homeIp);
  const cmdlet = recordsOf(scenario('admin-cmdlet-new-country'));
  assert.deepEqual(cmdlet.map((r) => r.Operation), ['New-InboundConnector']);
  const admin = users.get(cmdlet[0]!.UserId as string)!;
  assert.ok(admin.isAdmin);
  assert.notEqual(String(cmdlet[0]!.ClientIP).split(':')[0], admin.homeIp);
  const office = recordsOf(scenario('admin-new-cmdlet-at-office'));
  assert.equal(String(office[0]!.ClientIP).split(':')[0], users.get(office[0]!.UserId as string)!.homeIp);
  assert.deepEqual(recordsOf(scenario('consent-new-app')).map((r) => r.Operation), ['Consent to application.']);
  const renewed = recordsOf(scenario('consent-renewed'));
  assert.equal(renewed.length, 2);
  assert.equal(renewed[0]!.ObjectId, renewed[1]!.ObjectId);
  assert.equal(parseUtc(renewed[1]!.CreationTime as string) - parseUtc(renewed[0]!.CreationTime as string), 2.6 * DAY);
  assert.ok(parseUtc(renewed[0]!.CreationTime as string) < START - DAYS * DAY + DAY, 'the first consent is in the first day of the history (first-seen rules learn three days)');
  const abroad = recordsOf(scenario('signin-abroad-known-device'));
  assert.equal(abroad.length, 2);
  assert.equal(abroad[0]!.UserId, abroad[1]!.UserId);
  const agent = (r: R) => (r.ExtendedProperties as { Name: string; Value: string }[]).find((p) => p.Name === 'UserAgent')?.Value;
  assert.equal(agent(abroad[0]!), agent(abroad[1]!));
});
