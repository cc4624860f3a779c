// Field mapping, as data: a raw audit-record field name (as in ual-schema.md) → where the store keeps
// it. A column of `events` when one exists (fast path), a key of a Name/Value map column, or a JSON
// path into the raw record. Community rules (SigmaHQ) also write a Name/Value key bare (`RequestType`),
// the Name/Value array's own `Name` / `Value` (`Parameters.Name: ForwardTo`), and the whole record
// (`Payload`, `raw`). A dotted name unknown to the catalogue is an error, so a typo in a path never
// compiles into a rule that silently matches nothing.

/** Where a field's value lives in the `events` table. */
export type FieldRef =
  | { kind: 'column'; column: string; type: 'text' | 'int' | 'real' }
  /** A key of a JSON object column (Parameters.User → parameters["User"]). */
  | { kind: 'json'; column: string; path: string[] }
  /** The first of several places that holds a value (a bare Name/Value key: RequestType). */
  | { kind: 'first'; refs: FieldRef[] }
  /**
   * Every member of a Name/Value map: its names (`Parameters.Name`) or values (`Parameters.Value`;
   * `sub`: the member's newValue/oldValue, for ModifiedProperties). A test matches when any member
   * does, or when `also` (a member literally called Name or Value) does.
   */
  | { kind: 'members'; column: string; part: 'names' | 'values'; sub?: 'newValue' | 'oldValue'; also?: FieldRef }
  /** A raw field that holds a list of strings (MessageURLs): a test matches when any element does, or the text does. */
  | { kind: 'elements'; column: string; path: string[] }
  /** The whole record as its JSON text (SigmaHQ's `Payload`, `raw` without a path, keywords). */
  | { kind: 'record' };

/** Raw field → events column. Strings compare case-insensitively unless a rule says `|cased`. */
export const COLUMN_FIELDS: Record<string, { column: string; type: 'text' | 'int' | 'real' }> = {
  Id: { column: 'id', type: 'text' },
  RecordType: { column: 'record_type', type: 'int' },
  Operation: { column: 'operation', type: 'text' },
  Workload: { column: 'workload', type: 'text' },
  OrganizationId: { column: 'organization_id', type: 'text' },
  UserId: { column: 'user_id', type: 'text' },
  UserKey: { column: 'user_key', type: 'text' },
  UserType: { column: 'user_type', type: 'int' },
  ClientIP: { column: 'client_ip', type: 'text' },
  ResultStatus: { column: 'result_status', type: 'text' },
  ObjectId: { column: 'object_id', type: 'text' },
  ApplicationId: { column: 'application_id', type: 'text' },
  ErrorNumber: { column: 'error_number', type: 'text' },
  LogonError: { column: 'logon_error', type: 'text' },
  UserAgent: { column: 'user_agent', type: 'text' },
  SiteUrl: { column: 'site_url', type: 'text' },
  SourceFileName: { column: 'file_name', type: 'text' },
  SourceFileExtension: { column: 'file_extension', type: 'text' },
  MailboxOwnerUPN: { column: 'mailbox_owner_upn', type: 'text' },
  MailboxGuid: { column: 'mailbox_guid', type: 'text' },
  LogonType: { column: 'logon_type', type: 'int' },
  // The whole Name/Value map as JSON text (`Parameters|contains: ForwardTo`).
  Parameters: { column: 'parameters', type: 'text' },
  ExtendedProperties: { column: 'extended_properties', type: 'text' },
  OperationProperties: { column: 'operation_properties', type: 'text' },
  DeviceProperties: { column: 'device_properties', type: 'text' },
  ModifiedProperties: { column: 'modified_properties', type: 'text' },
  // Enrichment of ClientIP at ingest (not in the raw record).
  'ClientIP.Country': { column: 'country', type: 'text' },
  'ClientIP.City': { column: 'city', type: 'text' },
  'ClientIP.ASN': { column: 'asn', type: 'int' },
  'ClientIP.ASOrg': { column: 'as_org', type: 'text' },
  RecordTypeName: { column: 'record_type_name', type: 'text' },
  TenantId: { column: 'tenant_id', type: 'text' },
};

