// The email notifier: one message per alert over SMTP with nodemailer (TLS or STARTTLS, login with a
// password from env or file). Its Message-ID is built from the idempotency key, so a repeat delivery
// carries the same Message-ID and mail systems can drop it. Config schema and factory.

import { createTransport, type Transporter } from 'nodemailer';
import { fail, ok, scrub, type Outcome, type Secret } from '../../../core/index.js';
import type { Delivery, Notifier, NotifierContext, NotifierKind } from '../types.js';
import { emailSchema, type EmailConfig } from './config.js';
import { renderEmail } from './render.js';

export { renderEmail } from './render.js';
export type { EmailConfig } from './config.js';

const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;
const PERMANENT = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE']);

class EmailNotifier implements Notifier {
  readonly kind = 'email';
  readonly name: string;
  private transport: Transporter | null = null;
  constructor(
    private readonly config: EmailConfig,
    private readonly ctx: NotifierContext,
  ) {
    this.name = config.name;
  }

  private transporter(): Transporter {
    if (this.transport) return this.transport;
    const c = this.config;
    const ca = [c.ca, this.ctx.ca].filter((x): x is string => typeof x === 'string' && x !== '');
    this.transport = createTransport({
      host: c.host,
      port: c.port ?? DEFAULT_PORT[c.security],
      secure: c.security === 'tls',
      requireTLS: c.security === 'starttls',
      ignoreTLS: c.security === 'none',
      ...(c.user && c.password ? { auth: { user: c.user, pass: c.password.reveal() } } : {}),
      tls: { rejectUnauthorized: c.verifyCertificate, ...(ca.length > 0 ? { ca } : {}) },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return this.transport;
  }

  async notify(d: Delivery): Promise<Outcome> {
    const m = renderEmail(d.alert, this.config.subjectPrefix);
    try {
      await this.transporter().sendMail({
        from: this.config.from,
        to: this.config.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: `<${d.idempotencyKey}@auditwatch>`,
        headers: { 'X-Auditwatch-Alert': d.alert.id, 'X-Auditwatch-Idempotency-Key': d.idempotencyKey },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return ok(undefined);
    } catch (err) {
      const e = err as { code?: string; responseCode?: number; message?: string };
      const permanent = (e.responseCode !== undefined && e.responseCode >= 500) || (e.code !== undefined && PERMANENT.has(e.code));
      const why = `${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${(e.message ?? String(err)).slice(0, 200)}`;
      return fail(new Error(scrub(`SMTP delivery to ${this.config.host} failed (${why})`, this.secrets())), !permanent);
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = null;
  }

  secrets(): Secret[] {
    return this.config.password ? [this.config.password] : [];
  }
}

export const emailKind: NotifierKind<EmailConfig> = {
  type: 'email',
  summary: 'an HTML + text email over SMTP (TLS or STARTTLS, login)',
  schema: emailSchema,
  create: (config, ctx) => new EmailNotifier(config, ctx),
};
