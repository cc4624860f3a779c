// The Adaptive Card (schema 1.4) for an alert, in the message envelope a Teams Workflows webhook
// expects. TextBlock and FactSet values are rendered as Markdown by Teams, so audit text has its
// Markdown characters replaced by look-alikes that Teams shows as text, never as links or formatting.

import { safeLine } from '../../../core/index.js';
import type { AlertPayload } from '../../types.js';
import { alertFacts, evidenceLine } from '../facts.js';

const MARKDOWN_LOOKALIKE: Record<string, string> = {
  '[': '［', ']': '］', '(': '（', ')': '）', '*': '∗', _: '＿', '~': '∼', '`': 'ˋ', '#': '＃', '>': '＞', '<': '＜', '\\': '＼', '|': '｜', '!': 'ǃ',
};

/** Text safe for an Adaptive Card TextBlock: one line, bounded, no Markdown it would interpret. */
export function cardText(value: string, max = 500): string {
  return safeLine(value, max).replace(/[[\]()*_~`#<>\\|!]/g, (c) => MARKDOWN_LOOKALIKE[c]!);
}

const COLOR: Record<string, string> = { critical: 'Attention', high: 'Attention', medium: 'Warning', low: 'Accent', informational: 'Default' };

export function adaptiveCard(a: AlertPayload): Record<string, unknown> {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body: [
      { type: 'TextBlock', text: `${a.severity.toUpperCase()}: ${cardText(a.title, 200)}`, weight: 'Bolder', size: 'Medium', wrap: true, color: COLOR[a.severity] ?? 'Default' },
      { type: 'FactSet', facts: alertFacts(a).map((f) => ({ title: cardText(f.label, 40), value: cardText(f.value, 1000) })) },
      { type: 'TextBlock', text: cardText(`Evidence: ${evidenceLine(a)}`, 2000), wrap: true, isSubtle: true, size: 'Small' },
    ],
  };
}

export function teamsMessage(a: AlertPayload): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(a) }],
  };
}
