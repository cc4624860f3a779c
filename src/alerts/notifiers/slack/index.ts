// The Slack notifier: Block Kit posted to an incoming webhook. Config schema and factory.
import type { Outcome, Secret } from '../../../core/index.js';
import { postBody } from '../common.js';
import type { Delivery, Notifier, NotifierKind } from '../types.js';
import { slackMessage } from './blocks.js';
import { slackSchema, type SlackConfig } from './config.js';

export { slackMessage, slackEscape, mrkdwnText } from './blocks.js';
export type { SlackConfig } from './config.js';

class SlackNotifier implements Notifier {
  readonly kind = 'slack';
  readonly name: string;
  constructor(private readonly config: SlackConfig) {
    this.name = config.name;
  }
  notify(d: Delivery): Promise<Outcome> {
    const body = JSON.stringify(slackMessage(d.alert));
    return postBody(this.config.url.reveal(), body, { 'content-type': 'application/json', 'user-agent': 'auditwatch' }, d.signal, this.secrets());
  }
  async close(): Promise<void> {}
  secrets(): Secret[] {
    return [this.config.url];
  }
}

export const slackKind: NotifierKind<SlackConfig> = {
  type: 'slack',
  summary: 'Block Kit posted to a Slack incoming webhook',
  schema: slackSchema,
  create: (config) => new SlackNotifier(config),
};
