// The email notifier: one message per alert over SMTP with nodemailer (TLS or STARTTLS, login with a
// password from env or file). Its Message-ID is built from the idempotency key, so a repeat delivery
// carries the same Message-ID and mail systems can drop it. Config schema and factory.

import type { Transporter } from 'nodemailer';
import { fail, ok, scrub, type Outcome, type Secret } from '../../../core/index.js';
import type { Delivery, Notifier, NotifierContext, NotifierKind } from '../types.js';
import { emailSchema, type EmailConfig } from './config.js';
import { renderEmail } from './render.js';
import { createSmtpTransport, smtpFailure } from './transport.js';

export { renderEmail } from './render.js';
export type { EmailConfig } from './config.js';
export { createSmtpTransport, smtpFailure } from './transport.js';

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
    this.transport ??= createSmtpTransport(this.config, this.ctx);
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
      const { why, retryable } = smtpFailure(err);
      return fail(new Error(scrub(`SMTP delivery to ${this.config.host} failed (${why})`, this.secrets())), retryable);
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
