// The one registry of notifier kinds. To add a destination kind: a folder beside this file with its
// config schema, implementation and index.ts exporting a NotifierKind, and one line here.

import { emailKind } from './email/index.js';
import { slackKind } from './slack/index.js';
import { syslogKind } from './syslog/index.js';
import { teamsKind } from './teams/index.js';
import { collectSecrets, type Secret } from '../../core/index.js';
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

/** Every secret of every destination (URLs, header values, passwords, keys): what error texts are scrubbed of. */
export function destinationSecrets(destinations: readonly DestinationConfig[]): Secret[] {
  return collectSecrets(destinations);
}

/**
 * Builds the notifier of a destination, carrying its delivery options for the outbox worker. Its
 * secrets() are every Secret in its config plus `scrubAlso` (the other destinations'), so the shared
 * stages scrub all of them from whatever a receiver, proxy or library answers.
 */
export function createNotifier(config: DestinationConfig, ctx: NotifierContext, scrubAlso: readonly Secret[] = []): Notifier & { delivery: DeliveryOptions } {
  const kind = NOTIFIER_KINDS[config.type] as { create(c: DestinationConfig, x: NotifierContext): Notifier };
  const notifier = kind.create(config, ctx);
  const secrets = [...new Set([...collectSecrets(config), ...notifier.secrets(), ...scrubAlso])];
  return Object.assign(notifier, { delivery: deliveryOf(config), secrets: () => secrets });
}

export function createNotifiers(destinations: readonly DestinationConfig[], ctx: NotifierContext): (Notifier & { delivery: DeliveryOptions })[] {
  const every = destinationSecrets(destinations);
  return destinations.map((d) => createNotifier(d, ctx, every));
}
