// Identity coverage scenarios (Audit.AzureActiveDirectory): a tenant-wide password spray from many
// addresses, OAuth phishing through a first-party Microsoft client (authorize and token from different
// addresses, then a device registered), device-code sign-ins, a new MFA method registered, a trusted
// network added to the MFA / Conditional Access locations, phishing-kit and offensive-tool user agents,
// the Advanced Auditing licence plan removed, a privileged permission added to an application's
// manifest; and their benign look-alikes.

import { fastGuid } from '../tenant/ids.js';
import { COUNTRIES, HOSTILE_COUNTRIES } from '../tenant/data.js';
import { addressIn, type SimUser } from '../tenant/directory.js';
import { directoryAudit, signIn, userTarget, type Modified } from '../tenant/records.js';
import type { ScenarioDef, ScenarioRun } from './context.js';
import { ANONYMOUS_IP_ACTIVITY, raiseBuiltinAlert } from './alerts.js';

const AAD = 'Audit.AzureActiveDirectory' as const;
const S = 1000;
const MIN = 60_000;
const EXO = '00000002-0000-0ff1-ce00-000000000000';
const GRAPH = '00000003-0000-0000-c000-000000000000';
/** First-party clients abused for OAuth phishing: Microsoft Authentication Broker, Azure CLI. */
const BROKER = '29d9ed98-a469-4536-ade2-f981bc1d605e';
const OFFICE = 'd3590ed6-52b3-4102-aeff-aad2292ab01c';
const TEAMS = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';
/** The Microsoft 365 Advanced Auditing service plan (M365_ADVANCED_AUDITING). */
const ADVANCED_AUDITING = '2f442157-a11c-46b9-ae5b-6e39ff4e5849';
const EXCHANGE_PLAN = 'efb87545-963c-4e0d-99df-69c6916d9eb0';
const TEAMS_PLAN = '57ff2da0-773e-42df-b2af-ffb7a2317929';
/** Graph permission ids: User.Read (delegated), Mail.Read and RoleManagement.ReadWrite.Directory (application). */
const USER_READ = 'e1fe6dd8-ba31-4d61-89e7-88639da4683d';
const MAIL_READ = '810c84a8-4a9e-49e6-bf7d-12d183f40d01';
const ROLE_MANAGEMENT = '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8';

function deviceTarget(name: string, id: string) {
  return {
    id: name,
    identities: [
      { ID: `Device_${id}`, Type: 2 },
      { ID: id, Type: 2 },
      { ID: 'Device', Type: 2 },
      { ID: name, Type: 1 },
    ],
  };
}

/** A broker sign-in pair (authorize, then token) and a device registration, from one or two addresses. */
function brokerThenDevice(s: ScenarioRun, attack: boolean): ReturnType<ScenarioDef['run']> {
  const u = s.victims(1)[0]!;
  const ip = attack ? s.attackerIp(true, u.country) : u.homeIp;
  const deviceId = fastGuid(s.rng);
  const device = attack ? 'DESKTOP-7Q2K9LM' : `${u.alias.toUpperCase().slice(0, 8)}-LAPTOP`;
  s.add(AAD, s.at, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '0', application: BROKER, resource: GRAPH, requestType: 'OAuth2:Authorize' }));
  s.add(AAD, s.at + 90 * S, (c) => signIn(c, u, { ip, agent: attack ? 'python-requests/2.31.0' : u.agent, error: '0', application: BROKER, resource: GRAPH, requestType: 'OAuth2:Token' }));
  s.add(AAD, s.at + 6 * MIN, (c) =>
    directoryAudit(c, u, 'Add device.', deviceTarget(device, deviceId), [
      { Name: 'AccountEnabled', OldValue: '[]', NewValue: '[true]' },
      { Name: 'DeviceOSType', OldValue: '[]', NewValue: '["Windows"]' },
      { Name: 'DeviceTrustType', OldValue: '[]', NewValue: '["Workplace"]' },
      { Name: 'DisplayName', OldValue: '[]', NewValue: `["${device}"]` },
    ]),
  );
  s.add(AAD, s.at + 6 * MIN + 2 * S, (c) => directoryAudit(c, u, 'Add registered owner to device.', deviceTarget(device, deviceId), []));
  return { actors: attack ? [u.upn, ip] : [u.upn], victims: [u.upn], details: { device } };
}

