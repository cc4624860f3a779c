// Record builders: one function per record family of ual-schema.md §4, producing the exact wire shapes
// (field names, number/string types, Name/Value arrays, JSON-in-string values) and their §5 quirks as
// they occur in real data (ClientIP with a port or ::ffff: prefix, UserKey forms, ResultStatus variants,
// OriginatingServer ending in \r\n). Baseline activity and attack scenarios both build records here, so
// an attack looks exactly like ordinary data except for what it does.

import { fastGuid, type Random } from './ids.js';
import { CLIENT_APPS, EXCHANGE_VERSIONS, RESOURCES } from './data.js';
import type { SimSite, SimUser, TenantDirectory } from './directory.js';

export type Rec = Record<string, unknown>;
export type Pair = { Name: string; Value: string };

export interface Ctx {
  dir: TenantDirectory;
  rng: Random;
  time: number;
  id: string;
}

const LOGON_ERRORS: Record<string, string> = {
  '50126': 'InvalidUserNameOrPassword',
  '50053': 'IdsLocked',
  '50034': 'UserAccountNotFound',
  '50055': 'InvalidPasswordExpiredPassword',
  '50057': 'UserDisabled',
  '50074': 'UserStrongAuthClientAuthNRequiredInterrupt',
  '50076': 'UserStrongAuthClientAuthNRequired',
  '50140': 'KmsiInterrupt',
  '53003': 'BlockedByConditionalAccess',
  '500121': 'AuthenticationFailedDueToMfaFailure',
};

export function logonErrorName(code: string): string {
  return LOGON_ERRORS[code] ?? 'UnknownError';
}

let dayKey = Number.NaN;
let dayText = '';
const TWO: string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** `HH:MM:SS` of every second of a day (flat strings, made once). */
let clock: string[] | undefined;

/** `YYYY-MM-DDTHH:MM:SS` (UTC, whole seconds) — core's formatApiTime, with the date part cached. */
export function apiTime(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== dayKey) {
    dayKey = day;
    dayText = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  clock ??= Array.from({ length: 86_400 }, (_, s) => `${TWO[Math.floor(s / 3600)]}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}`);
  return dayText + clock[Math.floor((ms - day * 86_400_000) / 1000)]!;
}

function head(c: Ctx, operation: string, recordType: number): Rec {
  return { CreationTime: apiTime(c.time), Id: c.id, Operation: operation, OrganizationId: c.dir.tenantId, RecordType: recordType };
}

/** ClientIP of Exchange admin records: usually with a port, sometimes bracketed IPv4-mapped (§5.3). */
export function ipWithPort(rng: Random, ip: string): string {
  const port = rng.int(1024, 65535);
  const r = rng.next();
  if (r < 0.15) return `[::ffff:${ip}]:${port}`;
  if (r < 0.25) return ip;
  return `${ip}:${port}`;
}

/** ClientIP of mailbox records: plain, or the IPv4-mapped form now and then. */
function mailboxIp(rng: Random, ip: string): string {
  return rng.chance(0.1) ? `::ffff:${ip}` : ip;
}

function originatingServer(c: Ctx): string {
  const suffix = c.rng.chance(0.3) ? '\r\n' : '';
  return `${c.dir.serverPrefix}${c.rng.int(1000, 9999)} (${c.rng.pick(EXCHANGE_VERSIONS)})${suffix}`;
}

export function spUserKey(u: SimUser): string {
  return `i:0h.f|membership|${u.puid.toLowerCase()}@live.com`;
}

function deviceProps(c: Ctx, agent: string): Pair[] {
  const os = agent.includes('Windows') ? 'Windows 10' : agent.includes('Mac OS') ? 'MacOs' : agent.includes('Android') ? 'Android' : agent.includes('iPhone') ? 'Ios' : 'Linux';
  const browser = agent.includes('Edg/') ? 'Edge' : agent.includes('Firefox') ? 'Firefox' : agent.includes('Chrome') ? 'Chrome' : agent.includes('Safari') ? 'Safari' : 'Rich Client';
  return [
    { Name: 'OS', Value: os },
    { Name: 'BrowserType', Value: browser },
    { Name: 'IsCompliant', Value: 'False' },
    { Name: 'IsCompliantAndManaged', Value: 'False' },
    { Name: 'SessionId', Value: fastGuid(c.rng) },
  ];
}

