// Fast JSON writers for the high-volume baseline kinds: each writes, as one template string from
// pre-escaped fragments (text.ts), exactly the text JSON.stringify gives for the record its builder in
// records.ts makes, drawing from the generator in the same order — so a writer and its builder are
// interchangeable byte for byte (writers.test.ts checks every kind). Rare branches call the builders.

import { HEX, fastGuid, type Random } from './ids.js';
import { CLIENT_APPS, EXCHANGE_VERSIONS, MAIL_SUBJECTS, RESOURCES } from './data.js';
import type { SimUser, TenantDirectory } from './directory.js';
import { apiTime, logonErrorName, teamsRecord, type Ctx, type Rec } from './records.js';
import { esc, tenantText, type FilesText, type TenantText, type UserText } from './text.js';

export const OWA = 'Client=OWA;Action=ViaProxy';
const OUTLOOK = 'Client=MSExchangeRPC';
const REST = 'Client=REST;Client=RESTSystem;;';
const OWA_APP = '00000002-0000-0ff1-ce00-000000000000';

export function clientString(rng: Random): string {
  const r = rng.next();
  return r < 0.5 ? OUTLOOK : r < 0.85 ? OWA : REST;
}

export function colleague(dir: TenantDirectory, u: SimUser, rng: Random): SimUser {
  const other = dir.users[rng.int(0, dir.users.length)]!;
  return other === u ? dir.users[(u.index + 1) % dir.users.length]! : other;
}

/** The rarer Teams records (a member added, a channel added). */
export function teamsOther(c: Ctx, u: SimUser, team: { name: string; guid: string }, r: number): Rec {
  if (r < 0.97) {
    const other = colleague(c.dir, u, c.rng);
    return teamsRecord(c, u, 'MemberAdded', team, { ItemName: team.name, Members: [{ DisplayName: other.displayName, Role: 1, UPN: other.upn }] });
  }
  return teamsRecord(c, u, 'ChannelAdded', team, { ChannelName: `${u.department} ${c.rng.int(1, 99)}`, ChannelType: 'Standard', ChannelGuid: `19:${fastGuid(c.rng).replace(/-/g, '')}@thread.tacv2` });
}

export const FILE_OPS = ['FileAccessed', 'FileAccessed', 'FileAccessed', 'FilePreviewed', 'FileModified', 'FileModified', 'FileUploaded', 'FileDownloaded'];

const E_RESOURCES = RESOURCES.map(esc);
const E_CLIENT_APPS = CLIENT_APPS.map(esc);
const E_VERSIONS = EXCHANGE_VERSIONS.map(esc);
const E_SUBJECTS = MAIL_SUBJECTS.map(esc);
const REQUEST_TYPES = ['OAuth2:Authorize', 'OAuth2:Token', 'Login:login', 'Login:reprocess'];
const CRLF = esc('\r\n');
const INBOX = JSON.stringify('\\Inbox');
const SENT = JSON.stringify('\\Sent Items');
const DELETED = JSON.stringify('\\Deleted Items');
const SYSTEM_USER = JSON.stringify('NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)');
const HEXU: string[] = HEX.map((h) => h.toUpperCase());

function word(rng: Random): number {
  return (rng.next() * 4294967296) >>> 0;
}

function pickIndex(rng: Random, length: number): number {
  if (length === 0) throw new Error('pick from an empty list');
  return Math.floor(rng.next() * length);
}

function head(c: Ctx, t: TenantText, operation: string, recordType: number): string {
  return `{"CreationTime":"${apiTime(c.time)}","Id":"${c.id}${t.operation(operation, recordType)}`;
}

function originatingServer(c: Ctx, t: TenantText): string {
  const suffix = c.rng.chance(0.3) ? CRLF : '';
  const n = c.rng.int(1000, 9999);
  return `${t.serverPrefix}${n} (${c.rng.pick(E_VERSIONS)})${suffix}`;
}

/** records.ts messageId: `<PREFIXnnnnHEX8@PREFIXnnnn.prod.exchangelabs.com>` (four words drawn, one used). */
function messageId(c: Ctx, t: TenantText): string {
  const rng = c.rng;
  const n1 = rng.int(1000, 9999);
  const a = word(rng);
  rng.next();
  rng.next();
  rng.next();
  const n2 = rng.int(1000, 9999);
  return `<${t.serverPrefix}${n1}${HEXU[a >>> 24]}${HEXU[(a >>> 16) & 0xff]}${HEXU[(a >>> 8) & 0xff]}${HEXU[a & 0xff]}@${t.serverPrefix}${n2}.prod.exchangelabs.com>`;
}

