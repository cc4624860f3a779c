// Config of a Slack destination: an incoming-webhook URL (it is the credential, so a secret).
import { z } from 'zod';
import { secretRef } from '../../../config/index.js';
import { deliveryFields, destinationName } from '../common.js';

const urlCheck = (v: string) => (/^https?:\/\/[^\s]+$/.test(v) ? null : 'does not hold an http(s) URL; put the Slack incoming-webhook URL in it');

export const slackSchema = z.strictObject({
  name: destinationName,
  type: z.literal('slack'),
  /** The incoming-webhook URL: { env: NAME } or { file: PATH }. */
  url: secretRef('AUDITWATCH_SLACK_URL', urlCheck),
  ...deliveryFields,
});

export type SlackConfig = z.output<typeof slackSchema>;