export interface SignInOptions {
  ip: string;
  agent: string;
  /** '0' for success, else an AADSTS error number such as '50126'. */
  error: string;
  resource?: string;
  application?: string;
  requestType?: string;
}

/** RecordType 15: UserLoggedIn / UserLoginFailed (§4.1). */
export function signIn(c: Ctx, u: SimUser, o: SignInOptions): Rec {
  const ok = o.error === '0';
  const rng = c.rng;
  const resource = o.resource ?? rng.pick(RESOURCES);
  const r = head(c, ok ? 'UserLoggedIn' : 'UserLoginFailed', 15);
  r.ResultStatus = ok ? (rng.chance(0.9) ? 'Succeeded' : 'Success') : rng.chance(0.5) ? 'Failed' : 'Success';
  r.UserKey = rng.chance(0.8) ? `${u.puid}@${c.dir.domain}` : u.objectId;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = 'AzureActiveDirectory';
  r.ClientIP = o.ip;
  r.ObjectId = resource;
  r.UserId = u.upn;
  r.AzureActiveDirectoryEventType = 1;
  r.ExtendedProperties = [
    { Name: 'ResultStatusDetail', Value: ok ? (rng.chance(0.8) ? 'Success' : 'Redirect') : 'Success' },
    { Name: 'UserAgent', Value: o.agent },
    { Name: 'UserAuthenticationMethod', Value: rng.chance(0.7) ? '1' : '9' },
    { Name: 'RequestType', Value: o.requestType ?? (ok ? rng.pick(['OAuth2:Authorize', 'OAuth2:Token', 'Login:login', 'Login:reprocess']) : 'Login:login') },
    { Name: 'KeepMeSignedIn', Value: rng.chance(0.3) ? 'True' : 'False' },
  ];
  r.ModifiedProperties = [];
  r.Actor = [
    { ID: u.objectId, Type: 0 },
    { ID: u.upn, Type: 5 },
    { ID: u.puid, Type: 3 },
  ];
  r.ActorContextId = c.dir.tenantId;
  r.ActorIpAddress = o.ip;
  r.InterSystemsId = fastGuid(rng);
  r.IntraSystemId = fastGuid(rng);
  r.SupportTicketId = '';
  r.Target = [{ ID: resource, Type: 0 }];
  r.TargetContextId = c.dir.tenantId;
  r.ApplicationId = o.application ?? rng.pick(CLIENT_APPS);
  r.DeviceProperties = deviceProps(c, o.agent);
  r.ErrorNumber = o.error;
  if (!ok) r.LogonError = logonErrorName(o.error);
  return r;
}

export interface Principal {
  upn: string;
  puid: string;
  objectId: string;
}

function aadIdentity(p: Principal): { ID: string; Type: number }[] {
  return [
    { ID: p.upn, Type: 5 },
    { ID: p.puid, Type: 3 },
    { ID: `User_${p.objectId}`, Type: 2 },
    { ID: p.objectId, Type: 2 },
    { ID: 'User', Type: 2 },
  ];
}

export interface Modified {
  Name: string;
  OldValue: string;
  NewValue: string;
}

/** RecordType 8: directory audit (§4.2). `target` is a user (UPN identities) or any other object. */
export function directoryAudit(
  c: Ctx,
  actor: SimUser,
  operation: string,
  target: { id: string; identities: { ID: string; Type: number }[] },
  modified: Modified[],
  extra: Pair[] = [],
): Rec {
  const r = head(c, operation, 8);
  r.ResultStatus = 'Success';
  r.UserKey = `${actor.puid}@${c.dir.domain}`;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = 'AzureActiveDirectory';
  r.ObjectId = target.id;
  r.UserId = actor.upn;
  r.AzureActiveDirectoryEventType = 1;
  const names = modified.map((m) => m.Name).join(', ');
  r.ExtendedProperties = [
    { Name: 'additionalDetails', Value: '{}' },
    { Name: 'extendedAuditEventCategory', Value: 'User' },
    { Name: 'actorUPN', Value: actor.upn },
    { Name: 'actorObjectId', Value: actor.objectId },
    { Name: 'targetName', Value: target.id },
    { Name: 'resultType', Value: 'Success' },
    ...extra,
  ];
  r.ModifiedProperties = modified.length > 0 ? [...modified, { Name: 'Included Updated Properties', OldValue: '', NewValue: names }] : [];
  r.Actor = aadIdentity(actor);
  r.ActorContextId = c.dir.tenantId;
  r.InterSystemsId = fastGuid(c.rng);
  r.IntraSystemId = fastGuid(c.rng);
  r.SupportTicketId = '';
  r.Target = target.identities;
  r.TargetContextId = c.dir.tenantId;
  return r;
}

