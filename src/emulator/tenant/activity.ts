// Baseline activity: the kinds of ordinary events a tenant produces (per user and per tenant), their
// weights, content types and record builders. Baseline is kept clearly apart from every attack shape so
// that a detection can reach zero false positives on it: sign-in failures are single mistypes from the
// user's own address; no one grants mailbox rights, forwards mail, creates anonymous links, changes
// roles, consents to apps or touches audit settings; downloads stay a handful an hour; each user signs
// in from one country only; built-in alerts are Low/Informational.

import { fastGuid, type Random } from './ids.js';
import type { ContentType } from '../../records/index.js';
import { MAIL_SUBJECTS } from './data.js';
import { oneDriveFiles, type SimUser, type TenantDirectory } from './directory.js';
import { dlpExchange, dlpSharePoint } from './compliance.js';
import {
  alertRecord, directoryAudit, exchangeAdmin, exchangeSystem, fileRecord, mailGroup, mailItem, mailItemsAccessed,
  powerBi, signIn, siteFile, teamsRecord, userTarget, type Ctx, type FileTarget, type Rec,
} from './records.js';
import {
  clientString, colleague, FILE_OPS, teamsOther, writeMailAccess, writeMailDelete, writeMailItem, writeMaintenance,
  writeOneDriveFile, writePowerBi, writeShare, writeSignIn, writeSiteFile, writeTeams,
} from './writers.js';

export interface Kind {
  name: string;
  contentType: ContentType;
  /** Relative weight among a user's events (0 for tenant-level kinds). */
  weight: number;
  adminOnly?: boolean;
  build(c: Ctx, u: SimUser, seed: string | number): Rec;
  /** The same record's JSON text, written directly (high-volume kinds; see writers.ts). */
  write?(c: Ctx, u: SimUser, seed: string | number): string;
}

/** A user's everyday OneDrive files (the directory objects are per source, so a WeakMap is exact). */
const everyday = new WeakMap<SimUser, string[]>();

function oneDriveTarget(dir: TenantDirectory, u: SimUser, seed: string | number, rng: Random): FileTarget {
  let files = everyday.get(u);
  if (!files) {
    files = oneDriveFiles(seed, dir, u, 12);
    everyday.set(u, files);
  }
  return {
    siteUrl: u.oneDriveUrl,
    siteId: `${u.objectId.slice(0, 24)}${u.mailboxGuid.slice(24)}`,
    webId: u.mailboxGuid,
    listId: `${u.mailboxGuid.slice(0, 24)}${u.objectId.slice(24)}`,
    library: 'Documents',
    file: rng.pick(files),
    oneDrive: true,
  };
}


