// Entra ID directory scenarios (RecordType 8, Audit.AzureActiveDirectory): MFA disabled, Global
// Administrator granted, consent to an unknown OAuth app, service principal credentials added, a
// federated domain added.

import { fastGuid } from '../tenant/ids.js';
import { ROLE_TEMPLATES } from '../tenant/data.js';
import { consentAudit, directoryAudit, servicePrincipalTarget, userTarget } from '../tenant/records.js';
import type { ScenarioDef } from './context.js';

const AAD = 'Audit.AzureActiveDirectory' as const;
const MIN = 60_000;

export const DIRECTORY_SCENARIOS: ScenarioDef[] = [
  {
    name: 'mfa-disabled',
    label: 'attack',
    summary: '"Disable Strong Authentication." on a user by an admin (StrongAuthenticationRequirement cleared).',
    params: ['actor (admin UPN)', 'victims (1 UPN)'],
    run(s) {
      const actor = s.actor(true);
      const victim = s.victims(1, [actor])[0]!;
      s.add(AAD, s.at, (c) =>
        directoryAudit(c, actor, 'Disable Strong Authentication.', userTarget(victim), [
          { Name: 'StrongAuthenticationRequirement', OldValue: '[{"RelyingParty":"*","State":1,"RememberDevicesNotIssuedBefore":"2024-01-15T09:12:44.1234567Z"}]', NewValue: '[]' },
        ]),
      );
      return { actors: [actor.upn], victims: [victim.upn] };
    },
  },
  {
    name: 'global-admin-granted',
    label: 'attack',
    summary: '"Add member to role." with Role.DisplayName Global Administrator (ObjectId = the new member\'s UPN).',
    params: ['actor (admin UPN)', 'victims (1 UPN: the new Global Administrator)', 'role (default Global Administrator)'],
    run(s) {
      const actor = s.actor(true);
      const member = s.victims(1, [actor])[0]!;
      const roleName = (s.text('role') ?? 'Global Administrator') as keyof typeof ROLE_TEMPLATES;
      const role = ROLE_TEMPLATES[roleName] ?? ROLE_TEMPLATES['Global Administrator'];
      s.add(AAD, s.at, (c) =>
        directoryAudit(c, actor, 'Add member to role.', userTarget(member), [
          { Name: 'Role.ObjectID', OldValue: '', NewValue: fastGuid(c.rng) },
          { Name: 'Role.DisplayName', OldValue: '', NewValue: roleName in ROLE_TEMPLATES ? roleName : 'Global Administrator' },
          { Name: 'Role.TemplateId', OldValue: '', NewValue: role.templateId },
          { Name: 'Role.WellKnownObjectName', OldValue: '', NewValue: role.wellKnown },
        ]),
      );
      return { actors: [actor.upn], victims: [member.upn] };
    },
  },
  {
    name: 'oauth-consent-unknown-app',
    label: 'attack',
    summary: 'A user consents to an application never seen in the tenant ("Add service principal." then "Consent to application." with mail scopes, IsAdminConsent False).',
    params: ['actor (UPN)', 'app (display name)'],
    run(s) {
      const actor = s.actor(false);
      const app = s.text('app') ?? s.rng.pick(['Mail Backup Pro', 'PDF Converter Online', 'Secure Doc Viewer', 'Outlook Sync Helper']);
      const appId = fastGuid(s.rng);
      const spId = fastGuid(s.rng);
      const target = servicePrincipalTarget(app, appId, spId);
      s.add(AAD, s.at, (c) =>
        directoryAudit(c, actor, 'Add service principal.', target, [
          { Name: 'AccountEnabled', OldValue: '[]', NewValue: '[true]' },
          { Name: 'AppPrincipalId', OldValue: '[]', NewValue: `["${appId}"]` },
          { Name: 'DisplayName', OldValue: '[]', NewValue: `["${app}"]` },
        ]),
      );
      s.add(AAD, s.at + 2_000, (c) => consentAudit(c, actor, target, 'Mail.ReadWrite Mail.Send Files.ReadWrite.All offline_access User.Read'));
      return { actors: [actor.upn], victims: [actor.upn], details: { app, appId } };
    },
  },
  {
    name: 'sp-credentials-added',
    label: 'attack',
    summary: '"Add service principal credentials." on an existing application (a new client secret).',
    params: ['actor (admin UPN)', 'app (display name of one of the tenant\'s apps)'],
    run(s) {
      const actor = s.actor(true);
      const want = s.text('app');
      const app = (want && s.dir.apps.find((a) => a.name === want)) || s.rng.pick(s.dir.apps);
      s.add(AAD, s.at, (c) =>
        directoryAudit(c, actor, 'Add service principal credentials.', servicePrincipalTarget(app.name, app.appId, app.objectId), [
          {
            Name: 'KeyDescription',
            OldValue: '[]',
            NewValue: `["[KeyIdentifier=${fastGuid(c.rng)},KeyType=Password,KeyUsage=Verify,DisplayName=automation]"]`,
          },
        ]),
      );
      return { actors: [actor.upn], victims: [app.name], details: { appId: app.appId } };
    },
  },
  {
    name: 'federated-domain-added',
    label: 'attack',
    summary: '"Add domain to company.", "Set domain authentication." (Managed → Federated) and "Set federation settings on domain." for a new domain.',
    params: ['actor (admin UPN)', 'domain'],
    run(s) {
      const actor = s.actor(true);
      const domain = s.text('domain') ?? `${s.rng.pick(['secure-login', 'sso-portal', 'idp-auth'])}${s.rng.int(10, 99)}.com`;
      const target = { id: domain, identities: [{ ID: domain, Type: 1 }] };
      s.add(AAD, s.at, (c) => directoryAudit(c, actor, 'Add domain to company.', target, []));
      s.add(AAD, s.at + 3 * MIN, (c) =>
        directoryAudit(c, actor, 'Set domain authentication.', target, [
          { Name: 'LiveType', OldValue: '["Managed"]', NewValue: '["Federated"]' },
        ]),
      );
      s.add(AAD, s.at + 4 * MIN, (c) =>
        directoryAudit(c, actor, 'Set federation settings on domain.', target, [
          { Name: 'IssuerUri', OldValue: '[]', NewValue: `["http://${domain}/adfs/services/trust"]` },
          { Name: 'PassiveLogOnUri', OldValue: '[]', NewValue: `["https://${domain}/adfs/ls/"]` },
        ]),
      );
      return { actors: [actor.upn], victims: [domain], details: { domain } };
    },
  },
];