const HIU = Uint8Array.from(HEXU, (h) => h.charCodeAt(0));
const LOU = Uint8Array.from(HEXU, (h) => h.charCodeAt(1));
const HIL = Uint8Array.from(HEX, (h) => h.charCodeAt(0));
const LOL = Uint8Array.from(HEX, (h) => h.charCodeAt(1));
const A = 65, B = 66, D = 68, L = 76, Q = 81, G = 103;

/** records.ts folderId (`LgAAAAD` + a GUID's pieces, the first upper-cased + `AAAB`), as one flat string. */
function folderId(rng: Random): string {
  const a = word(rng);
  const b = word(rng);
  const c = word(rng);
  const d = word(rng);
  const a0 = a >>> 24, a1 = (a >>> 16) & 255, a2 = (a >>> 8) & 255, a3 = a & 255;
  const b0 = b >>> 24, b1 = (b >>> 16) & 255, b3 = b & 255;
  const c0 = 0x80 | ((c >>> 24) & 0x3f), c1 = (c >>> 16) & 255, c2 = (c >>> 8) & 255, c3 = c & 255;
  const d0 = d >>> 24, d1 = (d >>> 16) & 255, d2 = (d >>> 8) & 255, d3 = d & 255;
  return String.fromCharCode(
    L, G, A, A, A, A, D, HIU[a0]!, LOU[a0]!, HIU[a1]!, LOU[a1]!, HIU[a2]!, LOU[a2]!, HIU[a3]!, LOU[a3]!,
    HIL[b0]!, LOL[b0]!, HIL[b1]!, LOL[b1]!, 52, LOL[(b >>> 8) & 15]!, HIL[b3]!, LOL[b3]!, A, Q,
    HIL[c0]!, LOL[c0]!, HIL[c1]!, LOL[c1]!, HIL[c2]!, LOL[c2]!, HIL[c3]!, LOL[c3]!,
    HIL[d0]!, LOL[d0]!, HIL[d1]!, LOL[d1]!, HIL[d2]!, LOL[d2]!, HIL[d3]!, LOL[d3]!, A, A, A, B,
  );
}

/** records.ts mailboxCommon for a user in their own mailbox (LogonType 0). */
function mailboxOwn(c: Ctx, t: TenantText, ut: UserText, ip: string, client: string): string {
  const cip = c.rng.chance(0.1) ? `::ffff:${ip}` : ip;
  const server = originatingServer(c, t);
  const session = fastGuid(c.rng);
  return `,"ResultStatus":"Succeeded","UserKey":"${ut.puid}","UserType":0,"Version":1,"Workload":"Exchange","ClientIP":"${cip}","UserId":"${ut.upn}","AppId":"${client === OWA ? OWA_APP : ''}","ClientAppId":"","ClientIPAddress":"${ip}","ClientInfoString":"${client}","ExternalAccess":false,"InternalLogonType":0,"LogonType":0,"LogonUserDisplayName":"${ut.displayName}","LogonUserSid":"${ut.sid}","MailboxGuid":"${ut.mailboxGuid}","MailboxOwnerSid":"${ut.sid}","MailboxOwnerUPN":"${ut.upn}","OrganizationName":"${t.domain}","OriginatingServer":"${server}","SessionId":"${session}"`;
}

export function writeSignIn(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const rng = c.rng;
  const mobile = rng.chance(0.25);
  const r = rng.next();
  const error = r < 0.025 ? '50126' : r < 0.035 ? '50074' : r < 0.045 ? '50140' : '0';
  const ip = mobile ? ut.mobileIp : ut.homeIp;
  const ok = error === '0';
  const resource = rng.pick(E_RESOURCES);
  const status = ok ? (rng.chance(0.9) ? 'Succeeded' : 'Success') : rng.chance(0.5) ? 'Failed' : 'Success';
  const userKey = rng.chance(0.8) ? ut.aadKey : ut.objectId;
  const detail = ok ? (rng.chance(0.8) ? 'Success' : 'Redirect') : 'Success';
  const method = rng.chance(0.7) ? '1' : '9';
  const requestType = ok ? rng.pick(REQUEST_TYPES) : 'Login:login';
  const kmsi = rng.chance(0.3) ? 'True' : 'False';
  const inter = fastGuid(rng);
  const intra = fastGuid(rng);
  const app = rng.pick(E_CLIENT_APPS);
  const session = fastGuid(rng);
  return `${head(c, t, ok ? 'UserLoggedIn' : 'UserLoginFailed', 15)},"ResultStatus":"${status}","UserKey":"${userKey}","UserType":0,"Version":1,"Workload":"AzureActiveDirectory","ClientIP":"${ip}","ObjectId":"${resource}","UserId":"${ut.upn}","AzureActiveDirectoryEventType":1,"ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"${detail}"},{"Name":"UserAgent","Value":"${mobile ? ut.mobileAgent : ut.agent}"},{"Name":"UserAuthenticationMethod","Value":"${method}"},{"Name":"RequestType","Value":"${requestType}"},{"Name":"KeepMeSignedIn","Value":"${kmsi}"}],"ModifiedProperties":[],"Actor":${ut.actor},"ActorContextId":"${t.tenantId}","ActorIpAddress":"${ip}","InterSystemsId":"${inter}","IntraSystemId":"${intra}","SupportTicketId":"","Target":[{"ID":"${resource}","Type":0}],"TargetContextId":"${t.tenantId}","ApplicationId":"${app}","DeviceProperties":${mobile ? ut.mobileDevice : ut.device}${session}"}],"ErrorNumber":"${error}"${ok ? '' : `,"LogonError":"${logonErrorName(error)}"`}}`;
}