export const KINDS: Kind[] = [
  {
    name: 'signin',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 14,
    write: writeSignIn,
    build: (c, u) => {
      const mobile = c.rng.chance(0.25);
      const r = c.rng.next();
      // Mostly success; a single mistyped password now and then, MFA interrupts, KMSI prompts.
      const error = r < 0.025 ? '50126' : r < 0.035 ? '50074' : r < 0.045 ? '50140' : '0';
      return signIn(c, u, { ip: mobile ? u.mobileIp : u.homeIp, agent: mobile ? u.mobileAgent : u.agent, error });
    },
  },
  {
    name: 'mail-access',
    contentType: 'Audit.Exchange',
    weight: 14,
    write: writeMailAccess,
    build: (c, u) => {
      const bind = c.rng.chance(0.4);
      return mailItemsAccessed(c, u, u, c.rng.chance(0.2) ? u.mobileIp : u.homeIp, clientString(c.rng), bind ? c.rng.int(1, 4) : 0, bind);
    },
  },
  { name: 'mail-send', contentType: 'Audit.Exchange', weight: 8, write: writeMailItem('Send'), build: (c, u) => mailItem(c, u, 'Send', c.rng.pick(MAIL_SUBJECTS), '\\Sent Items', clientString(c.rng)) },
  { name: 'mail-update', contentType: 'Audit.Exchange', weight: 3, write: writeMailItem('Update'), build: (c, u) => mailItem(c, u, 'Update', c.rng.pick(MAIL_SUBJECTS), '\\Inbox', clientString(c.rng)) },
  {
    name: 'mail-delete',
    contentType: 'Audit.Exchange',
    weight: 4,
    write: writeMailDelete,
    build: (c, u) => {
      const n = c.rng.int(1, 4);
      const subjects = Array.from({ length: n }, () => c.rng.pick(MAIL_SUBJECTS));
      return mailGroup(c, u, c.rng.chance(0.7) ? 'MoveToDeletedItems' : 'SoftDelete', subjects, clientString(c.rng));
    },
  },
  {
    name: 'sp-file',
    contentType: 'Audit.SharePoint',
    weight: 14,
    write: writeSiteFile,
    build: (c, u) => {
      const site = c.rng.chance(0.7) ? c.dir.sites.find((s) => s.name === u.department) ?? c.dir.sites[0]! : c.rng.pick(c.dir.sites);
      return fileRecord(c, u, c.rng.pick(FILE_OPS), 6, siteFile(site, c.rng.pick(site.files)), u.homeIp, u.agent);
    },
  },
  {
    name: 'od-file',
    contentType: 'Audit.SharePoint',
    weight: 10,
    write: writeOneDriveFile,
    build: (c, u, seed) => fileRecord(c, u, c.rng.pick(FILE_OPS), 6, oneDriveTarget(c.dir, u, seed, c.rng), u.homeIp, u.agent),
  },
  {
    name: 'sp-share',
    contentType: 'Audit.SharePoint',
    weight: 1.2,
    write: writeShare,
    build: (c, u, seed) => {
      const other = colleague(c.dir, u, c.rng);
      const f = oneDriveTarget(c.dir, u, seed, c.rng);
      if (c.rng.chance(0.5)) {
        return fileRecord(c, u, 'CompanyLinkCreated', 14, f, u.homeIp, u.agent, { EventData: '<Type>View</Type>', UniqueSharingId: fastGuid(c.rng) });
      }
      return fileRecord(c, u, 'SharingSet', 14, f, u.homeIp, u.agent, {
        TargetUserOrGroupName: other.upn,
        TargetUserOrGroupType: 'Member',
        EventData: '<Permissions granted>Contribute</Permissions granted>',
      });
    },
  },
  {
    name: 'access-request',
    contentType: 'Audit.SharePoint',
    weight: 0.04,
    build: (c, u) => {
      const site = c.rng.pick(c.dir.sites.filter((s) => s.name !== u.department));
      return fileRecord(c, u, 'AccessRequestCreated', 14, siteFile(site, c.rng.pick(site.files)), u.homeIp, u.agent, {
        TargetUserOrGroupName: u.upn,
        TargetUserOrGroupType: 'Member',
      });
    },
  },
  {
    name: 'teams',
    contentType: 'Audit.General',
    weight: 8,
    write: writeTeams,
    build: (c, u) => {
      const team = c.dir.teams.find((t) => t.name.startsWith(u.department)) ?? c.dir.teams[0]!;
      const r = c.rng.next();
      if (r < 0.9) return teamsRecord(c, u, 'TeamsSessionStarted', team, { ClientIP: u.homeIp });
      return teamsOther(c, u, team, r);
    },
  },
  {
    name: 'powerbi',
    contentType: 'Audit.General',
    weight: 1.5,
    write: writePowerBi,
    build: (c, u) => powerBi(c, u, c.rng.chance(0.8) ? 'ViewReport' : 'ViewDashboard', `${u.department} KPIs`, `${u.department} Workspace`),
  },
  {
    name: 'inbox-rule-move',
    contentType: 'Audit.Exchange',
    weight: 0.05,
    build: (c, u) => {
      const r = exchangeAdmin(c, u, 'New-InboxRule', `${u.alias}\\Newsletters`, [
        { Name: 'AlwaysDeleteOutlookRulesBlob', Value: 'False' },
        { Name: 'Force', Value: 'False' },
        { Name: 'MoveToFolder', Value: 'Newsletters' },
        { Name: 'Name', Value: 'Newsletters' },
        { Name: 'FromAddressContainsWords', Value: 'newsletter' },
        { Name: 'StopProcessingRules', Value: 'True' },
      ]);
      r.UserType = 0;
      return r;
    },
  },
  {
    name: 'admin-directory',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 5,
    adminOnly: true,
    build: (c, u) => {
      const target = colleague(c.dir, u, c.rng);
      const r = c.rng.next();
      if (r < 0.45) {
        return directoryAudit(c, u, 'Update user.', userTarget(target), [
          { Name: 'Department', OldValue: '[]', NewValue: `["${target.department}"]` },
        ]);
      }
      if (r < 0.7) {
        return directoryAudit(c, u, 'Change user license.', userTarget(target), [
          { Name: 'AssignedLicense', OldValue: '[]', NewValue: '["[SkuName=ENTERPRISEPACK, AccountId=…]"]' },
        ]);
      }
      const group = c.rng.pick(c.dir.groups);
      return directoryAudit(c, u, 'Add member to group.', userTarget(target), [
        { Name: 'Group.ObjectID', OldValue: '', NewValue: group.objectId },
        { Name: 'Group.DisplayName', OldValue: '', NewValue: group.name },
      ]);
    },
  },
  {
    name: 'admin-exchange',
    contentType: 'Audit.Exchange',
    weight: 4,
    adminOnly: true,
    build: (c, u) => {
      const target = colleague(c.dir, u, c.rng);
      const r = c.rng.next();
      if (r < 0.5) {
        return exchangeAdmin(c, u, 'Set-Mailbox', target.displayName, [
          { Name: 'Identity', Value: target.upn },
          { Name: 'ProhibitSendQuota', Value: '49.5 GB (53,150,220,288 bytes)' },
          { Name: 'IssueWarningQuota', Value: '49 GB (52,613,349,376 bytes)' },
        ]);
      }
      if (r < 0.8) {
        return exchangeAdmin(c, u, 'Set-CASMailbox', target.displayName, [
          { Name: 'Identity', Value: target.alias },
          { Name: 'ActiveSyncEnabled', Value: 'True' },
        ]);
      }
      return exchangeAdmin(c, u, 'Update-DistributionGroupMember', `${target.department} Staff`, [
        { Name: 'Identity', Value: `${target.department} Staff` },
        { Name: 'Members', Value: target.alias },
      ]);
    },
  },
];

