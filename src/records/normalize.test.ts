// Tests of the normaliser on the real and constructed records of ual-schema.md §4 and every quirk of §5.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalize, parseCreationTime } from './normalize.js';
import { recordTypeName, userTypeName, RECORD_TYPES } from './names.js';
import { UAL_EXAMPLES } from './testdata/ual-examples.js';
import type { EventRow, RecordSource } from './types.js';

const SOURCE: RecordSource = { tenantId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd', contentType: null, sourceId: 'test' };

function row(input: unknown, source: RecordSource = SOURCE): EventRow {
  const result = normalize(input, source);
  if (!result.ok) assert.fail(`rejected: ${result.rejection.reason}`);
  return result.row;
}

function reason(input: unknown): string {
  const result = normalize(input, SOURCE);
  assert.equal(result.ok, false, 'expected a rejection');
  return result.ok ? '' : result.rejection.reason;
}

function withFields(base: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...(JSON.parse(base) as Record<string, unknown>), ...fields };
}

test('every example record of ual-schema.md normalises', () => {
  for (const [name, text] of Object.entries(UAL_EXAMPLES)) {
    const result = normalize(text, SOURCE);
    assert.ok(result.ok, `${name}: ${result.ok ? '' : result.rejection.reason}`);
    assert.equal(result.row.raw, text, `${name}: raw kept as given`);
  }
});