export function writeMailAccess(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const rng = c.rng;
  const bind = rng.chance(0.4);
  const ip = rng.chance(0.2) ? ut.mobileIp : ut.homeIp;
  const client = clientString(rng);
  const items = bind ? rng.int(1, 4) : 0;
  const common = mailboxOwn(c, t, ut, ip, client);
  let folderItems = '';
  for (let i = 0; i < items; i++) folderItems += `${i === 0 ? '' : ','}{"InternetMessageId":"${messageId(c, t)}","SizeInBytes":${rng.int(4000, 250000)}}`;
  const folder = folderId(rng);
  return `${head(c, t, 'MailItemsAccessed', 50)}${common},"OperationProperties":[{"Name":"MailAccessType","Value":"${bind ? 'Bind' : 'Sync'}"},{"Name":"IsThrottled","Value":"False"}],"Folders":[{"Id":"${folder}","Path":${INBOX}${bind ? `,"FolderItems":[${folderItems}]` : ''}}],"OperationCount":${bind ? items : 1}}`;
}

/** mail-send (Send, Sent Items) and mail-update (Update, Inbox). */
export function writeMailItem(operation: 'Send' | 'Update'): (c: Ctx, u: SimUser, seed: string | number) => string {
  const folder = operation === 'Send' ? SENT : INBOX;
  const tail = operation === 'Update' ? ',"ModifiedProperties":["IsRead"]}' : '}';
  return (c, u, seed) => {
    const t = tenantText(c.dir, seed);
    const ut = t.user(u);
    const rng = c.rng;
    const subject = rng.pick(E_SUBJECTS);
    const client = clientString(rng);
    const common = mailboxOwn(c, t, ut, ut.homeIp, client);
    const id = folderId(rng);
    const message = messageId(c, t);
    const parent = folderId(rng);
    return `${head(c, t, operation, 2)}${common},"Item":{"Id":"${id}","InternetMessageId":"${message}","ParentFolder":{"Id":"${parent}","Path":${folder}},"SizeInBytes":${rng.int(3000, 900000)},"Subject":"${subject}"}${tail}`;
  };
}

export function writeMailDelete(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const rng = c.rng;
  const n = rng.int(1, 4);
  const subjects: string[] = [];
  for (let i = 0; i < n; i++) subjects.push(rng.pick(E_SUBJECTS));
  const operation = rng.chance(0.7) ? 'MoveToDeletedItems' : 'SoftDelete';
  const client = clientString(rng);
  const common = mailboxOwn(c, t, ut, ut.homeIp, client);
  const dest = folderId(rng);
  const from = folderId(rng);
  let items = '';
  for (let i = 0; i < n; i++) {
    const id = folderId(rng);
    const message = messageId(c, t);
    items += `${i === 0 ? '' : ','}{"Id":"${id}","InternetMessageId":"${message}","ParentFolder":{"Id":"${folderId(rng)}","Path":${INBOX}},"Subject":"${subjects[i]}"}`;
  }
  return `${head(c, t, operation, 3)}${common},"CrossMailboxOperation":false,"DestFolder":{"Id":"${dest}","Path":${DELETED}},"Folder":{"Id":"${from}","Path":${INBOX}},"AffectedItems":[${items}]}`;
}

