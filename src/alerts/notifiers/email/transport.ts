// The SMTP side shared by alert emails and report emails: one nodemailer transport from an email
// destination's config (TLS or STARTTLS, login, extra CA, no file or URL access), and the rule that says
// which SMTP failures are worth retrying.

import { createTransport, type Transporter } from 'nodemailer';
import { reveal } from '../../../core/index.js';
import type { NotifierContext } from '../types.js';
import type { EmailConfig } from './config.js';

const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;
const PERMANENT = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE']);

export function createSmtpTransport(c: EmailConfig, ctx: Pick<NotifierContext, 'ca'>, socketTimeout = 30_000): Transporter {
  const ca = [c.ca, ctx.ca].filter((x): x is string => typeof x === 'string' && x !== '');
  return createTransport({
    host: c.host,
    port: c.port ?? DEFAULT_PORT[c.security],
    secure: c.security === 'tls',
    requireTLS: c.security === 'starttls',
    ignoreTLS: c.security === 'none',
    ...(c.user && c.password ? { auth: { user: reveal(c.user), pass: c.password.reveal() } } : {}),
    tls: { rejectUnauthorized: c.verifyCertificate, ...(ca.length > 0 ? { ca } : {}) },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

/** A failed send: a one-line reason and whether to retry (5xx replies and refused logins are final). */
export function smtpFailure(err: unknown): { why: string; retryable: boolean } {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const permanent = (e.responseCode !== undefined && e.responseCode >= 500) || (e.code !== undefined && PERMANENT.has(e.code));
  return { why: `${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${(e.message ?? String(err)).slice(0, 200)}`, retryable: !permanent };
}
