// Generic webhook: POSTs one JSON object per alert (the fields of `detect --format json` plus id,
// status, assignee, ...). Headers: X-Auditwatch-Timestamp (unix seconds), X-Auditwatch-Signature
// ("sha256=" + hex HMAC-SHA256 over "<timestamp>.<body>" with the secret), Idempotency-Key (stable
// per alert, destination and revision: a receiver that remembers keys drops repeats).

import { createHmac } from 'node:crypto';
import { collectSecrets, type Clock, type MaybeSecret, type Outcome, type Secret } from '../../../core/index.js';
import { postBody } from '../common.js';
import type { Delivery, Notifier, NotifierContext } from '../types.js';
import type { WebhookConfig } from './config.js';

export const SIGNATURE_HEADER = 'x-auditwatch-signature';
export const TIMESTAMP_HEADER = 'x-auditwatch-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The signature a receiver recomputes: hex HMAC-SHA256 over `${timestamp}.${body}`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookNotifier implements Notifier {
  readonly kind = 'webhook';
  readonly name: string;
  private readonly clock: Clock;
  constructor(
    private readonly config: WebhookConfig,
    ctx: NotifierContext,
  ) {
    this.name = config.name;
    this.clock = ctx.clock;
  }

  async notify(d: Delivery): Promise<Outcome> {
    const body = JSON.stringify(d.alert);
    const timestamp = String(Math.floor(this.clock.now() / 1000));
    const headers: Record<string, MaybeSecret> = {
      ...this.config.headers,
      'content-type': 'application/json',
      'user-agent': 'auditwatch',
      [TIMESTAMP_HEADER]: timestamp,
      [IDEMPOTENCY_HEADER]: d.idempotencyKey,
    };
    if (this.config.secret) headers[SIGNATURE_HEADER] = signWebhook(this.config.secret.reveal(), timestamp, body);
    return postBody(this.config.url, body, headers, d.signal, this.secrets());
  }

  async close(): Promise<void> {}

  secrets(): Secret[] {
    return collectSecrets(this.config);
  }
}