/** records.ts fileRecord; `sharing` is the text of the extra fields (each starting with a comma). */
function fileText(c: Ctx, t: TenantText, ut: UserText, operation: string, recordType: number, f: FilesText, file: number, sharing: string): string {
  const correlation = fastGuid(c.rng);
  const item = fastGuid(c.rng);
  const name = f.files[file]!;
  return `${head(c, t, operation, recordType)},"UserKey":"${ut.spKey}","UserType":0,"Version":1,"Workload":"${f.oneDrive ? 'OneDrive' : 'SharePoint'}","ClientIP":"${ut.homeIp}","ObjectId":"${f.url}${f.library}/${name}","UserId":"${ut.upn}","CorrelationId":"${correlation}","EventSource":"SharePoint","ItemType":"File","ListId":"${f.listId}","ListItemUniqueId":"${item}","Site":"${f.siteId}","UserAgent":"${ut.agent}","WebId":"${f.webId}","SourceFileExtension":"${f.exts[file]}","SiteUrl":"${f.url}","SourceFileName":"${name}","SourceRelativeUrl":"${f.library}"${sharing}}`;
}

export function writeSiteFile(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const rng = c.rng;
  const site = rng.chance(0.7) ? ut.site : t.sites[pickIndex(rng, t.sites.length)]!;
  const operation = rng.pick(FILE_OPS);
  return fileText(c, t, ut, operation, 6, site, pickIndex(rng, site.files.length), '');
}

export function writeOneDriveFile(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const operation = c.rng.pick(FILE_OPS);
  return fileText(c, t, ut, operation, 6, ut.oneDrive, pickIndex(c.rng, ut.oneDrive.files.length), '');
}

export function writeShare(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const rng = c.rng;
  const other = colleague(c.dir, u, rng);
  const file = pickIndex(rng, ut.oneDrive.files.length);
  if (rng.chance(0.5)) {
    return fileText(c, t, ut, 'CompanyLinkCreated', 14, ut.oneDrive, file, `,"EventData":"<Type>View</Type>","UniqueSharingId":"${fastGuid(rng)}"`);
  }
  return fileText(c, t, ut, 'SharingSet', 14, ut.oneDrive, file, `,"TargetUserOrGroupName":"${t.user(other).upn}","TargetUserOrGroupType":"Member","EventData":"<Permissions granted>Contribute</Permissions granted>"`);
}

export function writeTeams(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const r = c.rng.next();
  if (r >= 0.9) return JSON.stringify(teamsOther(c, u, ut.team, r));
  return `${head(c, t, 'TeamsSessionStarted', 25)},"UserKey":"${ut.objectId}","UserType":0,"Version":1,"Workload":"MicrosoftTeams","UserId":"${ut.upn}","ClientIP":"${ut.homeIp}"}`;
}

export function writePowerBi(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const rng = c.rng;
  const operation = rng.chance(0.8) ? 'ViewReport' : 'ViewDashboard';
  const report = `${ut.department} KPIs`;
  const workspace = fastGuid(rng);
  const reportId = fastGuid(rng);
  const request = fastGuid(rng);
  return `${head(c, t, operation, 20)},"UserKey":"${ut.puid}","UserType":0,"Version":1,"Workload":"PowerBI","UserId":"${ut.upn}","ClientIP":"${ut.homeIp}","UserAgent":"${ut.agent}","Activity":"${operation}","ItemName":"${report}","WorkSpaceName":"${ut.department} Workspace","ReportName":"${report}","WorkspaceId":"${workspace}","ObjectId":"${report}","ReportId":"${reportId}","ReportType":"PowerBIReport","DistributionMethod":"Workspace","ConsumptionMethod":"Power BI Web","IsSuccess":true,"RequestId":"${request}"}`;
}

export function writeMaintenance(c: Ctx, u: SimUser, seed: string | number): string {
  const t = tenantText(c.dir, seed);
  const ut = t.user(u);
  const server = originatingServer(c, t);
  return `${head(c, t, 'Set-Mailbox', 1)},"ResultStatus":"True","UserKey":"S-1-5-18","UserType":3,"Version":1,"Workload":"Exchange","ClientIP":"","ObjectId":"${t.exchangeDn}/${ut.alias}","UserId":${SYSTEM_USER},"ExternalAccess":true,"OrganizationName":"${t.domain}","OriginatingServer":"${server}","Parameters":[{"Name":"Identity","Value":"${ut.mailboxGuid}"},{"Name":"Alias","Value":"${ut.alias}"},{"Name":"DisplayName","Value":"${ut.displayName}"},{"Name":"PrimarySmtpAddress","Value":"${ut.upn}"},{"Name":"RetentionPolicy","Value":"Default MRM Policy"}],"ModifiedObjectResolvedName":"${ut.alias}"}`;
}
