// Block Kit for an alert. Slack's rule: in text, escape & < > as &amp; &lt; &gt; (that alone stops
// <http://…|links>, <!channel> and <@user> mentions); mrkdwn formatting characters in audit text
// (* _ ~ ` >) are replaced by look-alikes so they cannot bold, strike, quote or code anything.

import { safeLine } from '../../../core/index.js';
import type { AlertPayload } from '../../types.js';
import { alertFacts, evidenceLine } from '../facts.js';

const MRKDWN_LOOKALIKE: Record<string, string> = { '*': '∗', _: '＿', '~': '∼', '`': 'ˋ' };

/** Escapes & < > the way Slack asks (and nothing else), after bounding to one line. */
export function slackEscape(value: string, max = 500): string {
  return safeLine(value, max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text safe inside mrkdwn: escaped, and formatting characters neutralised. */
export function mrkdwnText(value: string, max = 500): string {
  return slackEscape(value, max).replace(/[*_~`]/g, (c) => MRKDWN_LOOKALIKE[c]!);
}

export function slackMessage(a: AlertPayload): Record<string, unknown> {
  const facts = alertFacts(a);
  const headline = `${a.severity.toUpperCase()}: ${safeLine(a.title, 140)}`;
  return {
    // The notification text (push, fallback) is plain text for Slack: escaped the same way.
    text: slackEscape(headline, 150),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: safeLine(headline, 150), emoji: false } },
      {
        type: 'section',
        // Section fields: at most 10, each at most 2000 characters.
        fields: facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `*${f.label}*\n${mrkdwnText(f.value, 1800)}` })),
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Evidence: ${mrkdwnText(evidenceLine(a), 2800)}` }] },
    ],
  };
}
