// The Microsoft Teams notifier: an Adaptive Card posted to a Workflows webhook. Config schema and factory.
import type { Outcome, Secret } from '../../../core/index.js';
import { postBody } from '../common.js';
import type { Delivery, Notifier, NotifierKind } from '../types.js';
import { teamsMessage } from './card.js';
import { teamsSchema, type TeamsConfig } from './config.js';

export { adaptiveCard, teamsMessage, cardText } from './card.js';
export type { TeamsConfig } from './config.js';

class TeamsNotifier implements Notifier {
  readonly kind = 'teams';
  readonly name: string;
  constructor(private readonly config: TeamsConfig) {
    this.name = config.name;
  }
  notify(d: Delivery): Promise<Outcome> {
    const body = JSON.stringify(teamsMessage(d.alert));
    return postBody(this.config.url.reveal(), body, { 'content-type': 'application/json', 'user-agent': 'auditwatch' }, d.signal, this.secrets());
  }
  async close(): Promise<void> {}
  secrets(): Secret[] {
    return [this.config.url];
  }
}

export const teamsKind: NotifierKind<TeamsConfig> = {
  type: 'teams',
  summary: 'an Adaptive Card 1.4 posted to a Teams Workflows webhook',
  schema: teamsSchema,
  create: (config) => new TeamsNotifier(config),
};
