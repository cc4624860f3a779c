// JSON text fragments of a simulated tenant, escaped once and reused by the fast record writers
// (writers.ts): the tenant's own strings, each user's identifiers, addresses, agents, device properties
// and OneDrive, each SharePoint site's files. Built lazily (a user's on first use) and held per directory.

import { oneDriveFiles, type SimSite, type SimUser, type TenantDirectory } from './directory.js';
import { extensionOf } from './records.js';

/**
 * The inside of a JSON string literal for `s` (what JSON.stringify writes between the quotes), as a flat
 * string: fragments built by concatenation are ropes, which every blob join would walk again.
 */
export function esc(s: string): string {
  const j = JSON.stringify(s);
  if (j.length !== s.length + 2) return flat(j.slice(1, -1));
  return s.length < 13 ? s : flat(s); // V8 makes strings shorter than 13 characters flat already
}

/** The same text as one flat (sequential) string. */
export function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** `esc` for strings many users share (file names, extensions, agents): one copy each. */
const shared = new Map<string, string>();
function escShared(s: string): string {
  let e = shared.get(s);
  if (e === undefined) {
    e = esc(s);
    if (shared.size < 100_000) shared.set(s, e);
  }
  return e;
}

/** A place files live in (a SharePoint site's library or a user's OneDrive), escaped. */
export interface FilesText {
  url: string;
  siteId: string;
  webId: string;
  listId: string;
  library: string;
  oneDrive: boolean;
  files: string[];
  exts: string[];
}

export interface UserText {
  upn: string;
  puid: string;
  objectId: string;
  displayName: string;
  alias: string;
  sid: string;
  mailboxGuid: string;
  homeIp: string;
  mobileIp: string;
  agent: string;
  mobileAgent: string;
  department: string;
  /** UserKey of sign-ins: `<puid>@<domain>`. */
  aadKey: string;
  /** UserKey of SharePoint records. */
  spKey: string;
  /** Actor array of sign-ins. */
  actor: string;
  /** DeviceProperties up to the SessionId value, for the desktop and the mobile agent. */
  device: string;
  mobileDevice: string;
  oneDrive: FilesText;
  /** The user's department site (or the first site) and team. */
  site: FilesText;
  team: { name: string; guid: string };
}

export interface TenantText {
  tenantId: string;
  /** `","Operation":"<op>","OrganizationId":"<tenant>","RecordType":<n>` (what follows a record's Id). */
  operation(op: string, recordType: number): string;
  domain: string;
  serverPrefix: string;
  exchangeDn: string;
  sites: FilesText[];
  user(u: SimUser): UserText;
}

type FilesBase = Pick<FilesText, 'url' | 'siteId' | 'webId' | 'listId' | 'library' | 'oneDrive'>;

function filesText(s: FilesBase, files: readonly string[]): FilesText {
  return {
    ...s,
    files: files.map(escShared),
    exts: files.map((f) => escShared(extensionOf(f))),
  };
}

function siteText(site: SimSite): FilesText {
  return filesText({ url: esc(site.url), siteId: esc(site.siteId), webId: esc(site.webId), listId: esc(site.listId), library: 'Shared Documents', oneDrive: false }, site.files);
}

/** DeviceProperties as records.ts writes them, cut before the SessionId value. */
const devices = new Map<string, string>();

function devicePrefix(agent: string): string {
  const known = devices.get(agent);
  if (known !== undefined) return known;
  const os = agent.includes('Windows') ? 'Windows 10' : agent.includes('Mac OS') ? 'MacOs' : agent.includes('Android') ? 'Android' : agent.includes('iPhone') ? 'Ios' : 'Linux';
  const browser = agent.includes('Edg/') ? 'Edge' : agent.includes('Firefox') ? 'Firefox' : agent.includes('Chrome') ? 'Chrome' : agent.includes('Safari') ? 'Safari' : 'Rich Client';
  const text = JSON.stringify([
    { Name: 'OS', Value: os },
    { Name: 'BrowserType', Value: browser },
    { Name: 'IsCompliant', Value: 'False' },
    { Name: 'IsCompliantAndManaged', Value: 'False' },
    { Name: 'SessionId', Value: '' },
  ]);
  const prefix = flat(text.slice(0, -3)); // drop `"}]`, keep the opening quote of the empty value
  devices.set(agent, prefix);
  return prefix;
}

const cache = new WeakMap<TenantDirectory, TenantText>();

/** The text fragments of a directory (one per directory object; `seed` is its source's seed). */
export function tenantText(dir: TenantDirectory, seed: string | number): TenantText {
  let t = cache.get(dir);
  if (t) return t;
  const sites = dir.sites.map(siteText);
  const bySiteName = new Map(dir.sites.map((s, i) => [s.name, sites[i]!]));
  const users: (UserText | undefined)[] = new Array(dir.users.length);
  const tenantId = esc(dir.tenantId);
  const domain = esc(dir.domain);
  const operations = new Map<string, string[]>();
  const build = (u: SimUser): UserText => {
    const upn = esc(u.upn);
    const puid = esc(u.puid);
    const objectId = esc(u.objectId);
    const displayName = esc(u.displayName);
    const sid = esc(u.sid);
    const mailboxGuid = esc(u.mailboxGuid);
    const homeIp = esc(u.homeIp);
    const agent = escShared(u.agent);
    const mobileAgent = escShared(u.mobileAgent);
    const actor = JSON.stringify([
      { ID: u.objectId, Type: 0 },
      { ID: u.upn, Type: 5 },
      { ID: u.puid, Type: 3 },
    ]);
    const spKey = esc(`i:0h.f|membership|${u.puid.toLowerCase()}@live.com`);
    const ut: UserText = {
      upn,
      puid,
      objectId,
      displayName,
      alias: esc(u.alias),
      sid,
      mailboxGuid,
      homeIp,
      mobileIp: esc(u.mobileIp),
      agent,
      mobileAgent,
      department: esc(u.department),
      aadKey: esc(`${u.puid}@${dir.domain}`),
      spKey,
      actor: flat(actor),
      device: devicePrefix(u.agent),
      mobileDevice: devicePrefix(u.mobileAgent),
      oneDrive: filesText(
        {
          url: esc(u.oneDriveUrl),
          siteId: esc(`${u.objectId.slice(0, 24)}${u.mailboxGuid.slice(24)}`),
          webId: mailboxGuid,
          listId: esc(`${u.mailboxGuid.slice(0, 24)}${u.objectId.slice(24)}`),
          library: 'Documents',
          oneDrive: true,
        },
        oneDriveFiles(seed, dir, u, 12),
      ),
      site: bySiteName.get(u.department) ?? sites[0]!,
      team: dir.teams.find((x) => x.name.startsWith(u.department)) ?? dir.teams[0]!,
    };
    return ut;
  };
  t = {
    tenantId,
    domain,
    operation(op: string, recordType: number): string {
      let byType = operations.get(op);
      if (byType === undefined) operations.set(op, (byType = []));
      return (byType[recordType] ??= flat(`","Operation":"${esc(op)}","OrganizationId":"${tenantId}","RecordType":${recordType}`));
    },
    serverPrefix: esc(dir.serverPrefix),
    exchangeDn: esc(dir.exchangeDn),
    sites,
    user(u: SimUser): UserText {
      return users[u.index] ?? (users[u.index] = build(u));
    },
  };
  cache.set(dir, t);
  return t;
}
