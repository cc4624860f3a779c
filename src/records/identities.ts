// What one audit record teaches about who is who: pairs of identifiers of the same principal (UPN,
// object id, PUID, display name, alias, mailbox GUID, SID), learned from the fields that carry them
// side by side (ual-schema.md §4, §5.7, §5.8). Pure: the store keeps the identities table; detection asks
// it whether `Parameters.User` is the same person as `UserId`.

import type { EventRow } from './types.js';

export type IdentityKind = 'upn' | 'objectId' | 'puid' | 'displayName' | 'alias' | 'mailboxGuid' | 'sid';

export interface Identity {
  kind: IdentityKind;
  value: string;
}

/** Two identifiers of the same principal, in one tenant. */
export interface IdentityFact {
  tenantId: string;
  a: Identity;
  b: Identity;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PUID = /^[0-9a-f]{16}$/i;
const SID = /^s-1-\d+(?:-\d+)+$/i;
const UPN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX = 256;

/**
 * The normalised form of an identifier, or null when the value is not one of that kind: UPNs, GUIDs,
 * PUIDs and aliases lower-case, SIDs upper-case, display names trimmed with single spaces.
 */
export function normalizeIdentity(kind: IdentityKind, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const t = value.trim();
  if (t.length === 0 || t.length > MAX) return null;
  switch (kind) {
    case 'upn':
      return UPN.test(t) ? t.toLowerCase() : null;
    case 'objectId':
    case 'mailboxGuid': {
      const g = t.replace(/^\{(.*)\}$/, '$1');
      return GUID.test(g) && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(g) ? g.toLowerCase() : null;
    }
    case 'puid':
      return PUID.test(t) ? t.toLowerCase() : null;
    case 'sid':
      return SID.test(t) ? t.toUpperCase() : null;
    case 'alias':
      return /^[^\s@"\\/,;:<>[\]]+$/.test(t) ? t.toLowerCase() : null;
    case 'displayName':
      return /[\p{L}\p{N}]/u.test(t) ? t.replace(/\s+/g, ' ') : null;
  }
}

class Facts {
  readonly list: IdentityFact[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly tenantId: string) {}

  add(aKind: IdentityKind, aValue: unknown, bKind: IdentityKind, bValue: unknown): void {
    const a = normalizeIdentity(aKind, aValue);
    const b = normalizeIdentity(bKind, bValue);
    if (a === null || b === null || (aKind === bKind && a === b)) return;
    const key = `${aKind}\u0000${a}\u0000${bKind}\u0000${b}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ tenantId: this.tenantId, a: { kind: aKind, value: a }, b: { kind: bKind, value: b } });
  }
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function own(o: Json | null, key: string): unknown {
  return o !== null && Object.hasOwn(o, key) ? o[key] : undefined;
}

/** The identifiers in an AAD Actor[] or Target[] array, by kind; a kind with two different values is dropped. */
function principalIds(list: unknown, allowType0: boolean): Partial<Record<IdentityKind, string>> {
  const found: Partial<Record<IdentityKind, string>> = {};
  const conflicted = new Set<IdentityKind>();
  if (!Array.isArray(list)) return found;
  const put = (kind: IdentityKind, raw: unknown) => {
    const v = normalizeIdentity(kind, raw);
    if (v === null) return;
    if (found[kind] !== undefined && found[kind] !== v) conflicted.add(kind);
    found[kind] = v;
  };
  for (const entry of list) {
    const e = obj(entry);
    const id = own(e, 'ID') ?? own(e, 'Id');
    const type = Number(own(e, 'Type'));
    if (typeof id !== 'string') continue;
    if (type === 5) put('upn', id);
    else if (type === 3) put('puid', id);
    else if (type === 2 && id.startsWith('User_')) put('objectId', id.slice(5));
    else if (type === 0 && allowType0) put('objectId', id);
  }
  for (const kind of conflicted) delete found[kind];
  return found;
}

function linkStar(facts: Facts, ids: Partial<Record<IdentityKind, string>>): void {
  if (ids.upn === undefined) return;
  for (const kind of ['objectId', 'puid'] as const) {
    if (ids[kind] !== undefined) facts.add('upn', ids.upn, kind, ids[kind]);
  }
}

/** The first element of a ModifiedProperties value like `["x"]`, or the value itself. */
function firstValue(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const t = value.trim();
  if (t.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(t);
      return Array.isArray(parsed) && typeof parsed[0] === 'string' ? parsed[0] : null;
    } catch {
      return null;
    }
  }
  return t;
}

const AAD_TYPES = new Set([8, 9, 15]);
const MAILBOX_TYPES = new Set([2, 3, 50]);
const UPN_PARAMETERS = ['UserPrincipalName', 'MicrosoftOnlineServicesID', 'WindowsLiveID', 'PrimarySmtpAddress'];

/** What one record teaches about who is who. Never throws; an unparsable raw record teaches only its columns. */
export function extractIdentities(row: EventRow): IdentityFact[] {
  const facts = new Facts(row.tenantId);
  const userUpn = normalizeIdentity('upn', row.userId);

  // UserKey: PUID@domain, bare PUID, object GUID, or an SPO claim ending in PUID@live.com (§5.8).
  if (userUpn !== null && row.userKey) {
    const key = row.userKey.trim();
    const claim = /\|([0-9a-f]{16})@live\.com$/i.exec(key);
    const puidAt = /^([0-9a-f]{16})@/i.exec(key);
    if (claim) facts.add('upn', userUpn, 'puid', claim[1]);
    else if (puidAt) facts.add('upn', userUpn, 'puid', puidAt[1]);
    else if (PUID.test(key)) facts.add('upn', userUpn, 'puid', key);
    else if (GUID.test(key)) facts.add('upn', userUpn, 'objectId', key);
  }

  const needsRaw = AAD_TYPES.has(row.recordType) || MAILBOX_TYPES.has(row.recordType) || row.recordType === 1 || row.recordType === 25;
  if (!needsRaw) return facts.list;
  let record: Json | null;
  try {
    record = obj(JSON.parse(row.raw));
  } catch {
    record = null;
  }
  if (record === null) return facts.list;

  if (AAD_TYPES.has(row.recordType)) {
    const actor = principalIds(own(record, 'Actor'), row.recordType !== 8);
    if (actor.upn === undefined && userUpn !== null) actor.upn = userUpn;
    linkStar(facts, actor);
    linkStar(facts, principalIds(own(record, 'Target'), false));
    const ext = row.extendedProperties;
    facts.add('upn', ext.actorUPN, 'objectId', ext.actorObjectId);
    // Add user. / Update user.: the target's names, from ModifiedProperties, against the target UPN.
    const target = principalIds(own(record, 'Target'), false).upn ?? normalizeIdentity('upn', row.objectId);
    if (target !== null && target !== undefined && row.recordType === 8) {
      const mod = row.modifiedProperties;
      facts.add('upn', target, 'displayName', firstValue(mod.DisplayName?.newValue));
      facts.add('upn', target, 'alias', firstValue(mod.MailNickname?.newValue));
    }
  }

  if (MAILBOX_TYPES.has(row.recordType)) {
    const owner = own(record, 'MailboxOwnerUPN');
    facts.add('upn', owner, 'mailboxGuid', own(record, 'MailboxGuid'));
    facts.add('upn', owner, 'sid', own(record, 'MailboxOwnerSid'));
    facts.add('mailboxGuid', own(record, 'MailboxGuid'), 'sid', own(record, 'MailboxOwnerSid'));
    if (userUpn !== null) {
      facts.add('upn', userUpn, 'sid', own(record, 'LogonUserSid'));
      facts.add('upn', userUpn, 'displayName', own(record, 'LogonUserDisplayName'));
    }
  }

  if (row.recordType === 1 && userUpn !== null) {
    facts.add('upn', userUpn, 'objectId', own(record, 'TokenObjectId'));
  }
  if (row.recordType === 1 && /^(New|Set)-(Mailbox|User|MailUser|RemoteMailbox)$/i.test(row.operation)) {
    // New-Mailbox -Alias x -MicrosoftOnlineServicesID x@y -DisplayName "X": names of the same mailbox.
    const p = row.parameters;
    const upn = UPN_PARAMETERS.map((n) => normalizeIdentity('upn', p[n])).find((v) => v !== null) ?? null;
    if (upn !== null) {
      facts.add('upn', upn, 'alias', p.Alias);
      facts.add('upn', upn, 'displayName', p.DisplayName);
    }
  }

  if (row.recordType === 25) {
    const members = own(record, 'Members');
    if (Array.isArray(members)) {
      for (const m of members) {
        const member = obj(m);
        facts.add('upn', own(member, 'UPN'), 'displayName', own(member, 'DisplayName'));
      }
    }
  }
  return facts.list;
}
