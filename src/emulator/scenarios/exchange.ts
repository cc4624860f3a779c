// Exchange scenarios (Audit.Exchange): mailbox permission self-grants (User / Trustee written as UPN,
// alias, display name or object id), forwarding (inbox rule, Set-Mailbox, transport rule), audit
// logging disabled, mailbox audit bypass, MailItemsAccessed by a non-owner; and the benign look-alikes
// admin-grants-colleague-fullaccess and internal-forwarding-rule.

import { AppError } from '../../core/index.js';
import type { SimUser } from '../tenant/directory.js';
import { exchangeAdmin as anyOutcome, mailItemsAccessed } from '../tenant/records.js';

/** A cmdlet record that succeeded: a scenario's action takes effect (baseline cmdlets fail now and then). */
const exchangeAdmin = (...args: Parameters<typeof anyOutcome>) => {
  const r = anyOutcome(...args);
  r.ResultStatus = 'True';
  return r;
};
import { identityIn, IDENTITY_FORMS, type IdentityForm, type ScenarioDef, type ScenarioRun } from './context.js';
import { EXCHANGE_ADMIN_ELEVATION, raiseBuiltinAlert, SUSPICIOUS_EMAIL_FORWARDING, SUSPICIOUS_INBOX_FORWARDING } from './alerts.js';

const EXO = 'Audit.Exchange' as const;
const MIN = 60_000;

/** How the victim mailbox is named in Identity: UPN, alias or display name, by turn. */
function mailboxName(s: ScenarioRun, u: SimUser): string {
  const r = s.rng.next();
  return r < 0.4 ? u.upn : r < 0.7 ? u.alias : u.displayName;
}

function firstForm(s: ScenarioRun): number {
  return s.rng.int(0, IDENTITY_FORMS.length);
}

function grant(s: ScenarioRun, actor: SimUser, mailbox: SimUser, grantee: SimUser, form: IdentityForm, time: number, ip?: string): void {
  s.add(EXO, time, (c) =>
    exchangeAdmin(c, actor, 'Add-MailboxPermission', mailbox.displayName, [
      { Name: 'Identity', Value: mailboxName(s, mailbox) },
      { Name: 'User', Value: identityIn(grantee, form) },
      { Name: 'AccessRights', Value: 'FullAccess' },
      { Name: 'InheritanceType', Value: 'All' },
      { Name: 'AutoMapping', Value: 'False' },
    ], ip),
  );
}