test('STS sign-in: common fields, client IP, application, user agent, request type', () => {
  const r = row(UAL_EXAMPLES.stsLogon);
  assert.equal(r.id, 'ca0efc24-1b89-4962-8fef-a3ac5437302f');
  assert.equal(r.creationTime, Date.UTC(2020, 1, 10, 15, 13, 13));
  assert.equal(r.recordType, 15);
  assert.equal(r.recordTypeName, 'AzureActiveDirectoryStsLogon');
  assert.equal(r.operation, 'UserLoggedIn');
  assert.equal(r.workload, 'AzureActiveDirectory');
  assert.equal(r.userId, 'asr@testsiem.onmicrosoft.com');
  assert.equal(r.userKey, '1003200096971F55@testsiem.onmicrosoft.com');
  assert.equal(r.userType, 0);
  assert.equal(r.userTypeName, 'Regular');
  assert.equal(r.clientIp, '83.57.233.151');
  assert.equal(r.clientIpRaw, '83.57.233.151');
  assert.equal(r.resultStatus, 'Succeeded');
  assert.equal(r.objectId, '00000002-0000-0000-c000-000000000000');
  assert.equal(r.applicationId, '4345a7b9-9a63-4910-a426-35363201d503');
  assert.equal(r.userAgent, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0');
  assert.equal(r.requestType, 'OAuth2:Authorize');
  assert.equal(r.extendedProperties.KeepMeSignedIn, 'False');
  assert.deepEqual(r.modifiedProperties, {});
  assert.equal(r.errorNumber, null);
  assert.equal(r.tenantId, SOURCE.tenantId);
  assert.equal(r.country, null);
  assert.equal(r.asn, null);
});

test('failed sign-in: ErrorNumber and LogonError; ErrorCode and ExtendedProperties LoginError as fallbacks', () => {
  const failed = row(withFields(UAL_EXAMPLES.stsLogon, { Operation: 'UserLoginFailed', ErrorNumber: '50126', LogonError: 'InvalidUserNameOrPassword' }));
  assert.equal(failed.operation, 'UserLoginFailed');
  assert.equal(failed.errorNumber, '50126');
  assert.equal(failed.logonError, 'InvalidUserNameOrPassword');
  const legacy = row(withFields(UAL_EXAMPLES.stsLogon, {
    RecordType: 9,
    ErrorCode: 50053,
    ExtendedProperties: [{ Name: 'LoginError', Value: 'IdsLocked' }],
  }));
  assert.equal(legacy.recordTypeName, 'AzureActiveDirectoryAccountLogon');
  assert.equal(legacy.errorNumber, '50053');
  assert.equal(legacy.logonError, 'IdsLocked');
  assert.equal(legacy.userAgent, null);
});

test('directory audit: ModifiedProperties as name → old/new, trailing period kept in Operation', () => {
  const r = row(UAL_EXAMPLES.addMemberToRole);
  assert.equal(r.operation, 'Add member to role.');
  assert.equal(r.recordTypeName, 'AzureActiveDirectory');
  assert.deepEqual(r.modifiedProperties['Role.DisplayName'], { oldValue: '', newValue: 'Global Administrator' });
  assert.deepEqual(r.modifiedProperties['Role.WellKnownObjectName'], { oldValue: '', newValue: 'CompanyAdministrator' });
  assert.equal(r.clientIp, null);
  assert.equal(r.clientIpRaw, null);
  assert.equal(r.objectId, 'mallory@contoso.com');
});

test('Exchange admin: Parameters map, IP with port, "True" result, empty AppId skipped', () => {
  const r = row(UAL_EXAMPLES.addMailboxPermission);
  assert.deepEqual(r.parameters, {
    Identity: '00000000-0000-0000-0000-000000000005',
    User: '00000000-0000-0000-0000-000000000006',
    AccessRights: 'FullAccess',
  });
  assert.equal(r.clientIp, '192.0.2.40');
  assert.equal(r.clientIpRaw, '192.0.2.40:30129');
  assert.equal(r.resultStatus, 'True');
  assert.equal(r.userType, 2);
  assert.equal(r.userTypeName, 'Admin');
  assert.equal(r.applicationId, null);
});

test('Exchange mailbox: owner, GUID, logon type, OperationProperties, ClientInfoString as user agent', () => {
  const r = row(UAL_EXAMPLES.mailItemsAccessed);
  assert.equal(r.recordTypeName, 'ExchangeItemAggregated');
  assert.equal(r.mailboxOwnerUpn, 'ceo@contoso.com');
  assert.equal(r.mailboxGuid, '26286ffa-073d-45ff-9fe9-539891984d69');
  assert.equal(r.logonType, 2);
  assert.deepEqual(r.operationProperties, { MailAccessType: 'Bind', IsThrottled: 'False' });
  assert.equal(r.userAgent, 'Client=OWA;Action=ViaProxy');
  assert.equal(r.clientIp, '203.0.113.44');
  assert.ok(r.raw.includes('(15.20.2729.032)\\r\\n'), 'raw keeps OriginatingServer whole');
});

test('Exchange item: ModifiedProperties string[] form and MailboxGuid lower-cased', () => {
  const r = row({
    Id: 'AB0D6C8E-4F2A-4D1E-8C3B-5A6F7E8D9C0B', CreationTime: '2026-03-02T09:00:00', RecordType: '2', Operation: 'Update',
    Workload: 'Exchange', MailboxGuid: '26286FFA-073D-45FF-9FE9-539891984D69', LogonType: '0', ClientIP: '',
    ClientIPAddress: '[2001:DB8::ABCD]:443', ModifiedProperties: ['Subject', 'Body', 'Subject'],
  });
  assert.equal(r.id, 'ab0d6c8e-4f2a-4d1e-8c3b-5a6f7e8d9c0b');
  assert.equal(r.recordType, 2);
  assert.equal(r.logonType, 0);
  assert.equal(r.mailboxGuid, '26286ffa-073d-45ff-9fe9-539891984d69');
  assert.deepEqual(r.modifiedProperties, { Subject: { oldValue: null, newValue: null }, Body: { oldValue: null, newValue: null } });
  assert.equal(r.clientIp, '2001:db8::abcd');
  assert.equal(r.clientIpRaw, '[2001:DB8::ABCD]:443');
});

test('SharePoint: site URL, file name and extension, user agent; no ResultStatus gives null', () => {
  const r = row(UAL_EXAMPLES.fileUploaded);
  assert.equal(r.siteUrl, 'https://testsiem-my.sharepoint.com/personal/asr_testsiem_onmicrosoft_com/');
  assert.equal(r.fileName, 'Screenshot.png');
  assert.equal(r.fileExtension, 'png');
  assert.equal(r.workload, 'OneDrive');
  assert.equal(r.resultStatus, null);
  assert.equal(r.userKey, 'i:0h.f|membership|1003200096971f55@live.com');
  assert.equal(r.userAgent, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0');
  const access = row(UAL_EXAMPLES.accessRequestCreated);
  assert.equal(access.operation, 'AccessRequestCreated');
  assert.equal(access.recordTypeName, 'SharePointSharingOperation');
  assert.equal(access.fileName, 'Payroll 2026.xlsx');
  const derived = row(withFields(UAL_EXAMPLES.fileUploaded, { SourceFileExtension: undefined, SourceFileName: 'Q1 report.DOCX' }));
  assert.equal(derived.fileExtension, 'DOCX');
});

test('Teams, DLP and alert records normalise with their user types', () => {
  const teams = row(UAL_EXAMPLES.teamsMemberAdded);
  assert.equal(teams.recordTypeName, 'MicrosoftTeams');
  assert.equal(teams.userKey, '755e500a-6c03-46b0-b53b-282f23374e3b');
  const dlp = row(UAL_EXAMPLES.dlpSharePoint);
  assert.equal(dlp.operation, 'DLPRuleMatch');
  assert.equal(dlp.userTypeName, 'System');
  assert.equal(dlp.tenantId, SOURCE.tenantId);
  const alert = row(UAL_EXAMPLES.complianceAlert);
  assert.equal(alert.recordTypeName, 'SecurityComplianceAlerts');
  assert.equal(alert.userId, 'asr@testsiem.onmicrosoft.com', 'the alert is about the user in its Data');
  const app = row(withFields(UAL_EXAMPLES.teamsMemberAdded, { UserId: 'Application', UserKey: '', UserType: 5 }));
  assert.equal(app.userKey, '');
  assert.equal(app.userTypeName, 'Application');
});

test('§5.1 CreationTime: no zone is UTC; fractions and zones accepted; junk refused', () => {
  assert.equal(parseCreationTime('2020-02-10T15:13:13'), Date.UTC(2020, 1, 10, 15, 13, 13));
  assert.equal(parseCreationTime('2020-02-10T15:13:13Z'), Date.UTC(2020, 1, 10, 15, 13, 13));
  assert.equal(parseCreationTime('2020-02-10T15:13:13.1234567Z'), Date.UTC(2020, 1, 10, 15, 13, 13, 123));
  assert.equal(parseCreationTime('2020-02-10T15:13:13.5'), Date.UTC(2020, 1, 10, 15, 13, 13, 500));
  assert.equal(parseCreationTime('2020-02-10T17:13:13+02:00'), Date.UTC(2020, 1, 10, 15, 13, 13));
  assert.equal(parseCreationTime('2020-02-10T10:13:13-0500'), Date.UTC(2020, 1, 10, 15, 13, 13));
  assert.equal(parseCreationTime('2020-02-10 15:13:13'), Date.UTC(2020, 1, 10, 15, 13, 13));
  for (const bad of ['', 'yesterday', '2020-02-30T00:00:00', '2020-13-01T00:00:00', '2020-02-10T25:00:00', '2020-02-10T15:13:13+25:00', '10/02/2020 15:13']) {
    assert.ok(Number.isNaN(parseCreationTime(bad)), bad);
  }
  const r = row(withFields(UAL_EXAMPLES.teamsMemberAdded, { CreationTime: '2020-02-17T16:59:44.123Z' }));
  assert.equal(r.creationTime, Date.UTC(2020, 1, 17, 16, 59, 44, 123));
});

test('§5.2 numbers as strings are coerced; unassigned numbers are named Unknown(N)', () => {
  const r = row(withFields(UAL_EXAMPLES.stsLogon, { RecordType: '15', UserType: '0', Version: '1' }));
  assert.equal(r.recordType, 15);
  assert.equal(r.userType, 0);
  const unknown = row(withFields(UAL_EXAMPLES.stsLogon, { RecordType: 5, UserType: 77 }));
  assert.equal(unknown.recordTypeName, 'Unknown(5)');
  assert.equal(unknown.userTypeName, 'Unknown(77)');
  const noUserType = row(withFields(UAL_EXAMPLES.stsLogon, { UserType: 'Regular' }));
  assert.equal(noUserType.userType, null);
  assert.equal(noUserType.userTypeName, null);
  assert.equal(recordTypeName(22), 'Viva Engage');
  assert.equal(recordTypeName(216), 'Viva Goals');
  assert.equal(userTypeName(10), 'Guest');
  assert.equal(RECORD_TYPES.size, 257);
  const bool = row(withFields(UAL_EXAMPLES.addMailboxPermission, { ResultStatus: false }));
  assert.equal(bool.resultStatus, 'false');
});

test('§5.3 ClientIP forms; ClientIPAddress and ActorIpAddress as fallbacks', () => {
  const cases: Array<[unknown, string | null]> = [
    ['1.2.3.4', '1.2.3.4'], ['1.2.3.4:12345', '1.2.3.4'], ['[1.2.3.4]:12345', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'], ['[::ffff:1.2.3.4]:12345', '1.2.3.4'], ['2001:db8::abcd', '2001:db8::abcd'],
    ['[2001:db8::abcd]:12345', '2001:db8::abcd'], ['[2001:db8::abcd]', '2001:db8::abcd'], ['::1', '::1'],
    ['', null], [null, null], ['mail.contoso.com', null], ['Unknown', null],
  ];
  for (const [ip, expected] of cases) {
    const r = row(withFields(UAL_EXAMPLES.fileUploaded, { ClientIP: ip }));
    assert.equal(r.clientIp, expected, String(ip));
    assert.equal(r.clientIpRaw, ip, String(ip));
  }
  const exchange = row(withFields(UAL_EXAMPLES.mailItemsAccessed, { ClientIP: '', ClientIPAddress: '198.51.100.7:5000' }));
  assert.equal(exchange.clientIp, '198.51.100.7');
  assert.equal(exchange.clientIpRaw, '198.51.100.7:5000');
  const aad = row(withFields(UAL_EXAMPLES.stsLogon, { ClientIP: undefined }));
  assert.equal(aad.clientIp, '83.57.233.151');
  const absent = row(withFields(UAL_EXAMPLES.fileUploaded, { ClientIP: undefined }));
  assert.equal(absent.clientIpRaw, null);
});

test('§5.4 pair arrays: repeated names keep the first value, non-strings become JSON text', () => {
  const r = row(withFields(UAL_EXAMPLES.addMailboxPermission, {
    Parameters: [
      { Name: 'Identity', Value: 'first' }, { Name: 'Identity', Value: 'second' },
      { Name: 'Flags', Value: ['a', 'b'] }, { Name: 'Count', Value: 3 }, { Name: 'Confirm', Value: false },
      { Name: 'Nothing', Value: null }, { Value: 'no name' }, 'not a pair', null,
    ],
    DeviceProperties: [{ Name: 'OS', Value: 'Windows 10' }, { Name: 'IsCompliant', Value: 'True' }],
  }));
  assert.deepEqual(r.parameters, { Identity: 'first', Flags: '["a","b"]', Count: '3', Confirm: 'false', Nothing: '' });
  assert.deepEqual(r.deviceProperties, { OS: 'Windows 10', IsCompliant: 'True' });
  assert.ok(r.raw.includes('"second"'), 'raw keeps the repeated value');
});

test('§5.5 embedded encodings: JSON-in-string pair arrays and PowerShell-style parameter strings', () => {
  const powerBi = row({
    Id: '3a1c5e7f-0000-4000-8000-000000000001', CreationTime: '2026-03-02T11:00:00', RecordType: 20, Operation: 'ViewReport',
    Workload: 'PowerBI', UserId: 'a@contoso.com', ResultStatus: 'InProgress',
    OperationProperties: '[{"Name":"ReportId","Value":"r1"},{"Name":"Pages","Value":2}]',
  });
  assert.deepEqual(powerBi.operationProperties, { ReportId: 'r1', Pages: '2' });
  assert.equal(powerBi.recordTypeName, 'PowerBIAudit');
  const strParams = row(withFields(UAL_EXAMPLES.addMailboxPermission, {
    Parameters: '-PageSize "100" -Page "1" -Identity \'ceo@contoso.com\' -Confirm -Note "say ""hi""" -Offset -5',
  }));
  assert.deepEqual(strParams.parameters, { PageSize: '100', Page: '1', Identity: 'ceo@contoso.com', Confirm: 'True', Note: 'say "hi"', Offset: '-5' });
  const ext = row(withFields(UAL_EXAMPLES.stsLogon, { ExtendedProperties: '-RequestType "Login:login" -UserAgent "curl/8"' }));
  assert.equal(ext.requestType, 'Login:login');
  assert.equal(ext.userAgent, 'curl/8');
  const modified = row(withFields(UAL_EXAMPLES.addMemberToRole, {
    ModifiedProperties: '[{"Name":"AccountEnabled","OldValue":"[true]","NewValue":"[false]"}]',
  }));
  assert.deepEqual(modified.modifiedProperties, { AccountEnabled: { oldValue: '[true]', newValue: '[false]' } });
  const asMap = row(withFields(UAL_EXAMPLES.addMailboxPermission, { Parameters: { User: 'bob', Count: 2 } }));
  assert.deepEqual(asMap.parameters, { User: 'bob', Count: '2' });
});

test('§5.6 and §5.9: names as given, trailing CR/LF trimmed from column values, optional fields null', () => {
  const r = row(withFields(UAL_EXAMPLES.addMailboxPermission, { ObjectId: 'Test User\r\n', Operation: 'add-mailboxpermission' }));
  assert.equal(r.objectId, 'Test User');
  assert.equal(r.operation, 'add-mailboxpermission');
  const drift = row({ id: 'CA0EFC24-1B89-4962-8FEF-A3AC5437302F', creationtime: '2020-02-10T15:13:13', recordtype: '15', clientip: '1.2.3.4:80' });
  assert.equal(drift.id, 'ca0efc24-1b89-4962-8fef-a3ac5437302f');
  assert.equal(drift.clientIp, '1.2.3.4');
  assert.equal(drift.operation, '');
  assert.equal(drift.siteUrl, null);
});

test('§5.8 UserKey forms are kept verbatim', () => {
  for (const key of ['1003200096971F55@testsiem.onmicrosoft.com', '1003200096971F55', 'S-1-5-18', 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)']) {
    assert.equal(row(withFields(UAL_EXAMPLES.addMailboxPermission, { UserKey: key })).userKey, key);
  }
});

test('tenant: the source wins; OrganizationId when the source names none; neither is a rejection', () => {
  const r = row(UAL_EXAMPLES.dlpSharePoint, { tenantId: '', contentType: 'DLP.All', sourceId: 'import:x' });
  assert.equal(r.tenantId, '0e1dddce-163e-4b0b-9e33-87ba56ac4655');
  assert.equal(r.organizationId, '0e1dddce-163e-4b0b-9e33-87ba56ac4655');
  const none = normalize(withFields(UAL_EXAMPLES.dlpSharePoint, { OrganizationId: undefined }), { tenantId: '', contentType: null, sourceId: 'x' });
  assert.equal(none.ok, false);
  assert.match(none.ok ? '' : none.rejection.reason, /tenant/);
});

test('rejections name the field at fault', () => {
  assert.match(reason(withFields(UAL_EXAMPLES.stsLogon, { Id: undefined })), /Id is missing/);
  assert.match(reason(withFields(UAL_EXAMPLES.stsLogon, { Id: 42 })), /Id is missing or not a string/);
  assert.match(reason(withFields(UAL_EXAMPLES.stsLogon, { Id: 'has spaces in it' })), /Id is not/);
  assert.match(reason(withFields(UAL_EXAMPLES.stsLogon, { CreationTime: undefined })), /CreationTime is missing/);
  assert.match(reason(withFields(UAL_EXAMPLES.stsLogon, { CreationTime: 'soon' })), /CreationTime is not a date-time: "soon"/);
  assert.match(reason(withFields(UAL_EXAMPLES.stsLogon, { RecordType: 'abc' })), /RecordType is not a number/);
  assert.match(reason(withFields(UAL_EXAMPLES.stsLogon, { RecordType: undefined })), /RecordType is missing/);
  assert.match(reason('{"Id":'), /not valid JSON/);
  assert.match(reason('[1,2]'), /an array, not a JSON object/);
  assert.match(reason(null), /null, not a JSON object/);
  assert.match(reason(7), /a number, not a JSON object/);
});

test('text input: BOM tolerated, bytes accepted, raw is the text as given', () => {
  const r = row(`\uFEFF${UAL_EXAMPLES.teamsMemberAdded}`);
  assert.equal(r.raw, UAL_EXAMPLES.teamsMemberAdded);
  const bytes = row(new TextEncoder().encode(UAL_EXAMPLES.teamsMemberAdded));
  assert.equal(bytes.id, '3350cfd2-1020-5b11-99d8-2701f3a29ea3');
  const fromObject = row(JSON.parse(UAL_EXAMPLES.teamsMemberAdded));
  assert.deepEqual(JSON.parse(fromObject.raw), JSON.parse(UAL_EXAMPLES.teamsMemberAdded));
});

test('a Security & Compliance alert is about the user in its Data (or its user entity), not the pseudo-user', () => {
  const alert = (fields: Record<string, unknown>) =>
    row({ Id: '7d6297b5-e4a7-46f0-3c1e-08d7b1c1fb22', RecordType: 40, CreationTime: '2020-02-14T19:00:00', Operation: 'AlertTriggered', OrganizationId: SOURCE.tenantId, UserType: 4, UserKey: 'SecurityComplianceAlerts', UserId: 'SecurityComplianceAlerts', Workload: 'SecurityComplianceCenter', ...fields });
  assert.equal(alert({ Data: '{"f3u":"asr@testsiem.onmicrosoft.com","op":"GrantAdminPermission","sev":"Low"}' }).userId, 'asr@testsiem.onmicrosoft.com');
  assert.equal(alert({ Data: { f3u: 'a@x.com;b@x.com' } }).userId, 'a@x.com');
  const entity = alert({ Operation: 'AlertEntityGenerated', EntityType: 'User', AlertEntityId: 'bob@contoso.com', Data: '{"sev":"Low"}' });
  assert.equal(entity.userId, 'bob@contoso.com');
  assert.equal(entity.userKey, 'SecurityComplianceAlerts', 'UserKey keeps what the record says');
  assert.ok(entity.raw.includes('"UserId":"SecurityComplianceAlerts"'), 'the raw record is kept as written');
  // No user in Data (or Data that is not JSON): the pseudo-user stays.
  assert.equal(alert({ Data: '{"sev":"Low"}' }).userId, 'SecurityComplianceAlerts');
  assert.equal(alert({ Data: 'not json' }).userId, 'SecurityComplianceAlerts');
  // Another record's Data is not read.
  assert.equal(row({ Id: '8d6297b5-e4a7-46f0-3c1e-08d7b1c1fb22', RecordType: 1, CreationTime: '2020-02-14T19:00:00', Operation: 'Set-Mailbox', OrganizationId: SOURCE.tenantId, UserId: 'admin@contoso.com', Data: '{"f3u":"x@y.com"}' }).userId, 'admin@contoso.com');
});