export function userTarget(u: SimUser): { id: string; identities: { ID: string; Type: number }[] } {
  return {
    id: u.upn,
    identities: [
      { ID: `User_${u.objectId}`, Type: 2 },
      { ID: u.objectId, Type: 2 },
      { ID: 'User', Type: 2 },
      { ID: u.upn, Type: 5 },
      { ID: u.puid, Type: 3 },
    ],
  };
}

/** RecordType 1: an Exchange admin cmdlet run by a person (§4.3). */
export function exchangeAdmin(c: Ctx, actor: SimUser, cmdlet: string, objectId: string, params: Pair[], ip?: string): Rec {
  const r = head(c, cmdlet, 1);
  r.ResultStatus = c.rng.chance(0.97) ? 'True' : 'False';
  r.UserKey = actor.puid;
  r.UserType = 2;
  r.Version = 1;
  r.Workload = 'Exchange';
  r.ClientIP = ipWithPort(c.rng, ip ?? actor.homeIp);
  r.ObjectId = objectId;
  r.UserId = actor.upn;
  r.AppId = '';
  r.ClientAppId = '';
  r.ExternalAccess = false;
  r.OrganizationName = c.dir.domain;
  r.OriginatingServer = originatingServer(c);
  r.Parameters = params;
  r.SessionId = fastGuid(c.rng);
  // The admin's own Entra object id and tenant, as real cmdlet records carry them.
  r.TokenObjectId = actor.objectId;
  r.TokenTenantId = c.dir.tenantId;
  return r;
}

/** RecordType 1 run by the service itself (UserType 3, NT AUTHORITY\SYSTEM, UserKey a SID, no client IP). */
export function exchangeSystem(c: Ctx, cmdlet: string, objectId: string, params: Pair[]): Rec {
  const r = head(c, cmdlet, 1);
  r.ResultStatus = 'True';
  r.UserKey = 'S-1-5-18';
  r.UserType = 3;
  r.Version = 1;
  r.Workload = 'Exchange';
  r.ClientIP = '';
  r.ObjectId = objectId;
  r.UserId = 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)';
  r.ExternalAccess = true;
  r.OrganizationName = c.dir.domain;
  r.OriginatingServer = originatingServer(c);
  r.Parameters = params;
  return r;
}

function mailboxCommon(c: Ctx, r: Rec, accessor: SimUser, owner: SimUser, logonType: number, ip: string, client: string): void {
  r.ResultStatus = 'Succeeded';
  r.UserKey = accessor.puid;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = 'Exchange';
  r.ClientIP = mailboxIp(c.rng, ip);
  r.UserId = accessor.upn;
  r.AppId = client.includes('OWA') ? '00000002-0000-0ff1-ce00-000000000000' : '';
  r.ClientAppId = '';
  r.ClientIPAddress = ip;
  r.ClientInfoString = client;
  r.ExternalAccess = false;
  r.InternalLogonType = 0;
  r.LogonType = logonType;
  r.LogonUserDisplayName = accessor.displayName;
  r.LogonUserSid = accessor.sid;
  r.MailboxGuid = owner.mailboxGuid;
  r.MailboxOwnerSid = owner.sid;
  r.MailboxOwnerUPN = owner.upn;
  r.OrganizationName = c.dir.domain;
  r.OriginatingServer = originatingServer(c);
  r.SessionId = fastGuid(c.rng);
}

function messageId(c: Ctx): string {
  return `<${c.dir.serverPrefix}${c.rng.int(1000, 9999)}${fastGuid(c.rng).slice(0, 8).toUpperCase()}@${c.dir.serverPrefix}${c.rng.int(1000, 9999)}.prod.exchangelabs.com>`;
}

function folderId(c: Ctx): string {
  const g = fastGuid(c.rng);
  return `LgAAAAD${g.slice(0, 8).toUpperCase()}${g.slice(9, 13)}${g.slice(14, 18)}AQ${g.slice(19, 23)}${g.slice(24)}AAAB`;
}

