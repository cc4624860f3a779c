// Threat and data-protection coverage scenarios: Defender for Office 365 records (a phish delivered,
// its Safe Links block clicked through, then purged by ZAP; a malicious file in OneDrive), a
// high-severity DLP match, the SharePoint sharing policy weakened, searches for secrets (Advanced Audit
// search records), an external "help desk" Teams chat; and their benign look-alikes.

import { fastGuid } from '../tenant/ids.js';
import { MAIL_SUBJECTS } from '../tenant/data.js';
import { dlpExchange } from '../tenant/compliance.js';
import type { Rec } from '../tenant/records.js';
import { atpFile, searchQuery, sharePointAdmin, teamsChat, tiMail, tiUrlClick } from './builders.js';
import type { ScenarioDef, ScenarioRun } from './context.js';

const EXO = 'Audit.Exchange' as const;
const GEN = 'Audit.General' as const;
const SPO = 'Audit.SharePoint' as const;
const DLP = 'DLP.All' as const;
const S = 1000;
const MIN = 60_000;

function phishSender(s: ScenarioRun): string {
  return `${s.rng.pick(['docusign-notice', 'it-support', 'payroll-update', 'sharepoint-share'])}@${s.rng.pick(['secure-docs-portal.com', 'mail-verify365.net', 'office-notify.io'])}`;
}

function searches(s: ScenarioRun, queries: string[]): ReturnType<ScenarioDef['run']> {
  const u = s.actor(false);
  queries.forEach((q, i) => s.add(i % 3 === 2 ? EXO : SPO, s.at + i * 4 * MIN, (c) => searchQuery(c, u, i % 3 === 2 ? 'Exchange' : 'SharePoint', q, u.homeIp, u.agent)));
  return { actors: [u.upn], victims: [], details: { queries } };
}

function sharingPolicy(s: ScenarioRun, weaken: boolean): ReturnType<ScenarioDef['run']> {
  const actor = s.actor(true);
  const changes = weaken
    ? [
        { Name: 'SharingCapability', OldValue: 'ExistingExternalUserSharingOnly', NewValue: 'ExternalUserAndGuestSharing' },
        { Name: 'DefaultSharingLinkType', OldValue: 'Internal', NewValue: 'AnonymousAccess' },
      ]
    : [
        { Name: 'SharingCapability', OldValue: 'ExternalUserAndGuestSharing', NewValue: 'ExistingExternalUserSharingOnly' },
        { Name: 'RequireAnonymousLinksExpireInDays', OldValue: '0', NewValue: '30' },
      ];
  changes.forEach((m, i) => s.add(SPO, s.at + i * 20 * S, (c) => sharePointAdmin(c, actor, 'SharingPolicyChanged', [m])));
  return { actors: [actor.upn], victims: [] };
}

function helpdeskChat(s: ScenarioRun, external: boolean): ReturnType<ScenarioDef['run']> {
  const u = s.victims(1)[0]!;
  const peer = external
    ? { upn: `helpdesk@${s.rng.pick(['itsupport-desk', 'msft-helpdesk', 'securityteam-support'])}${s.rng.int(10, 99)}.onmicrosoft.com`, displayName: 'IT Help Desk', tenantId: fastGuid(s.rng) }
    : { upn: `servicedesk@${s.dir.domain}`, displayName: 'IT Help Desk', tenantId: s.dir.tenantId };
  s.add(GEN, s.at, (c) => {
    const r = teamsChat(c, u, peer, external);
    if (external) r.UserId = peer.upn;
    return r;
  });
  s.add(GEN, s.at + 30 * S, (c) => {
    const r: Rec = teamsChat(c, u, peer, external);
    r.Operation = 'MessageSent';
    r.MessageId = String(c.rng.int(1_000_000_000, 1_999_999_999));
    if (external) {
      r.UserId = peer.upn;
      r.MessageURLs = ['https://quickassist.microsoft.com/'];
    }
    return r;
  });
  return { actors: [external ? peer.upn : u.upn], victims: [u.upn], details: { peer: peer.upn } };
}

