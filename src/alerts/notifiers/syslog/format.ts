// Syslog payloads. RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG, with PARAM-VALUE
// escapes for " \ and ]. CEF (ArcSight): header fields escape \ and |, extension values escape \ = and
// line breaks. Whatever the audit text holds, no CR, LF or other control character reaches the wire,
// so a value can never start a new syslog record or field.

import { safeLine } from '../../../core/index.js';
import type { AlertPayload } from '../../types.js';

export const SD_ID = 'auditwatch@32473';

const SEVERITY_CODE: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, informational: 6 };
const CEF_SEVERITY: Record<string, number> = { critical: 10, high: 8, medium: 5, low: 3, informational: 1 };

/** One line, no control characters (they become visible \uXXXX), bounded. */
function flat(value: unknown, max: number): string {
  return safeLine(value, max);
}

export function sdParamValue(value: unknown, max = 1000): string {
  return flat(value, max).replace(/[\\"\]]/g, (c) => `\\${c}`);
}

export function cefHeader(value: unknown, max = 200): string {
  return flat(value, max).replace(/[\\|]/g, (c) => `\\${c}`);
}

export function cefExtension(value: unknown, max = 1000): string {
  const text = value === null || value === undefined ? '' : String(value);
  // Line breaks are written as the CEF escapes \n and \r; other control characters as \uXXXX.
  const bounded = text.length > max ? text.slice(0, max) : text;
  return flat(bounded.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r\n|\n/g, '\\n').replace(/\r/g, '\\r'), max * 2);
}

/** A header field of RFC 5424: printable US-ASCII without spaces, or the NILVALUE. */
function headerField(value: string, max: number): string {
  const v = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return v === '' ? '-' : v;
}

export interface SyslogHeader {
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
  now: number;
}

function header(a: AlertPayload, h: SyslogHeader, msgId: string): string {
  const pri = h.facility * 8 + (SEVERITY_CODE[a.severity] ?? 5);
  return `<${pri}>1 ${new Date(h.now).toISOString()} ${headerField(h.hostname, 255)} ${headerField(h.appName, 48)} ${headerField(h.procId, 128)} ${headerField(msgId, 32)}`;
}

function structuredData(a: AlertPayload, key: string): string {
  const params: [string, unknown][] = [
    ['id', a.id],
    ['rule', a.rule],
    ['severity', a.severity],
    ['tenant', a.tenant],
    ['status', a.status],
    ['count', a.count],
    ['firstSeen', a.firstSeen],
    ['lastSeen', a.lastSeen],
    ['idempotencyKey', key],
  ];
  for (const u of (a.entities.users ?? []).slice(0, 5)) params.push(['user', u]);
  for (const ip of (a.entities.ips ?? []).slice(0, 5)) params.push(['ip', ip]);
  for (const t of a.tags.slice(0, 10)) params.push(['tag', t]);
  return `[${SD_ID} ${params.map(([k, v]) => `${k}="${sdParamValue(v, 300)}"`).join(' ')}]`;
}

export function rfc5424Message(a: AlertPayload, h: SyslogHeader, key: string): string {
  const msg = flat(`${a.severity.toUpperCase()}: ${a.title}`, 1000);
  return noBreaks(`${header(a, h, 'alert')} ${structuredData(a, key)} ${msg}`);
}

export function cefPayload(a: AlertPayload, key: string, version: string): string {
  const ext: [string, unknown][] = [
    ['rt', Date.parse(a.lastSeen)],
    ['start', Date.parse(a.firstSeen)],
    ['end', Date.parse(a.lastSeen)],
    ['cnt', a.count],
    ['externalId', a.id],
    ['msg', a.title],
    ['cs1Label', 'tenant'],
    ['cs1', a.tenant],
    ['cs2Label', 'status'],
    ['cs2', a.status],
    ['cs3Label', 'tags'],
    ['cs3', a.tags.join(',')],
    ['cs4Label', 'evidence'],
    ['cs4', a.evidence.slice(0, 20).join(',')],
    ['cs5Label', 'idempotencyKey'],
    ['cs5', key],
  ];
  const user = a.entities.users?.[0];
  if (user) ext.push(['suser', user]);
  const ip = a.entities.ips?.[0];
  if (ip && /^[0-9a-fA-F:.]{2,45}$/.test(ip)) ext.push(['src', ip]);
  const mailbox = a.entities.mailboxes?.[0];
  if (mailbox) ext.push(['duser', mailbox]);
  const file = a.entities.files?.[0];
  if (file) ext.push(['fname', file]);
  const extension = ext.map(([k, v]) => `${k}=${cefExtension(v, 500)}`).join(' ');
  return `CEF:0|auditwatch|auditwatch|${cefHeader(version, 31)}|${cefHeader(a.rule, 100)}|${cefHeader(a.title, 200)}|${CEF_SEVERITY[a.severity] ?? 5}|${extension}`;
}

export function cefMessage(a: AlertPayload, h: SyslogHeader, key: string, version: string): string {
  return noBreaks(`${header(a, h, 'alert')} - ${cefPayload(a, key, version)}`);
}

/** Last guard: nothing that could end a syslog record survives. */
function noBreaks(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\r\n\u0000]/g, ' ');
}
