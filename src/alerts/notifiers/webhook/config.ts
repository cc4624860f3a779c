// Config of a generic webhook destination: where to POST, the HMAC secret, extra headers.
import { z } from 'zod';
import { httpUrl, secretRef } from '../../../config/index.js';
import { deliveryFields, destinationName, headerMap } from '../common.js';

export const webhookSchema = z.strictObject({
  name: destinationName,
  type: z.literal('webhook'),
  /** The receiver's URL (http or https). */
  url: httpUrl('the webhook receiver'),
  /** HMAC-SHA256 key for the signature header; { env: NAME } or { file: PATH }. Optional. */
  secret: secretRef('AUDITWATCH_WEBHOOK_SECRET').optional(),
  /** Extra headers sent with every POST (e.g. an API key header of the receiver — use secret for keys). */
  headers: headerMap,
  ...deliveryFields,
});

export type WebhookConfig = z.output<typeof webhookSchema>;
