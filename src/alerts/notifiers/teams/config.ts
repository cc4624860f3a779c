// Config of a Microsoft Teams destination: the Workflows ("When a Teams webhook request is received")
// URL, which carries a signature in its query and so is a secret.
import { z } from 'zod';
import { secretRef } from '../../../config/index.js';
import { deliveryFields, destinationName } from '../common.js';

const urlCheck = (v: string) => (/^https?:\/\/[^\s]+$/.test(v) ? null : 'does not hold an http(s) URL; put the Teams workflow URL in it');

export const teamsSchema = z.strictObject({
  name: destinationName,
  type: z.literal('teams'),
  /** The workflow webhook URL: { env: NAME } or { file: PATH } (it holds a signature). */
  url: secretRef('AUDITWATCH_TEAMS_URL', urlCheck),
  ...deliveryFields,
});

export type TeamsConfig = z.output<typeof teamsSchema>;
