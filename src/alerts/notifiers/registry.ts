// The one registry of notifier kinds. To add a destination kind: a folder beside this file with its
// config schema, implementation and index.ts exporting a NotifierKind, and one line here.

import { emailKind } from './email/index.js';
import { slackKind } from './slack/index.js';
import { syslogKind } from './syslog/index.js';
import { teamsKind } from './teams/index.js';
import type { DeliveryOptions, Notifier, NotifierContext } from './types.js';
import { webhookKind } from './webhook/index.js';
import { deliveryOf } from './common.js';

export const NOTIFIER_KINDS = {
  webhook: webhookKind,
  teams: teamsKind,
  slack: slackKind,
  email: emailKind,
  syslog: syslogKind,
} as const;

export type NotifierType = keyof typeof NOTIFIER_KINDS;

/** The config of one destination, of whichever kind. */
export type DestinationConfig = {
  [K in NotifierType]: Parameters<(typeof NOTIFIER_KINDS)[K]['create']>[0];
}[NotifierType];

/** Builds the notifier of a destination, carrying its delivery options for the outbox worker. */
export function createNotifier(config: DestinationConfig, ctx: NotifierContext): Notifier & { delivery: DeliveryOptions } {
  const kind = NOTIFIER_KINDS[config.type] as { create(c: DestinationConfig, x: NotifierContext): Notifier };
  const notifier = kind.create(config, ctx);
  return Object.assign(notifier, { delivery: deliveryOf(config) });
}

export function createNotifiers(destinations: readonly DestinationConfig[], ctx: NotifierContext): (Notifier & { delivery: DeliveryOptions })[] {
  return destinations.map((d) => createNotifier(d, ctx));
}
