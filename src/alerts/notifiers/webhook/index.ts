// The generic webhook notifier: config schema and factory.
import type { NotifierKind } from '../types.js';
import { webhookSchema, type WebhookConfig } from './config.js';
import { WebhookNotifier } from './webhook.js';

export { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, IDEMPOTENCY_HEADER } from './webhook.js';
export type { WebhookConfig } from './config.js';

export const webhookKind: NotifierKind<WebhookConfig> = {
  type: 'webhook',
  summary: 'JSON POST with an HMAC-SHA256 signature and an idempotency key',
  schema: webhookSchema,
  create: (config, ctx) => new WebhookNotifier(config, ctx),
};
