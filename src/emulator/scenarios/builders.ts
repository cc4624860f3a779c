// Record builders for the families only the coverage scenarios write (the baseline never does): Defender
// for Office 365 records (TIMailData RecordType 28, TIUrlClickData 41, file detections 47, per the
// Management Activity API schema's Defender section), SharePoint tenant administration (RecordType 4),
// Advanced Audit search records, Teams chats with external participants, Outlook-client inbox rules
// (UpdateInboxRules, RecordType 2) and mailbox access by an application. Shapes follow ual-schema.md and
// the API schema; fields the schema leaves open are constructed, as noted per builder.

import { fastGuid } from '../tenant/ids.js';
import type { SimUser } from '../tenant/directory.js';
import { apiTime, mailItemsAccessed, type Ctx, type Modified, type Pair, type Rec } from '../tenant/records.js';

function head(c: Ctx, operation: string, recordType: number): Rec {
  return { CreationTime: apiTime(c.time), Id: c.id, Operation: operation, OrganizationId: c.dir.tenantId, RecordType: recordType };
}

function networkMessageId(c: Ctx): string {
  return fastGuid(c.rng);
}

export interface MailThreat {
  sender: string;
  subject: string;
  verdict: 'Phish' | 'Malware' | 'Spam';
  /** Inline (at delivery), Delayed (found after delivery) or ZAP (removed by zero-hour auto purge). */
  detectionType: 'Inline' | 'Delayed' | 'ZAP';
  deliveryAction: 'Delivered' | 'Blocked' | 'Junked';
  latestLocation: 'Inbox' | 'Quarantine' | 'JunkFolder' | 'DeletedFolder';
  threats: string[];
  senderIp: string;
  messageId?: string;
}

/** RecordType 28 ThreatIntelligence: a Defender for Office 365 email event (Operation TIMailData). */
export function tiMail(c: Ctx, recipient: SimUser, t: MailThreat): Rec {
  const r = head(c, 'TIMailData', 28);
  r.UserKey = 'ThreatIntel';
  r.UserType = 4;
  r.Version = 1;
  r.Workload = 'ThreatIntelligence';
  r.ObjectId = t.messageId ?? `<${fastGuid(c.rng).slice(0, 18)}@${t.sender.split('@')[1] ?? 'mail.example'}>`;
  // The recipient as the record's user (the schema leaves UserId open for TIMailData; constructed).
  r.UserId = recipient.upn;
  r.AttachmentData = [];
  r.DetectionType = t.detectionType;
  r.DetectionMethod = t.threats.join(', ');
  r.InternetMessageId = r.ObjectId;
  r.NetworkMessageId = networkMessageId(c);
  r.P1Sender = t.sender;
  r.P2Sender = t.sender;
  r.Recipients = [recipient.upn];
  r.SenderIp = t.senderIp;
  r.Subject = t.subject;
  r.Verdict = t.verdict;
  r.MessageTime = apiTime(c.time - 60_000);
  r.EventDeepLink = `https://security.microsoft.com/?hash=/threatexplorer?messageParams=${r.NetworkMessageId}`;
  r.DeliveryAction = t.deliveryAction;
  r.OriginalDeliveryLocation = t.deliveryAction === 'Blocked' ? 'Quarantine' : t.deliveryAction === 'Junked' ? 'JunkFolder' : 'Inbox';
  r.LatestDeliveryLocation = t.latestLocation;
  r.Directionality = 'Inbound';
  r.ThreatsAndDetectionTech = JSON.stringify(t.threats.map((x) => `${t.verdict}: [${x}]`));
  if (t.detectionType === 'ZAP') r.AdditionalActionsAndResults = ['ZAP: Success'];
  return r;
}

/** RecordType 41 ThreatIntelligenceUrl: a Safe Links time-of-click event (UrlClickAction 2 block, 4 block overridden). */
export function tiUrlClick(c: Ctx, u: SimUser, url: string, action: 2 | 3 | 4 | 5, ip: string): Rec {
  const r = head(c, 'TIUrlClickData', 41);
  r.UserKey = 'ThreatIntel';
  r.UserType = 4;
  r.Version = 1;
  r.Workload = 'ThreatIntelligence';
  r.ObjectId = url;
  r.UserId = u.upn;
  r.AppName = 'Mail';
  r.UrlClickAction = action;
  r.SourceId = networkMessageId(c);
  r.TimeOfClick = apiTime(c.time);
  r.Url = url;
  r.UserIp = ip;
  return r;
}

/** RecordType 47 ThreatIntelligenceAtpContent: Safe Attachments for SharePoint/OneDrive/Teams found a bad file. */
export function atpFile(c: Ctx, owner: SimUser, fileUrl: string, fileName: string, malwareFamily: string): Rec {
  const r = head(c, 'AtpDetection', 47);
  r.UserKey = 'ThreatIntel';
  r.UserType = 4;
  r.Version = 1;
  r.Workload = 'ThreatIntelligence';
  r.ObjectId = fileUrl;
  r.UserId = owner.upn;
  r.DetectionMethod = 'File detonation';
  r.EventDeepLink = `https://security.microsoft.com/?hash=/threatexplorer?fileParams=${fastGuid(c.rng)}`;
  r.FileData = {
    DocumentId: fastGuid(c.rng),
    FileName: fileName,
    FilePath: fileUrl,
    FileVerdict: 1,
    MalwareFamily: malwareFamily,
    SHA256: Array.from({ length: 64 }, () => '0123456789abcdef'[c.rng.int(0, 16)]).join(''),
    FileSize: String(c.rng.int(20_000, 900_000)),
  };
  r.LastModifiedBy = owner.upn;
  r.LastModifiedDate = apiTime(c.time - 120_000);
  r.SourceWorkload = 1;
  return r;
}

