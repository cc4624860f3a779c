// The simulated tenant's directory: its identity and credentials, users (with every identifier the audit
// log uses for a person: UPN, display name, alias, object id, PUID, mailbox GUID, SID), admins, groups,
// SharePoint sites with files, OneDrive sites, Teams. A pure function of (seed, tenant index, users).

import { fastGuid } from './ids.js';
import { Rng } from '../../core/index.js';
import type { EmulatorTenant } from '../model.js';
import {
  COUNTRIES, DEPARTMENTS, DESKTOP_AGENTS, FILE_EXTENSIONS, FILE_STEMS, FIRST_NAMES, HOME_COUNTRIES, LAST_NAMES,
  MOBILE_AGENTS, STAFF_ABROAD, type CountryInfo,
} from './data.js';

export interface SimUser {
  index: number;
  upn: string;
  displayName: string;
  alias: string;
  objectId: string;
  /** 16 upper-case hex digits, as Entra shows a PUID. */
  puid: string;
  mailboxGuid: string;
  sid: string;
  country: string;
  tzMinutes: number;
  homeIp: string;
  mobileIp: string;
  agent: string;
  mobileAgent: string;
  department: string;
  isAdmin: boolean;
  /** Activity multiplier (some people work in the tools all day, some hardly). */
  activity: number;
  /** https://contoso-1-my.sharepoint.com/personal/first_last_contoso-1_onmicrosoft_com/ */
  oneDriveUrl: string;
}

export interface SimSite {
  name: string;
  url: string;
  siteId: string;
  webId: string;
  listId: string;
  files: string[];
}

export interface SimTeam {
  name: string;
  guid: string;
}

export interface TenantDirectory extends EmulatorTenant {
  index: number;
  country: CountryInfo;
  /** e.g. contoso-1 (the SharePoint host label). */
  label: string;
  users: SimUser[];
  admins: SimUser[];
  sites: SimSite[];
  teams: SimTeam[];
  groups: { name: string; objectId: string }[];
  /** Applications registered in the tenant (service principals). */
  apps: { name: string; appId: string; objectId: string }[];
  serverPrefix: string;
  /** The Exchange organisation's DN prefix (ObjectId form of some admin records). */
  exchangeDn: string;
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-';

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng.next() * 16).toString(16);
  return s;
}

/** A public address inside one of the given /16 blocks (last octet 2..253, never a network/broadcast). */
export function addressIn(rng: Rng, blocks: readonly [number, number][]): string {
  const [a, b] = rng.pick(blocks);
  return `${a}.${b}.${rng.int(0, 256)}.${rng.int(2, 254)}`;
}

export function buildDirectory(seed: string | number, index: number, userCount: number): TenantDirectory {
  const rng = new Rng(seed, 'tenant', index);
  const n = index + 1;
  const label = `contoso-${n}`;
  const domain = `${label}.onmicrosoft.com`;
  const tenantId = fastGuid(rng);
  const clientId = fastGuid(rng);
  let clientSecret = '';
  for (let i = 0; i < 40; i++) clientSecret += SECRET_ALPHABET[rng.int(0, SECRET_ALPHABET.length)];
  const home = COUNTRIES[HOME_COUNTRIES[index % HOME_COUNTRIES.length]!]!;

  const used = new Set<string>();
  const users: SimUser[] = [];
  const adminCount = Math.max(2, Math.min(12, Math.ceil(userCount / 80)));
  for (let i = 0; i < userCount; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const baseAlias = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    let alias = baseAlias;
    for (let k = 2; used.has(alias); k++) alias = `${baseAlias}${k}`;
    used.add(alias);
    const country = COUNTRIES[rng.chance(0.85) ? home.code : rng.pick(STAFF_ABROAD)]!;
    const upn = `${alias}@${domain}`;
    users.push({
      index: i,
      upn,
      displayName: `${first} ${last}`,
      alias,
      objectId: fastGuid(rng),
      puid: `10032${hex(rng, 11)}`.toUpperCase(),
      mailboxGuid: fastGuid(rng),
      sid: `S-1-5-21-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}-${rng.int(10000, 99999)}`,
      country: country.code,
      tzMinutes: country.tzMinutes,
      homeIp: addressIn(rng, country.isp),
      mobileIp: addressIn(rng, country.isp),
      agent: rng.pick(DESKTOP_AGENTS),
      mobileAgent: rng.pick(MOBILE_AGENTS),
      department: DEPARTMENTS[i % DEPARTMENTS.length]!,
      isAdmin: i < adminCount,
      activity: 0.5 + rng.next(),
      oneDriveUrl: `https://${label}-my.sharepoint.com/personal/${alias.replace(/\./g, '_')}_${label.replace(/-/g, '_')}_onmicrosoft_com/`,
    });
  }
  // Administrators get their titles in their display names so that reports read naturally.
  const admins = users.filter((u) => u.isAdmin);
  for (const a of admins) a.department = 'IT';

  const sites: SimSite[] = DEPARTMENTS.map((d) => {
    const files: string[] = [];
    const count = 30;
    for (let i = 0; i < count; i++) {
      const stem = rng.pick(FILE_STEMS);
      files.push(`${stem} ${2024 + (i % 3)}-${String(1 + (i % 12)).padStart(2, '0')}.${rng.pick(FILE_EXTENSIONS)}`);
    }
    return {
      name: d,
      url: `https://${label}.sharepoint.com/sites/${d}/`,
      siteId: fastGuid(rng),
      webId: fastGuid(rng),
      listId: fastGuid(rng),
      files: [...new Set(files)],
    };
  });
  const teams = DEPARTMENTS.map((d) => ({ name: `${d} Team`, guid: `19:${hex(rng, 32)}@thread.skype` }));
  const groups = DEPARTMENTS.map((d) => ({ name: `${d} Staff`, objectId: fastGuid(rng) }));
  const apps = ['HR Connector', 'Backup Service', 'Expense Sync'].map((name) => ({ name, appId: fastGuid(rng), objectId: fastGuid(rng) }));

  return {
    tenantId,
    domain,
    displayName: `Contoso ${n}`,
    clientId,
    clientSecret,
    roles: ['ActivityFeed.Read', 'ActivityFeed.ReadDlp'],
    index,
    country: home,
    label,
    users,
    admins,
    sites,
    teams,
    groups,
    apps,
    serverPrefix: `${['AM6PR', 'DB9PR', 'SA1PR', 'CH3PR'][index % 4]}${String(1 + (index % 19)).padStart(2, '0')}MB`,
    exchangeDn: `NAMPR${String(10 + (index % 80)).padStart(2, '0')}A00${index % 10}.prod.outlook.com/Microsoft Exchange Hosted Organizations/${domain}`,
  };
}

/** The files of a user's OneDrive (deterministic per user; no storage needed). */
export function oneDriveFiles(seed: string | number, tenant: TenantDirectory, user: SimUser, count = 40): string[] {
  const rng = new Rng(seed, 'onedrive', tenant.index, user.index);
  const files: string[] = [];
  for (let i = 0; i < count; i++) files.push(`${rng.pick(FILE_STEMS)} ${i + 1}.${rng.pick(FILE_EXTENSIONS)}`);
  return files;
}
