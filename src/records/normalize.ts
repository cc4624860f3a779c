// The normaliser: one raw audit record (object or JSON text) → an EventRow, or a Rejection with a reason.
// It never throws: the input is hostile (ual-schema.md §5 lists how real records drift), and one bad
// record must never stop a batch. Which field fills which column is listed in the README's events table.

import { createHash } from 'node:crypto';
import { oneLine, safeLine } from '../core/index.js';
import { Fields, cleanText, firstText, isObject, modifiedMap, pairMap, text, toInt, type Json } from './fields.js';
import { normalizeIp } from './ip.js';
import { recordTypeName, userTypeName } from './names.js';
import type { EventRow, NormalizeResult, RecordSource, Rejection } from './types.js';

/** At most this much of a refused input is kept in the rejection (the dead-letter row). */
export const REJECTION_RAW_MAX = 1024 * 1024;
const REASON_MAX = 300;

const ID = /^\{?([0-9A-Za-z][0-9A-Za-z._:-]{0,127}?)\}?$/;
const TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses CreationTime as UTC: no zone means UTC (§5.1); fractions and zones are accepted. NaN if invalid. */
export function parseCreationTime(value: string): number {
  const m = TIME.exec(value.trim());
  if (!m) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(t).getUTCDate() !== day) return Number.NaN;
  let offset = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return Number.NaN;
    offset = sign * (oh * 60 + om) * 60_000;
  }
  return t - offset;
}

/** An escaped or literal surrogate code unit: the record may hold a lone one (checked exactly by wellFormed). */
const MAY_HOLD_LONE_SURROGATE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}|[\uD800-\uDFFF]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');

/** The value with every string (keys included) made well-formed; the same object when nothing changed. */
export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return (LONE_SURROGATE.test(value) ? value.replace(LONE_SURROGATE_ALL, '\uFFFD') : value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    value.forEach((v, i) => {
      const w = wellFormed(v);
      if (w !== v) (out ??= [...value])[i] = w;
    });
    return (out ?? value) as T;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const wk = wellFormed(k);
      const wv = wellFormed(v);
      if (wk !== k || wv !== v) changed = true;
      out[wk] = wv;
    }
    return (changed ? out : value) as T;
  }
  return value;
}

/**
 * Normalises one record. `input` is a parsed value or JSON text (string or bytes). `original` is the
 * text the value was parsed from, when the caller has it (an import's line): a rejection keeps it as
 * the dead letter's raw text, whatever the value's shape. Never throws.
 */
export function normalize(input: unknown, source: RecordSource, original?: string): NormalizeResult {
  try {
    return normalizeUnsafe(input, source, original);
  } catch (err) {
    return reject(`normaliser failed on this record: ${err instanceof Error ? err.message : String(err)}`, original ?? input);
  }
}

