// SharePoint / OneDrive and compliance scenarios: mass file download, a burst of anonymous links, a burst
// of access requests (the "access denied" signal, ual-schema.md §6), an eDiscovery export; and the
// benign look-alikes bulk-sync (the owner's OneDrive sync client) and access-request-single.

import { fastGuid } from '../tenant/ids.js';
import { ONEDRIVE_SYNC_AGENT, TOOL_AGENTS } from '../tenant/data.js';
import { oneDriveFiles, type SimSite } from '../tenant/directory.js';
import { complianceCmdlet, discovery } from '../tenant/compliance.js';
import { fileRecord, siteFile, type FileTarget } from '../tenant/records.js';
import type { ScenarioDef, ScenarioRun } from './context.js';
import { EDISCOVERY_EXPORT, raiseBuiltinAlert, UNUSUAL_EXTERNAL_FILE_ACTIVITY } from './alerts.js';

const SPO = 'Audit.SharePoint' as const;
const GEN = 'Audit.General' as const;
const S = 1000;
const MIN = 60_000;

function site(s: ScenarioRun, avoid?: string): SimSite {
  const want = s.text('site');
  const found = want ? s.dir.sites.find((x) => x.name.toLowerCase() === want.toLowerCase() || x.url === want) : undefined;
  return found ?? s.rng.pick(s.dir.sites.filter((x) => x.name !== avoid));
}

/** `n` files of a site, cycling through its list with a numbered copy when it runs out. */
function files(st: SimSite, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const base = st.files[i % st.files.length]!;
    out.push(i < st.files.length ? base : base.replace(/(\.[a-z]+)$/, ` (${Math.floor(i / st.files.length)})$1`));
  }
  return out;
}