export const EXCHANGE_SCENARIOS: ScenarioDef[] = [
  {
    name: 'mailbox-fullaccess-self-grant',
    label: 'attack',
    summary:
      'An admin runs Add-MailboxPermission -AccessRights FullAccess on other users\' mailboxes with -User = themself, written as UPN, alias, display name or object id (one grant per victim, forms rotate).',
    params: ['actor (admin UPN)', 'victims (UPNs)', 'intensity (victims, default 4)', 'form (upn|alias|displayName|objectId: every grant in this form)'],
    run(s) {
      const actor = s.actor(true);
      const victims = s.victims(s.number('intensity', 4, 1, 100), [actor]);
      const start = firstForm(s);
      const forms = victims.map((_, i) => s.form('form', IDENTITY_FORMS[(start + i) % IDENTITY_FORMS.length]!));
      victims.forEach((v, i) => grant(s, actor, v, actor, forms[i]!, s.at + i * 2 * MIN));
      raiseBuiltinAlert(s, s.at, actor.upn, EXCHANGE_ADMIN_ELEVATION);
      return { actors: [actor.upn], victims: victims.map((v) => v.upn), details: { userForms: forms } };
    },
  },
  {
    name: 'sendas-self-grant',
    label: 'attack',
    summary: 'An admin runs Add-RecipientPermission -AccessRights SendAs on another user\'s mailbox with -Trustee = themself (form varies).',
    params: ['actor (admin UPN)', 'victims (1 UPN)', 'form'],
    run(s) {
      const actor = s.actor(true);
      const victim = s.victims(1, [actor])[0]!;
      const form = s.form('form', IDENTITY_FORMS[firstForm(s)]!);
      s.add(EXO, s.at, (c) =>
        exchangeAdmin(c, actor, 'Add-RecipientPermission', victim.displayName, [
          { Name: 'Identity', Value: mailboxName(s, victim) },
          { Name: 'Trustee', Value: identityIn(actor, form) },
          { Name: 'AccessRights', Value: 'SendAs' },
          { Name: 'Confirm', Value: 'False' },
        ]),
      );
      return { actors: [actor.upn], victims: [victim.upn], details: { trusteeForm: form } };
    },
  },
  {
    name: 'inbox-rule-external-forward',
    label: 'attack',
    summary: 'A compromised user\'s session (attacker IP) runs New-InboxRule with ForwardTo an external address, MarkAsRead and StopProcessingRules.',
    params: ['victims (1 UPN: the mailbox owner whose session is used)', 'address', 'ip'],
    run(s) {
      const victim = s.victims(1)[0]!;
      const address = s.externalAddress();
      const ip = s.attackerIp(true, victim.country);
      s.add(EXO, s.at, (c) => {
        const r = exchangeAdmin(c, victim, 'New-InboxRule', `${victim.alias}\\.`, [
          { Name: 'AlwaysDeleteOutlookRulesBlob', Value: 'False' },
          { Name: 'Force', Value: 'False' },
          { Name: 'ForwardTo', Value: address },
          { Name: 'Name', Value: '.' },
          { Name: 'MarkAsRead', Value: 'True' },
          { Name: 'StopProcessingRules', Value: 'True' },
          { Name: 'SubjectOrBodyContainsWords', Value: 'invoice;payment;wire' },
        ], ip);
        r.UserType = 0;
        r.ResultStatus = 'True';
        return r;
      });
      raiseBuiltinAlert(s, s.at, victim.upn, SUSPICIOUS_INBOX_FORWARDING);
      return { actors: [victim.upn, ip], victims: [victim.upn], details: { address } };
    },
  },
  {
    name: 'mailbox-external-forwarding',
    label: 'attack',
    summary: 'Set-Mailbox -ForwardingSmtpAddress smtp:<external> -DeliverToMailboxAndForward True on a victim\'s mailbox, by an admin account.',
    params: ['actor (admin UPN)', 'victims (1 UPN)', 'address'],
    run(s) {
      const actor = s.actor(true);
      const victim = s.victims(1, [actor])[0]!;
      const address = s.externalAddress();
      s.add(EXO, s.at, (c) => {
        const r = exchangeAdmin(c, actor, 'Set-Mailbox', victim.displayName, [
          { Name: 'Identity', Value: mailboxName(s, victim) },
          { Name: 'ForwardingSmtpAddress', Value: `smtp:${address}` },
          { Name: 'DeliverToMailboxAndForward', Value: 'True' },
        ]);
        r.ResultStatus = 'True';
        return r;
      });
      raiseBuiltinAlert(s, s.at, victim.upn, SUSPICIOUS_EMAIL_FORWARDING);
      return { actors: [actor.upn], victims: [victim.upn], details: { address } };
    },
  },
  {
    name: 'transport-rule-external-copy',
    label: 'attack',
    summary: 'New-TransportRule with BlindCopyTo an external address for all mail sent by the organisation.',
    params: ['actor (admin UPN)', 'address'],
    run(s) {
      const actor = s.actor(true);
      const address = s.externalAddress();
      const name = 'Journal archive';
      s.add(EXO, s.at, (c) => {
        const r = exchangeAdmin(c, actor, 'New-TransportRule', name, [
          { Name: 'Name', Value: name },
          { Name: 'FromScope', Value: 'InOrganization' },
          { Name: 'BlindCopyTo', Value: address },
          { Name: 'Mode', Value: 'Enforce' },
          { Name: 'Priority', Value: '0' },
        ]);
        r.ResultStatus = 'True';
        return r;
      });
      return { actors: [actor.upn], victims: [], details: { address, rule: name } };
    },
  },
  {
    name: 'audit-logging-disabled',
    label: 'attack',
    summary: 'Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled False.',
    params: ['actor (admin UPN)'],
    run(s) {
      const actor = s.actor(true);
      s.add(EXO, s.at, (c) => {
        const r = exchangeAdmin(c, actor, 'Set-AdminAuditLogConfig', 'Admin Audit Log Settings', [
          { Name: 'UnifiedAuditLogIngestionEnabled', Value: 'False' },
        ]);
        r.ResultStatus = 'True';
        return r;
      });
      return { actors: [actor.upn], victims: [] };
    },
  },
  {
    name: 'mailbox-audit-bypass',
    label: 'attack',
    summary: 'Set-MailboxAuditBypassAssociation -AuditBypassEnabled True on a mailbox.',
    params: ['actor (admin UPN)', 'victims (1 UPN)'],
    run(s) {
      const actor = s.actor(true);
      const victim = s.victims(1, [actor])[0]!;
      s.add(EXO, s.at, (c) => {
        const r = exchangeAdmin(c, actor, 'Set-MailboxAuditBypassAssociation', victim.displayName, [
          { Name: 'Identity', Value: mailboxName(s, victim) },
          { Name: 'AuditBypassEnabled', Value: 'True' },
        ]);
        r.ResultStatus = 'True';
        return r;
      });
      return { actors: [actor.upn], victims: [victim.upn] };
    },
  },
  {
    name: 'mailitemsaccessed-non-owner',
    label: 'attack',
    summary: 'MailItemsAccessed (RecordType 50, Bind, LogonType 2) by a user who does not own the mailbox (UserId ≠ MailboxOwnerUPN).',
    params: ['actor (UPN)', 'victims (1 UPN)', 'intensity (records, default 6)'],
    run(s) {
      const actor = s.actor(false);
      const victim = s.victims(1, [actor])[0]!;
      const n = s.number('intensity', 6, 1, 10_000);
      for (let i = 0; i < n; i++) {
        s.add(EXO, s.at + i * 3 * MIN, (c) => mailItemsAccessed(c, actor, victim, actor.homeIp, 'Client=OWA;Action=ViaProxy', c.rng.int(2, 9), true));
      }
      return { actors: [actor.upn], victims: [victim.upn] };
    },
  },
  {
    name: 'admin-grants-colleague-fullaccess',
    label: 'benign',
    summary: 'An admin runs Add-MailboxPermission FullAccess on a mailbox for a colleague (not themself); -User written as UPN, alias, display name or object id.',
    params: ['actor (admin UPN)', 'victims (1 UPN: the mailbox)', 'grantee (UPN)', 'form'],
    run(s) {
      const actor = s.actor(true);
      const mailbox = s.victims(1, [actor])[0]!;
      const granteeUpn = s.text('grantee');
      const grantee = granteeUpn ? s.dir.users.find((u) => u.upn === granteeUpn.toLowerCase()) : s.pickUsers(1, false)[0];
      if (!grantee || grantee === actor) {
        throw new AppError('bad_scenario_param', 'Scenario admin-grants-colleague-fullaccess: grantee must be a UPN of the tenant other than the actor.');
      }
      const form = s.form('form', IDENTITY_FORMS[firstForm(s)]!);
      grant(s, actor, mailbox, grantee, form, s.at);
      return { actors: [actor.upn], victims: [mailbox.upn], details: { grantee: grantee.upn, userForm: form } };
    },
  },
  {
    name: 'internal-forwarding-rule',
    label: 'benign',
    summary: 'A user creates New-InboxRule with ForwardTo a colleague inside the organisation, from their own address.',
    params: ['actor (UPN)', 'victims (1 UPN: the colleague forwarded to)'],
    run(s) {
      const actor = s.actor(false);
      const colleague = s.victims(1, [actor])[0]!;
      s.add(EXO, s.at, (c) => {
        const r = exchangeAdmin(c, actor, 'New-InboxRule', `${actor.alias}\\Forward to ${colleague.displayName}`, [
          { Name: 'AlwaysDeleteOutlookRulesBlob', Value: 'False' },
          { Name: 'Force', Value: 'False' },
          { Name: 'ForwardTo', Value: colleague.upn },
          { Name: 'Name', Value: `Forward to ${colleague.displayName}` },
          { Name: 'SubjectContainsWords', Value: 'Support ticket' },
        ]);
        r.UserType = 0;
        r.ResultStatus = 'True';
        return r;
      });
      return { actors: [actor.upn], victims: [colleague.upn], details: { address: colleague.upn } };
    },
  },
];