/** Tenant-level kinds, drawn per hour with their own rates (`perHundredUsers` at peak). */
export interface SystemKind extends Kind {
  perHundredUsers: number;
}

export const SYSTEM_KINDS: SystemKind[] = [
  {
    name: 'dlp-sharepoint',
    contentType: 'DLP.All',
    weight: 0,
    perHundredUsers: 0.6,
    build: (c, u, seed) => dlpSharePoint(c, u, c.rng.chance(0.5) ? oneDriveTarget(c.dir, u, seed, c.rng) : (() => {
      const site = c.rng.pick(c.dir.sites);
      return siteFile(site, c.rng.pick(site.files));
    })()),
  },
  {
    name: 'dlp-exchange',
    contentType: 'DLP.All',
    weight: 0,
    perHundredUsers: 0.6,
    build: (c, u) => dlpExchange(c, u, [colleague(c.dir, u, c.rng).upn], c.rng.pick(MAIL_SUBJECTS)),
  },
  {
    // Built-in alerts come with the attacks Microsoft would flag (scenarios/alerts.ts, ground truth):
    // a baseline alert about nothing would be an alert no measurement can score. The kind stays (rate 0)
    // so the rest of a seeded week is drawn as before.
    name: 'alert',
    contentType: 'Audit.General',
    weight: 0,
    perHundredUsers: 0,
    build: (c, u) =>
      c.rng.chance(0.6)
        ? alertRecord(c, 'Email messages containing phish URLs removed after delivery', 'Informational', 'ThreatManagement', u.upn, 'ZapPhish', 'Exchange')
        : alertRecord(c, 'Email reported by user as malware or phish', 'Low', 'ThreatManagement', u.upn, 'UserSubmission', 'Exchange'),
  },
  {
    // Once a day per mailbox: the directory-sync write-back the service runs on each mailbox. Its
    // parameters name the mailbox in every form (alias, display name, primary address = UPN), which is
    // how identities learned from the log tie an alias or a display name to a UPN.
    name: 'mailbox-maintenance',
    contentType: 'Audit.Exchange',
    weight: 0,
    perHundredUsers: 0,
    write: writeMaintenance,
    build: (c, u) => {
      const r = exchangeSystem(c, 'Set-Mailbox', `${c.dir.exchangeDn}/${u.alias}`, [
        { Name: 'Identity', Value: u.mailboxGuid },
        { Name: 'Alias', Value: u.alias },
        { Name: 'DisplayName', Value: u.displayName },
        { Name: 'PrimarySmtpAddress', Value: u.upn },
        { Name: 'RetentionPolicy', Value: 'Default MRM Policy' },
      ]);
      r.ModifiedObjectResolvedName = u.alias;
      return r;
    },
  },
];

/** Index (in ALL_KINDS) of the daily per-mailbox maintenance record. */
export const MAINTENANCE_KIND = KINDS.length + SYSTEM_KINDS.length - 1;

/** Cumulative weights of the per-user kinds, for one draw per event. */
export const KIND_CUMULATIVE: number[] = (() => {
  let sum = 0;
  return KINDS.map((k) => (sum += k.weight));
})();
export const KIND_TOTAL = KIND_CUMULATIVE[KIND_CUMULATIVE.length - 1]!;
export const ALL_KINDS: Kind[] = [...KINDS, ...SYSTEM_KINDS];