export const THREAT_SCENARIOS: ScenarioDef[] = [
  {
    name: 'defender-phish-clicked',
    label: 'attack',
    summary: 'Defender for Office 365: a phish is found after delivery (TIMailData Delayed, Verdict Phish, Delivered), the recipient clicks through the Safe Links block page (TIUrlClickData UrlClickAction 4), then ZAP purges it (TIMailData ZAP).',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      const sender = phishSender(s);
      const subject = s.rng.pick(['Action required: shared document', 'Payroll update pending', 'Your mailbox is almost full']);
      const url = `https://${sender.split('@')[1]}/auth/${fastGuid(s.rng).slice(0, 8)}`;
      const messageId = `<${fastGuid(s.rng).slice(0, 16)}@${sender.split('@')[1]}>`;
      const base = { sender, subject, verdict: 'Phish' as const, threats: ['URL detonation reputation'], senderIp: s.attackerIp(true), messageId };
      s.add(GEN, s.at, (c) => tiMail(c, u, { ...base, detectionType: 'Delayed', deliveryAction: 'Delivered', latestLocation: 'Inbox' }));
      s.add(GEN, s.at + 4 * MIN, (c) => tiUrlClick(c, u, url, 4, u.homeIp));
      s.add(GEN, s.at + 9 * MIN, (c) => tiMail(c, u, { ...base, detectionType: 'ZAP', deliveryAction: 'Delivered', latestLocation: 'Quarantine' }));
      return { actors: [sender], victims: [u.upn], details: { url } };
    },
  },
  {
    name: 'defender-malicious-file',
    label: 'attack',
    summary: 'Defender for Office 365 (Safe Attachments for SharePoint, OneDrive and Teams) finds malware in a file of a user\'s OneDrive (RecordType 47, FileVerdict 1).',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      const file = 'Invoice_2026_03.docm';
      const url = `${u.oneDriveUrl}Documents/${file}`;
      s.add(GEN, s.at, (c) => atpFile(c, u, url, file, 'TrojanDownloader:O97M/Emotet'));
      return { actors: [u.upn], victims: [u.upn], details: { file } };
    },
  },
  {
    name: 'defender-threat-blocked',
    label: 'benign',
    summary: 'Defender for Office 365 does its job: a phish is quarantined at delivery (TIMailData Inline, Blocked) and a later click on a bad link is stopped at the block page (UrlClickAction 2, not overridden).',
    params: ['victims (1 UPN)'],
    run(s) {
      const u = s.victims(1)[0]!;
      const sender = phishSender(s);
      s.add(GEN, s.at, (c) => tiMail(c, u, { sender, subject: 'Invoice overdue', verdict: 'Phish', detectionType: 'Inline', deliveryAction: 'Blocked', latestLocation: 'Quarantine', threats: ['Impersonation domain'], senderIp: s.attackerIp(true) }));
      s.add(GEN, s.at + 20 * MIN, (c) => tiUrlClick(c, u, `https://${sender.split('@')[1]}/login`, 2, u.homeIp));
      return { actors: [sender], victims: [u.upn] };
    },
  },
  {
    name: 'dlp-high-severity-match',
    label: 'attack',
    summary: 'A DLP rule of High severity matches a mail with many credit card numbers sent to an outside address (DlpRuleMatch, RecordType 13, NotifyUser and BlockAccess).',
    params: ['actor (UPN)', 'address'],
    run(s) {
      const u = s.actor(false);
      const address = s.externalAddress();
      s.add(DLP, s.at, (c) => {
        const r = dlpExchange(c, u, [address], 'Customer card list');
        r.PolicyDetails = [
          {
            PolicyId: fastGuid(c.rng),
            PolicyName: 'PCI Data Security Standard',
            Rules: [
              {
                Actions: ['NotifyUser', 'BlockAccess', 'GenerateIncidentReport'],
                ActionParameters: [],
                ConditionsMatched: { SensitiveInformation: [{ Confidence: 85, Count: 240, UniqueCount: 240, SensitiveType: '50842eb7-edc8-4019-85dd-5a5c1f2bb085' }] },
                RuleId: fastGuid(c.rng),
                RuleMode: 'Enable',
                RuleName: 'High volume of content detected PCI DSS',
                Severity: 'High',
              },
            ],
          },
        ];
        return r;
      });
      return { actors: [u.upn], victims: [], details: { address } };
    },
  },
  {
    name: 'dlp-low-severity-match',
    label: 'benign',
    summary: 'A Low-severity DLP rule matches a mail to a colleague with one card number (the everyday kind of match).',
    params: ['actor (UPN)'],
    run(s) {
      const u = s.actor(false);
      const colleague = s.pickUsers(1, false)[0]!;
      s.add(DLP, s.at, (c) => dlpExchange(c, u, [colleague.upn], s.rng.pick(MAIL_SUBJECTS)));
      return { actors: [u.upn], victims: [] };
    },
  },
  {
    name: 'sharepoint-sharing-weakened',
    label: 'attack',
    summary: 'SharingPolicyChanged: the tenant\'s SharePoint sharing is opened to "Anyone" links (SharingCapability → ExternalUserAndGuestSharing) and the default link becomes anonymous.',
    params: ['actor (admin UPN)'],
    run: (s) => sharingPolicy(s, true),
  },
  {
    name: 'sharepoint-sharing-tightened',
    label: 'benign',
    summary: 'SharingPolicyChanged that restricts sharing (to existing guests only) and makes anonymous links expire.',
    params: ['actor (admin UPN)'],
    run: (s) => sharingPolicy(s, false),
  },
  {
    name: 'secret-search',
    label: 'attack',
    summary: 'A user searches SharePoint and mail for secrets: five Advanced Audit search records (SearchQueryInitiatedSharePoint / …Exchange) for passwords, credentials and keys within 20 minutes.',
    params: ['actor (UPN)'],
    run: (s) => searches(s, ['password', 'vpn credentials', 'admin password', 'secret key', 'passwords.xlsx']),
  },
  {
    name: 'single-password-search',
    label: 'benign',
    summary: 'A user searches SharePoint once for the password policy, and for an ordinary document.',
    params: ['actor (UPN)'],
    run: (s) => searches(s, ['password policy', 'holiday schedule']),
  },
  {
    name: 'teams-external-helpdesk',
    label: 'attack',
    summary: 'Someone of another tenant named "IT Help Desk" opens a one-on-one Teams chat with a user (ChatCreated, MessageSent with a remote-assistance link; HasForeignTenantUsers true).',
    params: ['victims (1 UPN)'],
    run: (s) => helpdeskChat(s, true),
  },
  {
    name: 'teams-internal-helpdesk',
    label: 'benign',
    summary: 'The organisation\'s own service desk account chats with a user in Teams (no foreign tenant).',
    params: ['victims (1 UPN)'],
    run: (s) => helpdeskChat(s, false),
  },
];
