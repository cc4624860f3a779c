// Mailbox coverage scenarios (Audit.Exchange): a forwarding rule made in the Outlook client
// (UpdateInboxRules), mass mail collection (a burst of MailItemsAccessed binds ending throttled), one
// application reading many mailboxes, a mass hard delete, FullAccess / SendAs granted to an outside
// account, transport rules disabled and removed; and their benign look-alikes.

import { MAIL_SUBJECTS } from '../tenant/data.js';
import { fastGuid } from '../tenant/ids.js';
import { exchangeAdmin, mailGroup, mailItemsAccessed, type Pair } from '../tenant/records.js';
import { appMailAccess, updateInboxRules } from './builders.js';
import type { ScenarioDef, ScenarioRun } from './context.js';

const EXO = 'Audit.Exchange' as const;
const S = 1000;
const MIN = 60_000;

/** A cmdlet run that succeeded (baseline cmdlets fail now and then). */
function cmdlet(...args: Parameters<typeof exchangeAdmin>) {
  const r = exchangeAdmin(...args);
  r.ResultStatus = 'True';
  return r;
}

function outlookRule(s: ScenarioRun, external: boolean): ReturnType<ScenarioDef['run']> {
  const u = s.victims(1)[0]!;
  const colleague = s.pickUsers(1, false)[0]!;
  const to = external ? s.externalAddress() : colleague.upn;
  const ip = external ? s.attackerIp(true, u.country) : u.homeIp;
  const actions = external ? ['MarkAsReadAction', 'ForwardToRecipientsAction'] : ['ForwardToRecipientsAction'];
  s.add(EXO, s.at, (c) => updateInboxRules(c, u, external ? '..' : `Copy to ${colleague.displayName}`, actions, [to], ip));
  return { actors: external ? [u.upn, ip] : [u.upn], victims: [u.upn], details: { address: to } };
}

function hardDeletes(s: ScenarioRun, n: number, spacing: number): ReturnType<ScenarioDef['run']> {
  const u = s.actor(false);
  for (let i = 0; i < n; i++) {
    s.add(EXO, s.at + i * spacing, (c) => {
      const subjects = Array.from({ length: c.rng.int(1, 6) }, () => c.rng.pick(MAIL_SUBJECTS));
      const r = mailGroup(c, u, 'HardDelete', subjects, 'Client=OWA;Action=ViaProxy');
      delete r.DestFolder;
      r.Folder = { Id: (r.Folder as { Id: string }).Id, Path: n > 5 ? '\\Inbox' : '\\Deleted Items' };
      return r;
    });
  }
  return { actors: [u.upn], victims: [u.upn], details: { records: n } };
}