/** Name/Value arrays kept as maps: `Parameters.User` → parameters["User"]. */
export const NAME_VALUE_FIELDS: Record<string, string> = {
  Parameters: 'parameters',
  ExtendedProperties: 'extended_properties',
  OperationProperties: 'operation_properties',
  DeviceProperties: 'device_properties',
};

/** Name/Value keys that also have a column of their own (fast path). */
export const NAME_VALUE_COLUMNS: Record<string, string> = {
  'ExtendedProperties.RequestType': 'request_type',
};

/**
 * Top-level names of the raw record (ual-schema.md) addressed by a JSON path into `raw`; a dotted name
 * goes deeper (`Item.ParentFolder.Path`). Any other name is refused; `raw.<path>` reaches anything.
 */
export const RAW_FIELDS: readonly string[] = [
  'CreationTime', 'Version', 'Scope', 'AppAccessContext', 'AzureActiveDirectoryEventType', 'Actor', 'ActorContextId',
  'ActorIpAddress', 'InterSystemsId', 'IntraSystemId', 'SupportTicketId', 'Target', 'TargetContextId', 'Client',
  'ModifiedObjectResolvedName', 'ExternalAccess', 'OriginatingServer', 'OrganizationName', 'DeviceId', 'TokenObjectId',
  'TokenTenantId', 'AppId', 'ClientAppId', 'InternalLogonType', 'MailboxOwnerSid', 'LogonUserSid', 'LogonUserDisplayName',
  'ClientInfoString', 'ClientIPAddress', 'ClientProcessName', 'ClientVersion', 'SessionId', 'Item', 'SendAsUserSmtp',
  'SendOnBehalfOfUserSmtp', 'Folder', 'DestFolder', 'AffectedItems', 'CrossMailboxOperation', 'DestMailboxOwnerUPN',
  'OperationCount', 'Folders', 'Site', 'ItemType', 'EventSource', 'MachineId', 'ListItemUniqueId', 'ListId',
  'ApplicationDisplayName', 'WebId', 'CorrelationId', 'SourceRelativeUrl', 'DestinationFileName',
  'DestinationFileExtension', 'DestinationRelativeUrl', 'SensitivityLabelId', 'TargetUserOrGroupName',
  'TargetUserOrGroupType', 'EventData', 'UniqueSharingId', 'TeamName', 'TeamGuid', 'ChannelName', 'ChannelGuid',
  'ChannelType', 'Members', 'AddOnType', 'AddOnName', 'TabType', 'Name', 'OldValue', 'NewValue', 'ExtraProperties',
  'MessageId', 'ItemName', 'PolicyDetails', 'SensitiveInfoDetectionIsIncluded', 'SharePointMetaData', 'ExchangeMetaData',
  'EndpointMetaData', 'ExceptionInfo', 'IncidentId', 'AlertId', 'AlertType', 'PolicyId', 'Status', 'Severity',
  'Category', 'Source', 'Comments', 'Data', 'AlertEntityId', 'EntityType', 'AlertLinks', 'DashboardName', 'DatasetName',
  'ReportName', 'WorkSpaceName', 'WorkspaceId', 'SharingInformation', 'Activity', 'ObjectType', 'LoginStatus',
  'UserDomain', 'ApplicationName', 'DeliveryAction', 'Verdict', 'NetworkMessageId', 'Recipients', 'P1Sender',
  'P2Sender', 'Subject', 'SenderIp', 'Directionality', 'ThreatsAndDetectionTech', 'EventDeepLink', 'Timestamp', 'Url',
  'UrlClickAction', 'UserIp', 'AppName', 'IsCompliant',
  // Defender for Office 365 records (email, URL click and file events), Advanced Audit searches, Teams chats.
  'DetectionType', 'DetectionMethod', 'OriginalDeliveryLocation', 'LatestDeliveryLocation', 'AdditionalActionsAndResults',
  'FileData', 'SourceWorkload', 'SourceId', 'LastModifiedBy', 'QueryText', 'ParticipantInfo', 'CommunicationType',
  'ChatThreadId', 'MessageURLs', 'ClientAppName',
];