function policyTarget(id: string) {
  return { id, identities: [{ ID: `Policy_${id}`, Type: 2 }, { ID: id, Type: 2 }, { ID: 'Policy', Type: 2 }] };
}

function plans(ids: string[]): string {
  return JSON.stringify(ids.map((id, i) => ({ SubscribedPlanId: `0c8e1f2a-4b5c-4d6e-8f70-${String(i).padStart(12, '0')}`, ServiceInstance: 'Exchange/EURP281-001-01', CapabilityStatus: 0, AssignedTimestamp: '2025-11-03T08:12:40Z', InitialState: null, Capability: null, ServicePlanId: id })));
}

function licence(s: ScenarioRun, removed: boolean): ReturnType<ScenarioDef['run']> {
  const actor = s.actor(true);
  const victim = s.victims(1, [actor])[0]!;
  const before = [EXCHANGE_PLAN, ADVANCED_AUDITING];
  const after = removed ? [EXCHANGE_PLAN] : [EXCHANGE_PLAN, ADVANCED_AUDITING, TEAMS_PLAN];
  s.add(AAD, s.at, (c) =>
    directoryAudit(c, actor, 'Change user license.', userTarget(victim), [
      { Name: 'AssignedLicense', OldValue: '["[SkuName=SPE_E5, AccountId=…, SkuId=06ebc4ee-1bb5-47dd-8120-11324bc54e06, DisabledPlans=[]]"]', NewValue: `["[SkuName=SPE_E5, AccountId=…, SkuId=06ebc4ee-1bb5-47dd-8120-11324bc54e06, DisabledPlans=[${removed ? ADVANCED_AUDITING : ''}]]"]` },
      { Name: 'AssignedPlan', OldValue: plans(before), NewValue: plans(after) },
    ]),
  );
  return { actors: [actor.upn], victims: [victim.upn] };
}

function requiredAccess(ids: { id: string; app: boolean }[]): string {
  return JSON.stringify([{ ResourceAppId: GRAPH, RequiredAppPermissions: ids.map((p) => ({ EntitlementId: p.id, DirectAccessGrant: p.app, ImpersonationAccessGrants: p.app ? [] : [GRAPH] })), EncodingVersion: 1 }]);
}

function manifest(s: ScenarioRun, before: { id: string; app: boolean }[], after: { id: string; app: boolean }[]): ReturnType<ScenarioDef['run']> {
  const actor = s.actor(true);
  const app = s.rng.pick(s.dir.apps);
  const target = { id: app.objectId, identities: [{ ID: `Application_${app.objectId}`, Type: 2 }, { ID: app.objectId, Type: 2 }, { ID: 'Application', Type: 2 }, { ID: app.name, Type: 1 }, { ID: app.appId, Type: 2 }] };
  const modified: Modified[] = [{ Name: 'RequiredResourceAccess', OldValue: requiredAccess(before), NewValue: requiredAccess(after) }];
  s.add(AAD, s.at, (c) => directoryAudit(c, actor, 'Update application.', target, modified, [{ Name: 'extendedAuditEventCategory', Value: 'Application' }]));
  return { actors: [actor.upn], victims: [app.name], details: { appId: app.appId } };
}