export const MAILBOX_SCENARIOS: ScenarioDef[] = [
  {
    name: 'outlook-rule-external-forward',
    label: 'attack',
    summary: 'From an attacker address in a victim\'s session, an Outlook-client inbox rule (UpdateInboxRules, AddMailboxRule) that marks as read and forwards to an outside address.',
    params: ['victims (1 UPN)', 'address', 'ip'],
    run: (s) => outlookRule(s, true),
  },
  {
    name: 'outlook-rule-internal-forward',
    label: 'benign',
    summary: 'A user makes an Outlook-client inbox rule (UpdateInboxRules) forwarding to a colleague, from their own address.',
    params: ['victims (1 UPN)'],
    run: (s) => outlookRule(s, false),
  },
  {
    name: 'mail-collection-throttled',
    label: 'attack',
    summary: 'A script in a victim\'s session binds many messages (MailItemsAccessed Bind, 40 records in 10 minutes) from a hosting address, the last ones marked IsThrottled True.',
    params: ['victims (1 UPN)', 'ip', 'intensity (records, default 40)'],
    run(s) {
      const u = s.victims(1)[0]!;
      const ip = s.attackerIp(true, u.country);
      const n = s.number('intensity', 40, 2, 10_000);
      const step = Math.max(S, Math.floor((10 * MIN) / n));
      for (let i = 0; i < n; i++) {
        s.add(EXO, s.at + i * step, (c) => {
          const r = mailItemsAccessed(c, u, u, ip, 'Client=REST;Client=RESTSystem;;', c.rng.int(20, 60), true);
          if (i >= n - 2) r.OperationProperties = [{ Name: 'MailAccessType', Value: 'Bind' }, { Name: 'IsThrottled', Value: 'True' }];
          return r;
        });
      }
      return { actors: [u.upn, ip], victims: [u.upn], details: { records: n } };
    },
  },
  {
    name: 'mailbox-resync',
    label: 'benign',
    summary: 'A user\'s new Outlook desktop client syncs their whole mailbox from their usual address: 60 MailItemsAccessed Sync records in 10 minutes.',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      for (let i = 0; i < 60; i++) s.add(EXO, s.at + i * 10 * S, (c) => mailItemsAccessed(c, u, u, u.homeIp, 'Client=MSExchangeRPC;', 0, false));
      return { actors: [u.upn], victims: [u.upn] };
    },
  },
  {
    name: 'app-reads-many-mailboxes',
    label: 'attack',
    summary: 'An application (app-only access, no user) reads mail of 25 mailboxes within 30 minutes (MailItemsAccessed Bind, UserType 5, AppId of the app) from a hosting address.',
    params: ['app (display name)', 'ip', 'intensity (mailboxes, default 25)'],
    run(s) {
      const n = s.number('intensity', 25, 2, 5000);
      const owners = s.victims(Math.min(n, s.dir.users.length - 2));
      const app = { name: s.text('app') ?? 'Mail Archiver Cloud', appId: fastGuid(s.rng), objectId: fastGuid(s.rng) };
      const ip = s.attackerIp(true);
      owners.forEach((o, i) => s.add(EXO, s.at + i * 70 * S, (c) => appMailAccess(c, app, o, ip, c.rng.int(5, 40))));
      return { actors: [app.appId, ip], victims: owners.map((o) => o.upn), details: { app: app.name, appId: app.appId } };
    },
  },
  {
    name: 'app-reads-few-mailboxes',
    label: 'benign',
    summary: 'The tenant\'s own integration app reads three shared mailboxes (MailItemsAccessed by the app) from a cloud address, as it does by design.',
    params: [],
    run(s) {
      const app = s.dir.apps[2] ?? s.dir.apps[0]!;
      const owners = s.pickUsers(3, false);
      const ip = s.attackerIp(true);
      owners.forEach((o, i) => s.add(EXO, s.at + i * 5 * MIN, (c) => appMailAccess(c, app, o, ip, c.rng.int(1, 5))));
      return { actors: [app.appId], victims: owners.map((o) => o.upn), details: { app: app.name } };
    },
  },
  {
    name: 'mass-hard-delete',
    label: 'attack',
    summary: 'One user purges mail (HardDelete, 30 records in about 10 minutes) from the Inbox: evidence being destroyed.',
    params: ['actor (UPN)'],
    run: (s) => hardDeletes(s, 30, 20 * S),
  },
  {
    name: 'empty-deleted-items',
    label: 'benign',
    summary: 'A user empties their Deleted Items folder: three HardDelete records within a minute.',
    params: ['actor (UPN)'],
    run: (s) => hardDeletes(s, 3, 15 * S),
  },
  {
    name: 'mailbox-grant-external',
    label: 'attack',
    summary: 'An admin gives a guest account FullAccess to a mailbox (Add-MailboxPermission -User x_domain#EXT#@tenant) and an outside address SendAs (Add-RecipientPermission -Trustee).',
    params: ['actor (admin UPN)', 'victims (1 UPN)', 'address'],
    run(s) {
      const actor = s.actor(true);
      const victim = s.victims(1, [actor])[0]!;
      const address = s.externalAddress();
      const guest = `${address.replace('@', '_')}#EXT#@${s.dir.domain}`;
      s.add(EXO, s.at, (c) =>
        cmdlet(c, actor, 'Add-MailboxPermission', victim.displayName, [
          { Name: 'Identity', Value: victim.upn },
          { Name: 'User', Value: guest },
          { Name: 'AccessRights', Value: 'FullAccess' },
          { Name: 'InheritanceType', Value: 'All' },
        ]),
      );
      s.add(EXO, s.at + 2 * MIN, (c) =>
        cmdlet(c, actor, 'Add-RecipientPermission', victim.displayName, [
          { Name: 'Identity', Value: victim.alias },
          { Name: 'Trustee', Value: address },
          { Name: 'AccessRights', Value: 'SendAs' },
          { Name: 'Confirm', Value: 'False' },
        ]),
      );
      return { actors: [actor.upn], victims: [victim.upn], details: { guest, address } };
    },
  },
  {
    name: 'transport-rule-removed',
    label: 'attack',
    summary: 'An admin disables and then removes the transport rule that blocks automatic forwarding outside the organisation (Disable-TransportRule, Remove-TransportRule).',
    params: ['actor (admin UPN)'],
    run(s) {
      const actor = s.actor(true);
      const name = 'Block external auto-forwarding';
      const p: Pair[] = [{ Name: 'Identity', Value: name }, { Name: 'Confirm', Value: 'False' }];
      s.add(EXO, s.at, (c) => cmdlet(c, actor, 'Disable-TransportRule', name, p));
      s.add(EXO, s.at + 3 * MIN, (c) => cmdlet(c, actor, 'Remove-TransportRule', name, p));
      return { actors: [actor.upn], victims: [], details: { rule: name } };
    },
  },
  {
    name: 'transport-rule-edited',
    label: 'benign',
    summary: 'An admin changes the comments and priority of a transport rule (Set-TransportRule) and enables a new disclaimer rule (Enable-TransportRule).',
    params: ['actor (admin UPN)'],
    run(s) {
      const actor = s.actor(true);
      s.add(EXO, s.at, (c) =>
        cmdlet(c, actor, 'Set-TransportRule', 'Block external auto-forwarding', [
          { Name: 'Identity', Value: 'Block external auto-forwarding' },
          { Name: 'Comments', Value: 'Reviewed by the security team' },
          { Name: 'Priority', Value: '1' },
        ]),
      );
      s.add(EXO, s.at + 2 * MIN, (c) => cmdlet(c, actor, 'Enable-TransportRule', 'External disclaimer', [{ Name: 'Identity', Value: 'External disclaimer' }]));
      return { actors: [actor.upn], victims: [] };
    },
  },
];
