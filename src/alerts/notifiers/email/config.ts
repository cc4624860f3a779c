// Config of an email destination: the SMTP server, how to secure the connection, the login (password
// from env or file), sender and recipients.
import { z } from 'zod';
import { fileContent, secretRef, textOrSecret } from '../../../config/index.js';
import { deliveryFields, destinationName } from '../common.js';

const address = z
  .string({ error: 'must be an email address like soc@example.com' })
  .regex(/^(?:[^\r\n<>]{0,100}<)?[^\s@<>]+@[^\s@<>]+\.?[^\s@<>]*>?$/, { error: 'must be an email address like soc@example.com (or "Name <soc@example.com>")' });

export const emailSchema = z
  .strictObject({
    name: destinationName,
    type: z.literal('email'),
    host: z.string({ error: 'must be the SMTP server\'s host name' }).min(1).regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name' }),
    /** Default 587 with starttls, 465 with tls, 25 with none. */
    port: z.number({ error: 'must be a port number' }).int().min(1).max(65535).optional(),
    /** tls: TLS from the first byte (port 465); starttls: upgrade, required (587); none: plain (tests, relays on localhost). */
    security: z.enum(['starttls', 'tls', 'none'], { error: 'must be starttls, tls or none' }).default('starttls'),
    /** The SMTP login: written, or { env } / { file }. */
    user: textOrSecret('AUDITWATCH_SMTP_USER', (v) => (v.length > 0 && !/[\r\n]/.test(v) ? null : 'must be the SMTP login on one line')).optional(),
    password: secretRef('AUDITWATCH_SMTP_PASSWORD').optional(),
    from: address,
    to: z.array(address, { error: 'must be a list of email addresses' }).min(1, { error: 'must list at least one recipient' }),
    subjectPrefix: z.string().regex(/^[^\r\n]{0,40}$/, { error: 'must be one line of at most 40 characters' }).default('[auditwatch]'),
    /** Extra CA certificate (PEM) to trust for the server's certificate. */
    ca: fileContent('a PEM CA certificate').optional(),
    /** Check the server's certificate (default true; false only for a lab server). */
    verifyCertificate: z.boolean().default(true),
    ...deliveryFields,
  })
  .superRefine((c, ctx) => {
    if (c.user !== undefined && c.password === undefined) ctx.addIssue({ code: 'custom', path: ['password'], message: 'is missing; add password: { env: NAME } or { file: PATH } for the user' });
    if (c.password !== undefined && c.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'is missing; add the SMTP login that goes with the password' });
  });

export type EmailConfig = z.output<typeof emailSchema>;
