// Config of a syslog destination (a SIEM): where, over which transport, in which payload format.
import { z } from 'zod';
import { fileContent } from '../../../config/index.js';
import { deliveryFields, destinationName } from '../common.js';

export const FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;

const printable = (max: number, what: string) =>
  z.string().regex(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`), { error: `must be ${what}: 1 to ${max} printable ASCII characters without spaces` });

export const syslogSchema = z.strictObject({
  name: destinationName,
  type: z.literal('syslog'),
  host: z.string({ error: 'must be the syslog receiver\'s host name or IP' }).min(1).regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name or IP' }),
  /** Default 514 for udp and tcp, 6514 for tls. */
  port: z.number({ error: 'must be a port number' }).int().min(1).max(65535).optional(),
  /** udp (one datagram per alert), tcp (RFC 6587 octet counting) or tls (RFC 5425). */
  protocol: z.enum(['udp', 'tcp', 'tls'], { error: 'must be udp, tcp or tls' }).default('tcp'),
  /** rfc5424: structured data + text; cef: an ArcSight CEF payload inside the RFC 5424 message. */
  format: z.enum(['rfc5424', 'cef'], { error: 'must be rfc5424 or cef' }).default('rfc5424'),
  facility: z.enum(Object.keys(FACILITIES) as [keyof typeof FACILITIES], { error: `must be one of ${Object.keys(FACILITIES).join(', ')}` }).default('local4'),
  appName: printable(48, 'the APP-NAME').default('auditwatch'),
  /** HOSTNAME field; default this machine's name. */
  hostname: printable(255, 'the HOSTNAME').optional(),
  /** Extra CA certificate (PEM) to trust for tls. */
  ca: fileContent('a PEM CA certificate').optional(),
  verifyCertificate: z.boolean().default(true),
  /** UDP datagrams are cut to this many bytes (RFC 5426 says 480 must work; 2048 is common). */
  maxDatagram: z.number().int().min(480).max(65000).default(8192),
  ...deliveryFields,
});

export type SyslogConfig = z.output<typeof syslogSchema>;