/** RecordType 50: MailItemsAccessed (owner when accessor === owner; else delegated, LogonType 2). */
export function mailItemsAccessed(c: Ctx, accessor: SimUser, owner: SimUser, ip: string, client: string, items: number, bind: boolean): Rec {
  const r = head(c, 'MailItemsAccessed', 50);
  mailboxCommon(c, r, accessor, owner, accessor === owner ? 0 : 2, ip, client);
  r.OperationProperties = [
    { Name: 'MailAccessType', Value: bind ? 'Bind' : 'Sync' },
    { Name: 'IsThrottled', Value: 'False' },
  ];
  const folderItems = [];
  for (let i = 0; i < (bind ? items : 0); i++) folderItems.push({ InternetMessageId: messageId(c), SizeInBytes: c.rng.int(4000, 250000) });
  r.Folders = [{ Id: folderId(c), Path: bind ? '\\Inbox' : '\\Inbox', ...(bind ? { FolderItems: folderItems } : {}) }];
  r.OperationCount = bind ? items : 1;
  return r;
}

/** RecordType 2: one mail item (Send, Update, Create). */
export function mailItem(c: Ctx, u: SimUser, operation: string, subject: string, folder: string, client: string): Rec {
  const r = head(c, operation, 2);
  mailboxCommon(c, r, u, u, 0, u.homeIp, client);
  r.Item = {
    Id: folderId(c),
    InternetMessageId: messageId(c),
    ParentFolder: { Id: folderId(c), Path: folder },
    SizeInBytes: c.rng.int(3000, 900000),
    Subject: subject,
  };
  if (operation === 'Update') r.ModifiedProperties = ['IsRead'];
  return r;
}