function mfaChange(s: ScenarioRun, u: SimUser, registered: boolean): void {
  const appDetail = '[{"DeviceName":"Pixel 7","DeviceToken":"APA91bH…","DeviceTag":"SoftwareTokenActivated","PhoneAppVersion":"6.2401.0119","OathTokenTimeDrift":0,"DeviceId":"00000000-0000-0000-0000-000000000000","Id":"5c2e9a8f-3b1d-4f6e-9a7c-2d4b6e8f0a1c","TimeInterval":0,"AuthenticationType":3,"NotificationType":4}]';
  const methodsBefore = '[{"MethodType":6,"Default":true},{"MethodType":7,"Default":false}]';
  const methodsAfter = registered ? '[{"MethodType":6,"Default":true},{"MethodType":7,"Default":false},{"MethodType":8,"Default":false}]' : '[{"MethodType":6,"Default":false},{"MethodType":7,"Default":true}]';
  const modified: Modified[] = [{ Name: 'StrongAuthenticationMethod', OldValue: methodsBefore, NewValue: methodsAfter }];
  if (registered) modified.push({ Name: 'StrongAuthenticationPhoneAppDetail', OldValue: '[]', NewValue: appDetail });
  s.add(AAD, s.at, (c) => directoryAudit(c, u, registered ? 'User registered security info.' : 'User changed default security info.', userTarget(u), [], [{ Name: 'extendedAuditEventCategory', Value: 'UserManagement' }]));
  s.add(AAD, s.at + 3 * S, (c) => directoryAudit(c, u, 'Update user.', userTarget(u), modified));
}