function normalizeUnsafe(input: unknown, source: RecordSource, original: string | undefined): NormalizeResult {
  let record: unknown = input;
  let raw: string | undefined;
  if (input instanceof Uint8Array) record = new TextDecoder('utf-8', { fatal: false }).decode(input);
  if (typeof record === 'string') {
    const textInput = record.charCodeAt(0) === 0xfeff ? record.slice(1) : record;
    try {
      record = JSON.parse(textInput);
    } catch (err) {
      return reject(`record is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`, textInput);
    }
    raw = textInput;
  }
  if (!isObject(record)) {
    const kind = record === null ? 'null' : Array.isArray(record) ? 'an array' : `a ${typeof record}`;
    return reject(`record is ${kind}, not a JSON object`, raw ?? original ?? input);
  }
  if (raw === undefined) {
    try {
      raw = JSON.stringify(record);
    } catch (err) {
      return reject(`record cannot be written as JSON (${err instanceof Error ? err.message : 'error'}): nested too deeply?`, original ?? input);
    }
  }
  // Lone UTF-16 surrogates (JSON escapes like \ud800 without their pair) become U+FFFD, in the values and
  // in the raw text kept: the store's JSON functions refuse such text, and one record must never stop a rule.
  // JSON.stringify writes a lone surrogate as an escape, so the test on the text finds it either way.
  // A rejection below still keeps the text as given (`raw`); the row keeps the well-formed one (`stored`).
  let obj: Json = record;
  let stored = raw;
  if (MAY_HOLD_LONE_SURROGATE.test(raw)) {
    const fixed = wellFormed(obj);
    if (fixed !== obj) {
      obj = fixed;
      stored = JSON.stringify(fixed);
    }
  }
  const f = new Fields(obj);

  const idValue = f.get('Id');
  if (typeof idValue !== 'string' || idValue.trim() === '') return reject('Id is missing or not a string', raw);
  const idMatch = ID.exec(idValue.trim());
  if (!idMatch) return reject(`Id is not a GUID-like identifier: "${safeLine(idValue, 60)}"`, raw);
  const id = idMatch[1]!.toLowerCase();

  const timeValue = f.get('CreationTime');
  if (typeof timeValue !== 'string') return reject('CreationTime is missing or not a string', raw);
  const creationTime = parseCreationTime(timeValue);
  if (!Number.isFinite(creationTime)) {
    return reject(`CreationTime is not a date-time: "${safeLine(timeValue, 60)}"`, raw);
  }

  const recordTypeValue = f.get('RecordType');
  const recordType = toInt(recordTypeValue);
  if (recordType === null || recordType < 0) {
    return reject(
      recordTypeValue === undefined ? 'RecordType is missing' : `RecordType is not a number: "${safeLine(text(recordTypeValue), 40)}"`,
      raw,
    );
  }

  const organizationId = cleanText(f.get('OrganizationId')) ?? '';
  const tenantId = source.tenantId.trim() || organizationId.toLowerCase();
  if (tenantId === '') return reject('no tenant: the source names none and the record has no OrganizationId', raw);

  const userType = toInt(f.get('UserType'));
  const logonType = toInt(f.get('LogonType'));
  const extendedProperties = pairMap(f.get('ExtendedProperties'));
  const [clientIp, clientIpRaw] = clientAddress(f);
  const fileName = cleanText(f.get('SourceFileName'));
  const appContext = f.get('AppAccessContext');

  const row: EventRow = {
    id,
    tenantId,
    creationTime,
    recordType,
    recordTypeName: recordTypeName(recordType),
    operation: cleanText(f.get('Operation')) ?? '',
    workload: cleanText(f.get('Workload')) ?? '',
    organizationId,
    userId: alertedUser(f) ?? cleanText(f.get('UserId')) ?? '',
    userKey: cleanText(f.get('UserKey')) ?? '',
    userType,
    userTypeName: userType === null ? null : userTypeName(userType),
    clientIp,
    clientIpRaw,
    resultStatus: cleanText(f.get('ResultStatus')),
    objectId: cleanText(f.get('ObjectId')),
    applicationId: firstText(
      f.get('ApplicationId'),
      f.get('AppId'),
      f.get('ClientAppId'),
      isObject(appContext) ? new Fields(appContext).get('ClientAppId') : undefined,
    ),
    errorNumber: firstText(f.get('ErrorNumber'), f.get('ErrorCode')),
    logonError: firstText(f.get('LogonError'), extendedProperties.LoginError, extendedProperties.LogonError),
    userAgent: firstText(f.get('UserAgent'), extendedProperties.UserAgent, f.get('ClientInfoString')),
    requestType: firstText(extendedProperties.RequestType),
    siteUrl: cleanText(f.get('SiteUrl')),
    fileName,
    fileExtension: firstText(f.get('SourceFileExtension'), extensionOf(fileName)),
    mailboxOwnerUpn: cleanText(f.get('MailboxOwnerUPN')),
    mailboxGuid: cleanText(f.get('MailboxGuid'))?.toLowerCase() ?? null,
    logonType,
    parameters: pairMap(f.get('Parameters')),
    extendedProperties,
    operationProperties: pairMap(f.get('OperationProperties')),
    deviceProperties: pairMap(f.get('DeviceProperties')),
    modifiedProperties: modifiedMap(f.get('ModifiedProperties')),
    country: null,
    city: null,
    latitude: null,
    longitude: null,
    asn: null,
    asOrg: null,
    raw: stored,
  };
  return { ok: true, row };
}

/** The pseudo-user Security & Compliance alert records name as their actor (ual-schema.md §4.8). */
const ALERT_PSEUDO_USER = 'securitycompliancealerts';

/**
 * The user a Security & Compliance alert record is about (AlertTriggered, AlertEntityGenerated,
 * AlertUpdated): its actor is the pseudo-user "SecurityComplianceAlerts", the affected user is in
 * `Data` (JSON text; `f3u`, the first affected user) or, for an entity record, `AlertEntityId` with
 * EntityType User. So alerts about different people stay apart. The raw record keeps UserId as written.
 */