/** Names of the whole record: SigmaHQ's m365 rules write `Payload`; `raw` is the column that keeps it. */
export const WHOLE_RECORD_FIELDS: readonly string[] = ['Payload', 'raw'];

/** Name/Value maps searched for a bare key, in this order (ExtendedProperties first: RequestType, UserAgent). */
const BARE_KEY_COLUMNS = ['extended_properties', 'parameters', 'operation_properties', 'device_properties'] as const;

/** A bare key looks like a Name/Value name: a word (letters, digits, `_`, `-`), no dots or spaces. */
const BARE_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

/** Prefixes other tools put before the raw record's names (Elastic's o365 module: `o365.audit.Operation`). */
const FOREIGN_PREFIXES = ['o365.audit.'];

/** ECS names SigmaHQ's m365 rules use for the acting user. */
const ECS_ALIASES: Record<string, string> = { 'user.email': 'UserId', 'user.name': 'UserId', 'source.ip': 'ClientIP' };

/** Raw fields that hold a list of strings (Teams' and Defender's records). */
const STRING_LIST_FIELDS: readonly string[] = ['MessageURLs', 'Recipients', 'ThreatsAndDetectionTech', 'AdditionalActionsAndResults'];

const rawIndex = new Map(RAW_FIELDS.map((f) => [f.toLowerCase(), f]));
const columnIndex = new Map(Object.keys(COLUMN_FIELDS).map((f) => [f.toLowerCase(), f]));
const nvIndex = new Map(Object.keys(NAME_VALUE_FIELDS).map((f) => [f.toLowerCase(), f]));

export type ResolveResult = { ok: true; ref: FieldRef; canonical: string } | { ok: false; error: string };

