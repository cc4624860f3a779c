// Config of a generic webhook destination: where to POST, the HMAC secret, extra headers. The URL and
// each header value may be written in the file or come from { env } / { file }; a written one that
// carries a credential (user:pass@, ?token=, an Authorization header) is refused.
import { z } from 'zod';
import { literalUrlProblem, secretRef, textOrSecret } from '../../../config/index.js';
import { deliveryFields, destinationName, headerMap } from '../common.js';

export const webhookSchema = z.strictObject({
  name: destinationName,
  type: z.literal('webhook'),
  /** The receiver's URL (http or https), or { env } / { file } holding it (it must, when it carries a login or token). */
  url: textOrSecret('AUDITWATCH_WEBHOOK_URL', literalUrlProblem('the webhook receiver', 'AUDITWATCH_WEBHOOK_URL'), (v) =>
    literalUrlProblem('the webhook receiver', 'AUDITWATCH_WEBHOOK_URL')(v)?.startsWith('must be') ? 'does not hold an http(s) URL; put the webhook receiver\'s URL in it' : null,
  ).transform((v) => (typeof v === 'string' ? v.replace(/\/+$/, '') : v)),
  /** HMAC-SHA256 key for the signature header; { env: NAME } or { file: PATH }. Optional. */
  secret: secretRef('AUDITWATCH_WEBHOOK_SECRET').optional(),
  /** Extra headers sent with every POST; a credential header's value from { env } or { file }. */
  headers: headerMap,
  ...deliveryFields,
});

export type WebhookConfig = z.output<typeof webhookSchema>;