export const IDENTITY_SCENARIOS: ScenarioDef[] = [
  {
    name: 'distributed-password-spray',
    label: 'attack',
    summary: 'A password spray across the tenant from many addresses (residential proxies in several countries): one UserLoginFailed 50126 per account, 40 accounts, each from its own address, within 25 minutes.',
    params: ['intensity (accounts, default 40)'],
    run(s) {
      const n = s.number('intensity', 40, 2, 5000);
      const victims = s.victims(Math.min(n, s.dir.users.length - 4));
      // Credential stuffing also tries leaked addresses that are not (or no longer) accounts: 50034.
      const guesses = Array.from({ length: n - victims.length }, (_, i) => ({ ...victims[i % victims.length]!, upn: `${['info', 'admin', 'sales', 'hr', 'jobs', 'office'][i % 6]}${i}@${s.dir.domain}` }));
      const ips: string[] = [];
      [...victims, ...guesses].forEach((v, i) => {
        const country = COUNTRIES[HOSTILE_COUNTRIES[i % HOSTILE_COUNTRIES.length]!]!;
        const ip = addressIn(s.rng, country.isp);
        ips.push(ip);
        const error = i < victims.length ? '50126' : '50034';
        s.add(AAD, s.at + i * 37 * S, (c) => signIn(c, v, { ip, agent: v.agent, error, resource: EXO, requestType: 'Login:login' }));
      });
      return { actors: ips.slice(0, 10), victims: victims.map((v) => v.upn), details: { addresses: ips.length } };
    },
  },
  {
    name: 'password-typo-wave',
    label: 'benign',
    summary: 'After a password-expiry reminder, six users each mistype their new password once (50126 from their own address and browser) within 20 minutes and then sign in.',
    params: [],
    run(s) {
      const users = s.pickUsers(Math.min(6, s.dir.users.length), false);
      users.forEach((u, i) => {
        s.add(AAD, s.at + i * 3 * MIN, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '50126', requestType: 'Login:login' }));
        s.add(AAD, s.at + i * 3 * MIN + 25 * S, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '0', requestType: 'Login:login' }));
      });
      return { actors: users.map((u) => u.upn), victims: users.map((u) => u.upn) };
    },
  },
  {
    name: 'first-party-oauth-phish',
    label: 'attack',
    summary: 'OAuth phishing through a first-party client: the victim authorizes the Microsoft Authentication Broker (OAuth2:Authorize from their address), the code is redeemed from an attacker address (OAuth2:Token), then a device is registered ("Add device.", "Add registered owner to device.").',
    params: ['victims (1 UPN)', 'ip'],
    run: (s) => brokerThenDevice(s, true),
  },
  {
    name: 'device-registration',
    label: 'benign',
    summary: 'A user registers a new laptop: broker authorize and token from their own address, then "Add device." and "Add registered owner to device.".',
    params: ['victims (1 UPN)'],
    run: (s) => brokerThenDevice(s, false),
  },
  {
    name: 'device-code-phish',
    label: 'attack',
    summary: 'A device-code sign-in (UserLoggedIn, RequestType Cmsi:Cmsi) to Microsoft Office for a victim, the code typed in by the victim on a phishing prompt; then the attacker uses the token from a hosting address.',
    params: ['victims (1 UPN)', 'ip'],
    run(s) {
      const u = s.victims(1)[0]!;
      const ip = s.attackerIp(true, u.country);
      s.add(AAD, s.at, (c) => signIn(c, u, { ip: u.homeIp, agent: u.agent, error: '0', application: OFFICE, resource: GRAPH, requestType: 'Cmsi:Cmsi' }));
      s.add(AAD, s.at + 40 * S, (c) => signIn(c, u, { ip, agent: 'python-requests/2.31.0', error: '0', application: OFFICE, resource: GRAPH, requestType: 'Cmsi:Cmsi' }));
      return { actors: [u.upn, ip], victims: [u.upn] };
    },
  },
  {
    name: 'teams-device-code-signin',
    label: 'benign',
    summary: 'A Teams meeting-room display signs in with a device code (Cmsi:Cmsi, Microsoft Teams client) from the office address.',
    params: ['victims (1 UPN: the room account)'],
    run(s) {
      const u = s.victims(1)[0]!;
      s.add(AAD, s.at, (c) => signIn(c, u, { ip: u.homeIp, agent: 'Mozilla/5.0 (Linux; Android 10; TeamsRoom) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.6.00.1381 Mobile Safari/537.36', error: '0', application: TEAMS, requestType: 'Cmsi:Cmsi' }));
      return { actors: [u.upn], victims: [u.upn] };
    },
  },
  {
    name: 'mfa-method-registered',
    label: 'attack',
    summary: 'A new authenticator app is registered on a compromised account: "User registered security info." and "Update user." with StrongAuthenticationPhoneAppDetail added.',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      mfaChange(s, u, true);
      return { actors: [u.upn], victims: [u.upn] };
    },
  },
  {
    name: 'mfa-default-method-changed',
    label: 'benign',
    summary: 'A user changes their default MFA method: "User changed default security info." and "Update user." with only StrongAuthenticationMethod reordered.',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      mfaChange(s, u, false);
      return { actors: [u.upn], victims: [u.upn] };
    },
  },
  {
    name: 'mfa-trusted-ip-added',
    label: 'attack',
    summary: 'An admin marks an attacker\'s address range as a trusted location ("Update policy." of a KnownNetworkPolicy with Categories trusted), so MFA is skipped from it.',
    params: ['actor (admin UPN)', 'ip'],
    run(s) {
      const actor = s.actor(true);
      const ip = s.attackerIp(true);
      const id = fastGuid(s.rng);
      const old = '[{"KnownNetworkPolicies":{"NetworkName":"Head office","NetworkId":"' + id + '","CidrIpRanges":["' + actor.homeIp + '/32"],"Categories":["trusted"],"ApplyToUnknownCountry":false}}]';
      const next = '[{"KnownNetworkPolicies":{"NetworkName":"Head office","NetworkId":"' + id + '","CidrIpRanges":["' + actor.homeIp + '/32","' + ip + '/32"],"Categories":["trusted"],"ApplyToUnknownCountry":false}}]';
      s.add(AAD, s.at, (c) => directoryAudit(c, actor, 'Update policy.', policyTarget(id), [{ Name: 'PolicyDetail', OldValue: old, NewValue: next }, { Name: 'PolicyType', OldValue: '6', NewValue: '6' }]));
      return { actors: [actor.upn], victims: [], details: { ip } };
    },
  },
  {
    name: 'named-location-added',
    label: 'benign',
    summary: 'An admin adds a named location of blocked countries (not trusted): "Add policy." of a KnownNetworkPolicy with country codes and no trusted category.',
    params: ['actor (admin UPN)'],
    run(s) {
      const actor = s.actor(true);
      const id = fastGuid(s.rng);
      const detail = '[{"KnownNetworkPolicies":{"NetworkName":"Blocked countries","NetworkId":"' + id + '","CountryIsoCodes":["KP","IR"],"Categories":[],"ApplyToUnknownCountry":true}}]';
      s.add(AAD, s.at, (c) => directoryAudit(c, actor, 'Add policy.', policyTarget(id), [{ Name: 'PolicyDetail', OldValue: '', NewValue: detail }, { Name: 'PolicyType', OldValue: '', NewValue: '6' }]));
      return { actors: [actor.upn], victims: [] };
    },
  },
  {
    name: 'offensive-tool-signin',
    label: 'attack',
    summary: 'Sign-ins with the user agents of a phishing kit\'s proxy (axios) and of an offensive toolkit (AADInternals), from hosting addresses.',
    params: ['victims (1 UPN)', 'ip'],
    run(s) {
      const u = s.victims(1)[0]!;
      const ip = s.attackerIp(true, u.country);
      s.add(AAD, s.at, (c) => signIn(c, u, { ip, agent: 'axios/1.7.9', error: '0', resource: EXO, requestType: 'Login:login' }));
      s.add(AAD, s.at + 4 * MIN, (c) => signIn(c, u, { ip, agent: 'AADInternals', error: '0', resource: GRAPH, requestType: 'OAuth2:Token' }));
      raiseBuiltinAlert(s, s.at, u.upn, ANONYMOUS_IP_ACTIVITY);
      return { actors: [u.upn, ip], victims: [u.upn] };
    },
  },
  {
    name: 'admin-powershell-signin',
    label: 'benign',
    summary: 'An admin signs in with Windows PowerShell (the Exchange Online module) from their own address.',
    params: ['actor (admin UPN)'],
    run(s) {
      const u = s.actor(true);
      s.add(AAD, s.at, (c) => signIn(c, u, { ip: u.homeIp, agent: 'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506', error: '0', resource: EXO, requestType: 'OAuth2:Token' }));
      return { actors: [u.upn], victims: [u.upn] };
    },
  },
  {
    name: 'advanced-audit-license-removed',
    label: 'attack',
    summary: '"Change user license." that disables the Advanced Auditing plan (M365_ADVANCED_AUDITING) of a user: their MailItemsAccessed and search records stop.',
    params: ['actor (admin UPN)', 'victims (1 UPN)'],
    run: (s) => licence(s, true),
  },
  {
    name: 'license-plan-added',
    label: 'benign',
    summary: '"Change user license." that adds the Teams plan and keeps Advanced Auditing.',
    params: ['actor (admin UPN)', 'victims (1 UPN)'],
    run: (s) => licence(s, false),
  },
  {
    name: 'app-manifest-privileged-permission',
    label: 'attack',
    summary: '"Update application." whose RequiredResourceAccess gains Graph application permissions RoleManagement.ReadWrite.Directory and Mail.Read.',
    params: ['actor (admin UPN)'],
    run: (s) =>
      manifest(
        s,
        [{ id: USER_READ, app: false }],
        [{ id: USER_READ, app: false }, { id: ROLE_MANAGEMENT, app: true }, { id: MAIL_READ, app: true }],
      ),
  },
  {
    name: 'app-manifest-permission-kept',
    label: 'benign',
    summary: '"Update application." of an app that already had Mail.Read: User.Read is added, nothing privileged is new.',
    params: ['actor (admin UPN)'],
    run: (s) => manifest(s, [{ id: MAIL_READ, app: true }], [{ id: MAIL_READ, app: true }, { id: USER_READ, app: false }]),
  },
];
