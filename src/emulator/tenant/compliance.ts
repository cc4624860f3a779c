// Record builders for the compliance families: DLP matches (RecordType 11 SharePoint/OneDrive and 13
// Exchange, content type DLP.All, §4.7) and Security & Compliance Center cmdlets and eDiscovery
// activities (RecordType 18 and 24, Audit.General).

import { fastGuid } from './ids.js';
import type { SimUser } from './directory.js';
import { apiTime, type Ctx, type FileTarget, type Pair, type Rec } from './records.js';

/** Sensitive information types, the ids the emulator's /dlpSensitiveTypes endpoint serves. */
const SENSITIVE_TYPES = [
  '50842eb7-edc8-4019-85dd-5a5c1f2bb085',
  'a44669fe-0d48-453d-a9b1-2cc83f2cba77',
  'e7dc4711-11b7-4cb0-b88b-2c394a771f0e',
  'cb353f78-2b72-4c3c-8827-92ebe4f69fdf',
];
const POLICIES = [
  { name: 'U.S. Financial Data', rule: 'Low volume of content detected U.S. Financial' },
  { name: 'GDPR Enhanced', rule: 'Low volume of EU sensitive content found' },
  { name: 'PCI Data Security Standard', rule: 'Low volume of content detected PCI DSS' },
];

function policyDetails(c: Ctx): Rec[] {
  const p = c.rng.pick(POLICIES);
  const count = c.rng.int(1, 4);
  return [
    {
      PolicyId: fastGuid(c.rng),
      PolicyName: p.name,
      Rules: [
        {
          Actions: ['NotifyUser'],
          ActionParameters: [],
          ConditionsMatched: {
            SensitiveInformation: [{ Confidence: c.rng.pick([75, 85]), Count: count, UniqueCount: count, SensitiveType: c.rng.pick(SENSITIVE_TYPES) }],
          },
          RuleId: fastGuid(c.rng),
          RuleMode: 'Enable',
          RuleName: p.rule,
          Severity: 'Low',
        },
      ],
    },
  ];
}

/** RecordType 11: a DLP rule matched a SharePoint/OneDrive document (spelt DLPRuleMatch on the wire). */
export function dlpSharePoint(c: Ctx, owner: SimUser, f: FileTarget): Rec {
  const uniqueId = fastGuid(c.rng);
  const agent = f.oneDrive ? 'DlpPolicyEventBasedAssistantOneDriveForBusiness' : c.rng.pick(['DlpAgent', 'DLPAgent']);
  return {
    CreationTime: apiTime(c.time),
    Id: c.id,
    Operation: 'DLPRuleMatch',
    OrganizationId: c.dir.tenantId,
    RecordType: 11,
    UserKey: agent,
    UserType: 4,
    Version: 1,
    Workload: f.oneDrive ? 'OneDrive' : 'SharePoint',
    ObjectId: uniqueId,
    UserId: agent,
    IncidentId: fastGuid(c.rng),
    PolicyDetails: policyDetails(c),
    SensitiveInfoDetectionIsIncluded: false,
    SharePointMetaData: {
      From: owner.upn.toUpperCase(),
      FileName: f.file,
      FilePathUrl: `${f.siteUrl}${f.library}/${encodeURIComponent(f.file)}`,
      FileOwner: owner.displayName,
      SiteCollectionUrl: f.siteUrl,
      UniqueID: uniqueId,
      IsViewableByExternalUsers: false,
    },
  };
}

/** RecordType 13: a DLP rule matched an email. */
export function dlpExchange(c: Ctx, sender: SimUser, recipients: string[], subject: string): Rec {
  const messageId = `<${fastGuid(c.rng).replace(/-/g, '').slice(0, 20).toUpperCase()}@${c.dir.serverPrefix}${c.rng.int(1000, 9999)}.prod.exchangelabs.com>`;
  return {
    CreationTime: apiTime(c.time),
    Id: c.id,
    Operation: 'DlpRuleMatch',
    OrganizationId: c.dir.tenantId,
    RecordType: 13,
    UserKey: 'DlpAgent',
    UserType: 4,
    Version: 1,
    Workload: 'Exchange',
    ObjectId: messageId,
    UserId: 'DlpAgent',
    IncidentId: fastGuid(c.rng),
    PolicyDetails: policyDetails(c),
    SensitiveInfoDetectionIsIncluded: false,
    ExchangeMetaData: {
      BCC: [],
      CC: [],
      From: sender.upn,
      MessageID: messageId,
      RecipientCount: recipients.length,
      Sent: `${apiTime(c.time - 2000)}`,
      Subject: subject,
      To: recipients,
      UniqueID: fastGuid(c.rng),
    },
  };
}

/** RecordType 18: a Security & Compliance Center cmdlet (New-ComplianceSearch, New-ComplianceSearchAction…). */
export function complianceCmdlet(c: Ctx, actor: SimUser, cmdlet: string, objectId: string, params: Pair[], ip: string): Rec {
  return {
    CreationTime: apiTime(c.time),
    Id: c.id,
    Operation: cmdlet,
    OrganizationId: c.dir.tenantId,
    RecordType: 18,
    ResultStatus: 'True',
    UserKey: actor.puid,
    UserType: 2,
    Version: 1,
    Workload: 'SecurityComplianceCenter',
    ClientIP: `${ip}:${c.rng.int(1024, 65535)}`,
    ObjectId: objectId,
    UserId: actor.upn,
    ClientApplication: 'EMC',
    ExternalAccess: false,
    OrganizationName: c.dir.domain,
    Parameters: params.map((p) => `-${p.Name} "${p.Value}"`).join(' '),
    SecurityComplianceCenterEventType: 0,
    StartTime: apiTime(c.time),
  };
}

/** RecordType 24: an eDiscovery activity (SearchCreated, SearchExported, SearchExportDownloaded…). */
export function discovery(c: Ctx, actor: SimUser, operation: string, caseName: string, searchName: string, query: string, ip: string): Rec {
  return {
    CreationTime: apiTime(c.time),
    Id: c.id,
    Operation: operation,
    OrganizationId: c.dir.tenantId,
    RecordType: 24,
    UserKey: actor.puid,
    UserType: 0,
    Version: 1,
    Workload: 'SecurityComplianceCenter',
    ClientIP: ip,
    ObjectId: searchName,
    UserId: actor.upn,
    Case: caseName,
    CaseId: fastGuid(c.rng),
    ObjectType: 'Search',
    Query: query,
    ExtendedProperties: [{ Name: 'SearchName', Value: searchName }],
  };
}