function alertedUser(f: Fields): string | null {
  if (cleanText(f.get('UserId'))?.toLowerCase() !== ALERT_PSEUDO_USER) return null;
  const entityType = cleanText(f.get('EntityType'))?.toLowerCase();
  const entity = cleanText(f.get('AlertEntityId'));
  if (entity && (entityType === 'user' || entityType === 'mailbox') && entity.includes('@')) return entity;
  let data = f.get('Data');
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      return null;
    }
  }
  if (!isObject(data)) return null;
  const first = cleanText(new Fields(data).get('f3u'));
  const user = first?.split(/[;,]/)[0]?.trim();
  return user && user.length <= 320 ? user : null;
}

/** ClientIP, else ClientIPAddress (Exchange), else ActorIpAddress (AAD): the first that is an IP wins. */
function clientAddress(f: Fields): [string | null, string | null] {
  let firstRaw: string | null = null;
  let emptyRaw: string | null = null;
  for (const name of ['ClientIP', 'ClientIPAddress', 'ActorIpAddress']) {
    const value = f.get(name);
    if (value === undefined || value === null) continue;
    const rawText = text(value);
    if (rawText === null) continue;
    if (rawText.trim() === '') {
      emptyRaw ??= rawText;
      continue;
    }
    const ip = normalizeIp(rawText);
    if (ip !== null) return [ip, rawText];
    firstRaw ??= rawText;
  }
  return [null, firstRaw ?? emptyRaw];
}

function extensionOf(fileName: string | null): string | null {
  if (fileName === null) return null;
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return null;
  const ext = fileName.slice(dot + 1);
  return ext.length <= 16 && !/[\s/\\]/.test(ext) ? ext : null;
}

/** A rejection with a one-line, bounded reason and the input as bounded text. */
export function reject(reason: string, input: unknown): NormalizeResult {
  return { ok: false, rejection: makeRejection(reason, input) };
}

/**
 * A rejection: the reason on one bounded line, and the input as text: the text itself, or the value
 * written as JSON (by an explicit stack when it nests too deeply for JSON.stringify, so a dead letter
 * never reads "[object Object]"). Text past REJECTION_RAW_MAX is cut; the key then is a hash of the
 * whole text, so two long inputs that differ only past the cut stay two dead letters.
 */
export function makeRejection(reason: string, input: unknown): Rejection {
  let rawText: string;
  if (typeof input === 'string') rawText = input;
  else if (input instanceof Uint8Array) rawText = new TextDecoder().decode(input.subarray(0, REJECTION_RAW_MAX * 4));
  else rawText = jsonText(input);
  const rejection: Rejection = { reason: oneLine(reason, REASON_MAX) || 'record refused', raw: rawText };
  if (rawText.length > REJECTION_RAW_MAX) {
    rejection.raw = rawText.slice(0, REJECTION_RAW_MAX);
    rejection.key = `sha256:${createHash('sha256').update(rawText).digest('hex')}`;
  }
  return rejection;
}

/** JSON text of any value; falls back to writing it without recursion when JSON.stringify cannot. */
function jsonText(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch {
    // Too deep (stack) or a cycle: written below.
  }
  try {
    return deepJson(value, REJECTION_RAW_MAX + 1);
  } catch {
    return '[unprintable value]';
  }
}

/** JSON without recursion (deep nesting), up to `max` characters; cycles are written as null. */
function deepJson(root: unknown, max: number): string {
  const out: string[] = [];
  let size = 0;
  const seen = new Set<object>();
  type Frame = { close: string; items: [string | null, unknown][]; at: number; node: object };
  const stack: Frame[] = [];
  const emit = (s: string) => {
    out.push(s);
    size += s.length;
  };
  const open = (value: unknown): void => {
    if (value === null || typeof value !== 'object') {
      const scalar = typeof value === 'bigint' ? `"${String(value)}"` : JSON.stringify(value);
      emit(scalar === undefined ? 'null' : scalar);
      return;
    }
    if (seen.has(value)) {
      emit('null');
      return;
    }
    seen.add(value);
    const isArray = Array.isArray(value);
    emit(isArray ? '[' : '{');
    const items: [string | null, unknown][] = isArray ? (value as unknown[]).map((v) => [null, v]) : Object.entries(value);
    stack.push({ close: isArray ? ']' : '}', items, at: 0, node: value });
  };
  open(root);
  while (stack.length > 0 && size <= max) {
    const top = stack[stack.length - 1]!;
    if (top.at >= top.items.length) {
      emit(top.close);
      seen.delete(top.node);
      stack.pop();
      continue;
    }
    const [key, value] = top.items[top.at]!;
    if (top.at > 0) emit(',');
    top.at++;
    if (key !== null) emit(`${JSON.stringify(key)}:`);
    open(value);
  }
  return out.join('');
}

export type { Json };