/** Resolves a raw field name (case-insensitive on the top-level name) to where the store keeps it. */
export function resolveRawField(name: string): ResolveResult {
  const lower = name.toLowerCase();
  const prefix = FOREIGN_PREFIXES.find((p) => lower.startsWith(p) && name.length > p.length);
  if (prefix) return resolveRawField(name.slice(prefix.length));
  const alias = ECS_ALIASES[lower];
  if (alias) return resolveRawField(alias);
  if (WHOLE_RECORD_FIELDS.some((f) => f.toLowerCase() === lower)) return { ok: true, ref: { kind: 'record' }, canonical: 'raw' };
  const exact = columnIndex.get(lower);
  if (exact) {
    const c = COLUMN_FIELDS[exact]!;
    return { ok: true, ref: { kind: 'column', column: c.column, type: c.type }, canonical: exact };
  }
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const rest = dot < 0 ? '' : name.slice(dot + 1);
  if (head.toLowerCase() === 'raw') {
    if (!rest) return { ok: true, ref: { kind: 'record' }, canonical: 'raw' };
    return { ok: true, ref: { kind: 'json', column: 'raw', path: rest.split('.') }, canonical: name };
  }
  const nv = nvIndex.get(head.toLowerCase());
  const part = rest.toLowerCase() === 'name' ? 'names' : rest.toLowerCase() === 'value' ? 'values' : null;
  if (nv && part) {
    // SigmaHQ reads the Name/Value array: `Parameters.Name: ForwardTo` is "a parameter named ForwardTo".
    // A parameter literally called Name (New-InboxRule -Name) matches too.
    const column = NAME_VALUE_FIELDS[nv]!;
    return { ok: true, ref: { kind: 'members', column, part, also: { kind: 'json', column, path: [part === 'names' ? 'Name' : 'Value'] } }, canonical: `${nv}.${part === 'names' ? 'Name' : 'Value'}` };
  }
  if (nv && rest) {
    const fast = NAME_VALUE_COLUMNS[`${nv}.${rest}`];
    if (fast) return { ok: true, ref: { kind: 'column', column: fast, type: 'text' }, canonical: `${nv}.${rest}` };
    return { ok: true, ref: { kind: 'json', column: NAME_VALUE_FIELDS[nv]!, path: [rest] }, canonical: `${nv}.${rest}` };
  }
  if (head.toLowerCase() === 'modifiedproperties' && /^(name|newvalue|oldvalue)$/i.test(rest)) {
    // Any modified property's name, new value or old value (SigmaHQ's reading of the array).
    const r = rest.toLowerCase();
    const ref: FieldRef = r === 'name'
      ? { kind: 'members', column: 'modified_properties', part: 'names' }
      : { kind: 'members', column: 'modified_properties', part: 'values', sub: r === 'oldvalue' ? 'oldValue' : 'newValue' };
    return { ok: true, ref, canonical: `ModifiedProperties.${r === 'name' ? 'Name' : r === 'oldvalue' ? 'OldValue' : 'NewValue'}` };
  }
  if (head.toLowerCase() === 'modifiedproperties' && rest) {
    // ModifiedProperties.<Name>[.NewValue|.OldValue]; names may hold dots (Role.DisplayName).
    const m = /^(.*)\.(newvalue|oldvalue)$/i.exec(rest);
    const prop = m ? m[1]! : rest;
    const which = m && m[2]!.toLowerCase() === 'oldvalue' ? 'oldValue' : 'newValue';
    return { ok: true, ref: { kind: 'json', column: 'modified_properties', path: [prop, which] }, canonical: `ModifiedProperties.${prop}.${which === 'oldValue' ? 'OldValue' : 'NewValue'}` };
  }
  const raw = rawIndex.get(head.toLowerCase());
  if (raw) {
    const path = [raw, ...(rest ? rest.split('.') : [])];
    if (!rest && STRING_LIST_FIELDS.includes(raw)) return { ok: true, ref: { kind: 'elements', column: 'raw', path }, canonical: raw };
    return { ok: true, ref: { kind: 'json', column: 'raw', path }, canonical: path.join('.') };
  }
  if (BARE_KEY.test(name)) {
    const near = nearMiss(name);
    if (near) return { ok: false, error: `unknown field "${name}"; did you mean ${near}? (a Name/Value key spelt "${name}" is written with its map: Parameters.${name}, ExtendedProperties.${name}, …)` };
    return { ok: true, ref: bareKey(name), canonical: name };
  }
  return {
    ok: false,
    error: `unknown field "${name.slice(0, 80)}"; use a raw record name (Operation, UserId, ClientIP, Parameters.User, ExtendedProperties.RequestType, ModifiedProperties.Role.DisplayName.NewValue, …), a bare Name/Value key (RequestType), Payload or raw.<json path>`,
  };
}

/**
 * A key written bare, as SigmaHQ writes Name/Value keys (`RequestType: 'Cmsi:Cmsi'`): the first Name/Value
 * map of the record that holds it (ExtendedProperties, Parameters, OperationProperties, DeviceProperties),
 * else the new value of a modified property of that name. Keys compare exactly as the log spells them.
 */
function bareKey(key: string): FieldRef {
  const refs: FieldRef[] = [];
  for (const column of BARE_KEY_COLUMNS) {
    const nv = Object.entries(NAME_VALUE_FIELDS).find(([, c]) => c === column)![0];
    const fast = NAME_VALUE_COLUMNS[`${nv}.${key}`];
    refs.push(fast ? { kind: 'column', column: fast, type: 'text' } : { kind: 'json', column, path: [key] });
  }
  refs.push({ kind: 'json', column: 'modified_properties', path: [key, 'newValue'] });
  return { kind: 'first', refs };
}

/** A name of an events column one edit (insertion, deletion, substitution, swap) away from `name`: a likely typo. */
function nearMiss(name: string): string | null {
  if (name.length < 5) return null;
  const low = name.toLowerCase();
  for (const known of Object.keys(COLUMN_FIELDS)) {
    if (!known.includes('.') && oneEditApart(low, known.toLowerCase())) return known;
  }
  return null;
}

function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