/** RecordType 4 SharePoint: a tenant setting changed in the SharePoint admin center (SharingPolicyChanged…). */
export function sharePointAdmin(c: Ctx, actor: SimUser, operation: string, modified: Modified[]): Rec {
  const r = head(c, operation, 4);
  r.UserKey = `i:0h.f|membership|${actor.puid.toLowerCase()}@live.com`;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = 'SharePoint';
  r.ClientIP = actor.homeIp;
  r.ObjectId = `https://${c.dir.label}-admin.sharepoint.com/`;
  r.UserId = actor.upn;
  r.CorrelationId = fastGuid(c.rng);
  r.EventSource = 'SharePoint';
  r.ItemType = 'Tenant';
  r.Site = fastGuid(c.rng);
  r.UserAgent = actor.agent;
  r.ModifiedProperties = modified;
  return r;
}

/** Advanced Audit search records: SearchQueryInitiatedSharePoint (RecordType 102) / …Exchange (101). */
export function searchQuery(c: Ctx, u: SimUser, workload: 'SharePoint' | 'Exchange', query: string, ip: string, agent: string): Rec {
  const sp = workload === 'SharePoint';
  const r = head(c, sp ? 'SearchQueryInitiatedSharePoint' : 'SearchQueryInitiatedExchange', sp ? 102 : 101);
  r.UserKey = sp ? `i:0h.f|membership|${u.puid.toLowerCase()}@live.com` : u.puid;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = workload;
  r.ClientIP = ip;
  r.ObjectId = sp ? `https://${c.dir.label}.sharepoint.com/search` : u.mailboxGuid;
  r.UserId = u.upn;
  r.UserAgent = agent;
  r.QueryText = query;
  r.QuerySource = sp ? 'SharePoint Search' : 'Outlook Web App';
  r.CorrelationId = fastGuid(c.rng);
  return r;
}

export interface ChatPeer {
  upn: string;
  displayName: string;
  tenantId: string;
}

/** RecordType 25: a Teams one-on-one chat created (ChatCreated) with a participant of another tenant or not. */
export function teamsChat(c: Ctx, u: SimUser, peer: ChatPeer, external: boolean): Rec {
  const r = head(c, 'ChatCreated', 25);
  r.UserKey = u.objectId;
  r.UserType = 0;
  r.Version = 1;
  r.Workload = 'MicrosoftTeams';
  r.UserId = u.upn;
  r.ClientIP = u.homeIp;
  r.ChatThreadId = `19:${fastGuid(c.rng).replace(/-/g, '')}_${fastGuid(c.rng).replace(/-/g, '')}@unq.gbl.spaces`;
  r.CommunicationType = 'OneOnOne';
  r.Members = [
    { DisplayName: u.displayName, Role: 1, UPN: u.upn },
    { DisplayName: peer.displayName, Role: 1, UPN: peer.upn },
  ];
  r.ParticipantInfo = {
    HasForeignTenantUsers: external,
    HasGuestUsers: false,
    HasOtherGuestUsers: false,
    HasUnauthenticatedUsers: false,
    ParticipantTenantIds: external ? [c.dir.tenantId, peer.tenantId] : [c.dir.tenantId],
  };
  r.ItemName = peer.displayName;
  return r;
}

/**
 * RecordType 2: an inbox rule made in the Outlook client (UpdateInboxRules). The rule's action names go
 * into RuleActions and its recipients into ServerRule (a JSON text), as real records carry them.
 */
export function updateInboxRules(c: Ctx, u: SimUser, ruleName: string, actions: string[], recipients: string[], ip: string): Rec {
  const r = mailItemsAccessed(c, u, u, ip, 'Client=MSExchangeRPC;Version=16.0.17328;', 0, false);
  r.Operation = 'UpdateInboxRules';
  r.RecordType = 2;
  delete r.Folders;
  delete r.OperationCount;
  const serverRule = {
    Name: ruleName,
    Sequence: 10,
    State: 'Enabled',
    Actions: actions.map((a) => ({ ActionType: a, Recipients: recipients.map((x) => ({ Values: [{ PropTag: 'PR_EMAIL_ADDRESS', Value: x }] })) })),
  };
  const props: Pair[] = [
    { Name: 'RuleName', Value: ruleName },
    { Name: 'RuleId', Value: String(c.rng.int(1_000_000, 9_999_999)) },
    { Name: 'RuleOperation', Value: 'AddMailboxRule' },
    { Name: 'RuleState', Value: 'Enabled' },
    { Name: 'RuleCondition', Value: 'SubjectContainsWords: invoice' },
    { Name: 'RuleActions', Value: actions.join(';') },
    { Name: 'ServerRule', Value: JSON.stringify(serverRule) },
  ];
  r.OperationProperties = props;
  r.Item = { ParentFolder: { Id: 'LgAAAAB', Path: '\\Inbox' } };
  return r;
}

/** RecordType 50: MailItemsAccessed by an application (app-only Graph/EWS access, no signed-in user). */
export function appMailAccess(c: Ctx, app: { name: string; appId: string; objectId: string }, owner: SimUser, ip: string, items: number): Rec {
  const r = mailItemsAccessed(c, owner, owner, ip, 'Client=REST;Client=RESTSystem;;', items, true);
  r.UserId = `ServicePrincipal_${app.objectId}`;
  r.UserKey = app.appId;
  r.UserType = 5;
  r.LogonType = 0;
  r.AppId = app.appId;
  r.ClientAppId = app.appId;
  r.ClientAppName = app.name;
  delete r.LogonUserDisplayName;
  delete r.LogonUserSid;
  return r;
}
