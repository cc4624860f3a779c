// Tests of identity extraction on the example records of ual-schema.md and the families it names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractIdentities, normalizeIdentity, type IdentityFact } from './identities.js';
import { normalize } from './normalize.js';
import { UAL_EXAMPLES } from './testdata/ual-examples.js';
import type { EventRow } from './types.js';

const TENANT = 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd';

function rowOf(record: unknown): EventRow {
  const r = normalize(record, { tenantId: TENANT, contentType: null, sourceId: 't' });
  assert.ok(r.ok, r.ok ? '' : r.rejection.reason);
  return r.row;
}

function pairs(facts: IdentityFact[]): string[] {
  for (const f of facts) assert.equal(f.tenantId, TENANT);
  return facts.map((f) => `${f.a.kind}:${f.a.value} = ${f.b.kind}:${f.b.value}`).sort();
}

function patch(text: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...(JSON.parse(text) as Record<string, unknown>), ...fields };
}

test('STS sign-in: Actor UPN ↔ object id (Type 0) ↔ PUID (Type 3); UserKey PUID@domain', () => {
  assert.deepEqual(pairs(extractIdentities(rowOf(UAL_EXAMPLES.stsLogon))), [
    'upn:asr@testsiem.onmicrosoft.com = objectId:755e500a-6c03-46b0-b53b-282f23374e3b',
    'upn:asr@testsiem.onmicrosoft.com = puid:1003200096971f55',
  ]);
});

test('directory audit: actor and target User_<guid> and UPN; ServicePrincipal and "User" entries ignored', () => {
  assert.deepEqual(pairs(extractIdentities(rowOf(UAL_EXAMPLES.addMemberToRole))), [
    'upn:admin@contoso.com = objectId:0e4f2a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
    'upn:admin@contoso.com = puid:10032000a1b2c3d4',
    'upn:mallory@contoso.com = objectId:9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d',
  ]);
  const addUser = rowOf(patch(UAL_EXAMPLES.addMemberToRole, {
    Operation: 'Add user.',
    Actor: [{ ID: 'ServicePrincipal_6f1d2c3b-0000-4000-8000-000000000001', Type: 2 }],
    UserId: 'ServicePrincipal_6f1d2c3b-0000-4000-8000-000000000001',
    UserKey: '6f1d2c3b-0000-4000-8000-000000000001',
    ModifiedProperties: [
      { Name: 'DisplayName', OldValue: '[]', NewValue: '["Mallory  Evil"]' },
      { Name: 'MailNickname', OldValue: '[]', NewValue: '["mallory"]' },
    ],
    ExtendedProperties: [{ Name: 'actorUPN', Value: 'Sync@Contoso.com' }, { Name: 'actorObjectId', Value: '11111111-2222-4333-8444-555555555555' }],
  }));
  assert.deepEqual(pairs(extractIdentities(addUser)), [
    'upn:mallory@contoso.com = alias:mallory',
    'upn:mallory@contoso.com = displayName:Mallory Evil',
    'upn:mallory@contoso.com = objectId:9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d',
    'upn:sync@contoso.com = objectId:11111111-2222-4333-8444-555555555555',
  ]);
});

test('Exchange admin: TokenObjectId ↔ UserId, bare PUID UserKey; New-Mailbox teaches alias and display name', () => {
  const grant = rowOf(patch(UAL_EXAMPLES.addMailboxPermission, { TokenObjectId: 'AAAA0000-1111-4222-8333-444455556666' }));
  assert.deepEqual(pairs(extractIdentities(grant)), [
    'upn:user@example.com = objectId:aaaa0000-1111-4222-8333-444455556666',
    'upn:user@example.com = puid:10032000a1b2c3d4',
  ]);
  const created = rowOf(patch(UAL_EXAMPLES.addMailboxPermission, {
    Operation: 'New-Mailbox', UserKey: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)', UserId: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)',
    Parameters: [{ Name: 'Alias', Value: 'BobS' }, { Name: 'MicrosoftOnlineServicesID', Value: 'Bob.Smith@Contoso.com' }, { Name: 'DisplayName', Value: 'Bob Smith' }],
  }));
  assert.deepEqual(pairs(extractIdentities(created)), [
    'upn:bob.smith@contoso.com = alias:bobs',
    'upn:bob.smith@contoso.com = displayName:Bob Smith',
  ]);
});

test('Exchange mailbox: owner UPN ↔ mailbox GUID ↔ owner SID; logon user SID and display name ↔ UserId', () => {
  const row = rowOf(patch(UAL_EXAMPLES.mailItemsAccessed, {
    MailboxOwnerSid: 's-1-5-21-1111-2222-3333-1001',
    LogonUserSid: 'S-1-5-21-1111-2222-3333-1002',
    LogonUserDisplayName: 'Mallory',
  }));
  assert.deepEqual(pairs(extractIdentities(row)), [
    'mailboxGuid:26286ffa-073d-45ff-9fe9-539891984d69 = sid:S-1-5-21-1111-2222-3333-1001',
    'upn:ceo@contoso.com = mailboxGuid:26286ffa-073d-45ff-9fe9-539891984d69',
    'upn:ceo@contoso.com = sid:S-1-5-21-1111-2222-3333-1001',
    'upn:mallory@contoso.com = displayName:Mallory',
    'upn:mallory@contoso.com = puid:10032000a1b2c3d4',
    'upn:mallory@contoso.com = sid:S-1-5-21-1111-2222-3333-1002',
  ]);
});

test('Teams Members[] UPN ↔ DisplayName and GUID UserKey; SharePoint claim UserKey gives the PUID', () => {
  assert.deepEqual(pairs(extractIdentities(rowOf(UAL_EXAMPLES.teamsMemberAdded))), [
    'upn:asr@testsiem.onmicrosoft.com = displayName:Alan Smithee',
    'upn:asr@testsiem.onmicrosoft.com = objectId:755e500a-6c03-46b0-b53b-282f23374e3b',
  ]);
  assert.deepEqual(pairs(extractIdentities(rowOf(UAL_EXAMPLES.fileUploaded))), ['upn:asr@testsiem.onmicrosoft.com = puid:1003200096971f55']);
});

test('system actors, alerts and DLP teach nothing; hostile values are refused', () => {
  assert.deepEqual(extractIdentities(rowOf(UAL_EXAMPLES.complianceAlert)), []);
  assert.deepEqual(extractIdentities(rowOf(UAL_EXAMPLES.dlpSharePoint)), []);
  const hostile = rowOf(patch(UAL_EXAMPLES.teamsMemberAdded, {
    Members: [{ UPN: 'x'.repeat(300) + '@a.b', DisplayName: 'X' }, { UPN: 'a@b.c', DisplayName: '   ' }, { UPN: 5, DisplayName: {} }, null, 'junk'],
    UserKey: '__proto__',
  }));
  assert.deepEqual(extractIdentities(hostile), []);
  const broken = { ...rowOf(UAL_EXAMPLES.teamsMemberAdded), raw: '{not json' };
  assert.deepEqual(pairs(extractIdentities(broken)), ['upn:asr@testsiem.onmicrosoft.com = objectId:755e500a-6c03-46b0-b53b-282f23374e3b']);
  assert.equal(normalizeIdentity('objectId', '{00000000-0000-0000-0000-000000000000}'), null);
  assert.equal(normalizeIdentity('objectId', '{AB0D6C8E-4F2A-4D1E-8C3B-5A6F7E8D9C0B}'), 'ab0d6c8e-4f2a-4d1e-8c3b-5a6f7e8d9c0b');
  assert.equal(normalizeIdentity('upn', 'not a upn'), null);
});