/** RecordType 3: an operation on a group of items (MoveToDeletedItems, SoftDelete, Move). */
export function mailGroup(c: Ctx, u: SimUser, operation: string, subjects: string[], client: string): Rec {
  const r = head(c, operation, 3);
  mailboxCommon(c, r, u, u, 0, u.homeIp, client);
  r.CrossMailboxOperation = false;
  r.DestFolder = { Id: folderId(c), Path: '\\Deleted Items' };
  r.Folder = { Id: folderId(c), Path: '\\Inbox' };
  r.AffectedItems = subjects.map((s) => ({ Id: folderId(c), InternetMessageId: messageId(c), ParentFolder: { Id: folderId(c), Path: '\\Inbox' }, Subject: s }));
  return r;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

export interface FileTarget {
  siteUrl: string;
  siteId: string;
  webId: string;
  listId: string;
  library: string;
  file: string;
  oneDrive: boolean;
}

export function siteFile(site: SimSite, file: string): FileTarget {
  return { siteUrl: site.url, siteId: site.siteId, webId: site.webId, listId: site.listId, library: 'Shared Documents', file, oneDrive: false };
}

/** RecordType 6 (file operations) and 14 (sharing) on SharePoint or OneDrive (§4.5). */
export function fileRecord(c: Ctx, u: SimUser, operation: string, recordType: 6 | 14, f: FileTarget, ip: string, agent: string, sharing?: Rec): Rec {
  const r = head(c, operation, recordType);
  r.UserKey = spUserKey(u);
  r.UserType = 0;
  r.Version = 1;
  r.Workload = f.oneDrive ? 'OneDrive' : 'SharePoint';
  r.ClientIP = ip;
  r.ObjectId = `${f.siteUrl}${f.library}/${f.file}`;
  r.UserId = u.upn;
  r.CorrelationId = fastGuid(c.rng);
  r.EventSource = 'SharePoint';
  r.ItemType = 'File';
  r.ListId = f.listId;
  r.ListItemUniqueId = fastGuid(c.rng);
  r.Site = f.siteId;
  r.UserAgent = agent;
  r.WebId = f.webId;
  r.SourceFileExtension = extensionOf(f.file);
  r.SiteUrl = f.siteUrl;
  r.SourceFileName = f.file;
  r.SourceRelativeUrl = f.library;
  if (sharing) Object.assign(r, sharing);
  return r;
}

/** RecordType 25: Teams. */
export function teamsRecord(c: Ctx, u: SimUser, operation: string, team: { name: string; guid: string }, extra: Rec = {}): Rec {
  const r = head(c, operation, 25);
  r.UserKey = u.objectId;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = 'MicrosoftTeams';
  r.UserId = u.upn;
  Object.assign(r, extra);
  if (operation !== 'TeamsSessionStarted') {
    r.TeamName = team.name;
    r.TeamGuid = team.guid;
  }
  return r;
}

/** RecordType 20: Power BI. */
export function powerBi(c: Ctx, u: SimUser, operation: string, report: string, workspace: string): Rec {
  const r = head(c, operation, 20);
  r.UserKey = u.puid;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = 'PowerBI';
  r.UserId = u.upn;
  r.ClientIP = u.homeIp;
  r.UserAgent = u.agent;
  r.Activity = operation;
  r.ItemName = report;
  r.WorkSpaceName = workspace;
  r.ReportName = report;
  r.WorkspaceId = fastGuid(c.rng);
  r.ObjectId = report;
  r.ReportId = fastGuid(c.rng);
  r.ReportType = 'PowerBIReport';
  r.DistributionMethod = 'Workspace';
  r.ConsumptionMethod = 'Power BI Web';
  r.IsSuccess = true;
  r.RequestId = fastGuid(c.rng);
  return r;
}

/** RecordType 40: a built-in Security & Compliance alert (§4.8), `Data` as JSON text. */
export function alertRecord(c: Ctx, name: string, severity: string, category: string, user: string, op: string, workload: string): Rec {
  const alertId = fastGuid(c.rng);
  const r = head(c, 'AlertTriggered', 40);
  r.ResultStatus = 'Succeeded';
  r.UserKey = 'SecurityComplianceAlerts';
  r.UserType = 4;
  r.Version = 1;
  r.Workload = 'SecurityComplianceCenter';
  r.ObjectId = alertId;
  r.UserId = 'SecurityComplianceAlerts';
  r.AlertId = alertId;
  r.AlertLinks = [{ AlertLinkHref: '' }];
  r.AlertType = 'System';
  r.Category = category;
  r.Comments = 'New alert';
  const ts = new Date(c.time).toISOString().replace('Z', '0000Z');
  r.Data = JSON.stringify({ f3u: user, op, wl: workload, an: name, sev: severity, ts, tid: c.dir.tenantId });
  r.Name = name;
  r.PolicyId = fastGuid(c.rng);
  r.Severity = severity;
  r.Source = 'Office 365 Security & Compliance';
  r.Status = 'Active';
  return r;
}

export { extensionOf };

/** A service principal as a directory audit record's Target names it (ObjectId = its object id). */
export function servicePrincipalTarget(name: string, appId: string, objectId: string) {
  return {
    id: objectId,
    identities: [
      { ID: `ServicePrincipal_${objectId}`, Type: 2 },
      { ID: objectId, Type: 2 },
      { ID: 'ServicePrincipal', Type: 2 },
      { ID: name, Type: 1 },
      { ID: appId, Type: 2 },
      { ID: `${appId}/${name}`, Type: 4 },
    ],
  };
}

/**
 * A user's "Consent to application." (delegated, not admin consent) to the service principal `target`
 * for the `scopes` (space-separated), as the unified audit log writes it.
 */
export function consentAudit(c: Ctx, actor: SimUser, target: { id: string; identities: { ID: string; Type: number }[] }, scopes: string): Rec {
  const modified: Modified[] = [
    { Name: 'ConsentContext.IsAdminConsent', OldValue: '', NewValue: 'False' },
    { Name: 'ConsentContext.IsAppOnly', OldValue: '', NewValue: 'False' },
    { Name: 'ConsentContext.OnBehalfOfAll', OldValue: '', NewValue: 'False' },
    { Name: 'ConsentContext.Tags', OldValue: '', NewValue: 'WindowsAzureActiveDirectoryIntegratedApp' },
    {
      Name: 'ConsentAction.Permissions',
      OldValue: '',
      NewValue: `[] => [[Id: ${fastGuid(c.rng)}, ClientId: ${target.id}, PrincipalId: ${actor.objectId}, ResourceId: ${fastGuid(c.rng)}, ConsentType: Principal, Scope:  ${scopes}, CreatedDateTime: , LastModifiedDateTime ]]; `,
    },
  ];
  return directoryAudit(c, actor, 'Consent to application.', target, modified);
}