export const FILE_SCENARIOS: ScenarioDef[] = [
  {
    name: 'mass-file-download',
    label: 'attack',
    summary: 'One user runs FileDownloaded on many files of a SharePoint site within ~10 minutes, from a hosting address with a scripted client.',
    params: ['actor (UPN)', 'site (name or URL)', 'intensity (files, default 60)', 'ip'],
    run(s) {
      const actor = s.actor(false);
      const st = site(s, actor.department);
      const n = s.number('intensity', 60, 1, 100_000);
      const ip = s.attackerIp(true, actor.country);
      const agent = s.rng.pick(TOOL_AGENTS);
      const step = Math.max(1 * S, Math.floor((10 * MIN) / n));
      files(st, n).forEach((f, i) => s.add(SPO, s.at + i * step, (c) => fileRecord(c, actor, 'FileDownloaded', 6, siteFile(st, f), ip, agent)));
      return { actors: [actor.upn, ip], victims: [st.url], details: { files: n } };
    },
  },
  {
    name: 'anonymous-link-burst',
    label: 'attack',
    summary: 'One user creates AnonymousLinkCreated ("Anyone" links) on many files within ~10 minutes.',
    params: ['actor (UPN)', 'site', 'intensity (links, default 12)'],
    run(s) {
      const actor = s.actor(false);
      const st = site(s);
      const n = s.number('intensity', 12, 1, 10_000);
      files(st, n).forEach((f, i) =>
        s.add(SPO, s.at + i * 40 * S, (c) =>
          fileRecord(c, actor, 'AnonymousLinkCreated', 14, siteFile(st, f), actor.homeIp, actor.agent, {
            EventData: '<Type>View</Type>',
            UniqueSharingId: fastGuid(c.rng),
          }),
        ),
      );
      raiseBuiltinAlert(s, s.at + n * 40 * S, actor.upn, UNUSUAL_EXTERNAL_FILE_ACTIVITY);
      return { actors: [actor.upn], victims: [st.url], details: { links: n } };
    },
  },
  {
    name: 'access-denied-burst',
    label: 'attack',
    summary: 'One user hits "Access denied" on many files of a site they have no rights on: AccessRequestCreated (RecordType 14) again and again within ~10 minutes.',
    params: ['actor (UPN)', 'site', 'intensity (requests, default 12)'],
    run(s) {
      const actor = s.actor(false);
      const st = site(s, actor.department);
      const n = s.number('intensity', 12, 1, 10_000);
      files(st, n).forEach((f, i) =>
        s.add(SPO, s.at + i * 45 * S, (c) =>
          fileRecord(c, actor, 'AccessRequestCreated', 14, siteFile(st, f), actor.homeIp, actor.agent, {
            TargetUserOrGroupName: actor.upn,
            TargetUserOrGroupType: 'Member',
          }),
        ),
      );
      return { actors: [actor.upn], victims: [st.url], details: { requests: n } };
    },
  },
  {
    name: 'ediscovery-export',
    label: 'attack',
    summary:
      'A compliance search over all mailboxes is created, started and exported: New-ComplianceSearch, Start-ComplianceSearch, New-ComplianceSearchAction -Export (RecordType 18, Parameters as a PowerShell string), then SearchExported and SearchExportDownloaded (RecordType 24).',
    params: ['actor (admin UPN)', 'query'],
    run(s) {
      const actor = s.actor(true);
      const query = s.text('query') ?? 'password OR invoice OR "wire transfer"';
      const name = `Search ${s.rng.int(100, 999)}`;
      const ip = actor.homeIp;
      s.add(GEN, s.at, (c) => complianceCmdlet(c, actor, 'New-ComplianceSearch', name, [
        { Name: 'Name', Value: name },
        { Name: 'ExchangeLocation', Value: 'All' },
        { Name: 'ContentMatchQuery', Value: query },
      ], ip));
      s.add(GEN, s.at + 1 * MIN, (c) => complianceCmdlet(c, actor, 'Start-ComplianceSearch', name, [{ Name: 'Identity', Value: name }], ip));
      s.add(GEN, s.at + 12 * MIN, (c) => complianceCmdlet(c, actor, 'New-ComplianceSearchAction', `${name}_Export`, [
        { Name: 'SearchName', Value: name },
        { Name: 'Export', Value: 'True' },
        { Name: 'Format', Value: 'FxStream' },
      ], ip));
      s.add(GEN, s.at + 13 * MIN, (c) => discovery(c, actor, 'SearchExported', '', name, query, ip));
      s.add(GEN, s.at + 25 * MIN, (c) => discovery(c, actor, 'SearchExportDownloaded', '', name, query, ip));
      raiseBuiltinAlert(s, s.at + 12 * MIN, actor.upn, EDISCOVERY_EXPORT);
      return { actors: [actor.upn], victims: [], details: { search: name } };
    },
  },
  {
    name: 'bulk-sync',
    label: 'benign',
    summary: 'The OneDrive sync client of a user downloads many files of their own OneDrive (FileSyncDownloadedFull) from their usual address.',
    params: ['actor (UPN)', 'intensity (files, default 150)'],
    run(s) {
      const actor = s.actor(false);
      const n = s.number('intensity', 150, 1, 100_000);
      const names = oneDriveFiles(s.seed, s.dir, actor, n);
      const target = (file: string): FileTarget => ({
        siteUrl: actor.oneDriveUrl,
        siteId: `${actor.objectId.slice(0, 24)}${actor.mailboxGuid.slice(24)}`,
        webId: actor.mailboxGuid,
        listId: `${actor.mailboxGuid.slice(0, 24)}${actor.objectId.slice(24)}`,
        library: 'Documents',
        file,
        oneDrive: true,
      });
      const step = Math.max(1 * S, Math.floor((10 * MIN) / n));
      names.forEach((f, i) => s.add(SPO, s.at + i * step, (c) => fileRecord(c, actor, 'FileSyncDownloadedFull', 6, target(f), actor.homeIp, ONEDRIVE_SYNC_AGENT)));
      return { actors: [actor.upn], victims: [actor.oneDriveUrl], details: { files: n } };
    },
  },
  {
    name: 'access-request-single',
    label: 'benign',
    summary: 'A user asks once for access to one file (a single AccessRequestCreated).',
    params: ['actor (UPN)', 'site'],
    run(s) {
      const actor = s.actor(false);
      const st = site(s, actor.department);
      s.add(SPO, s.at, (c) =>
        fileRecord(c, actor, 'AccessRequestCreated', 14, siteFile(st, s.rng.pick(st.files)), actor.homeIp, actor.agent, {
          TargetUserOrGroupName: actor.upn,
          TargetUserOrGroupType: 'Member',
        }),
      );
      return { actors: [actor.upn], victims: [st.url] };
    },
  },
];
