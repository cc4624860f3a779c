// Property tests of every alert renderer (email, Slack, Teams, syslog RFC 5424 and CEF) with hostile
// text in every field of the alert: nothing throws, nothing reaches the output as an active control,
// and the structure of each message (HTML tags, Slack markup, Markdown, syslog fields) is the same as for
// the same alert with harmless text, so no value can add a tag, a link, a mention, a field or a record.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, hostileString } from '../../core/fuzz.testing.js';
import { hasActiveControl } from '../../core/index.js';
import type { AlertPayload } from '../types.js';
import { renderEmail } from './email/render.js';
import { slackMessage } from './slack/blocks.js';
import { teamsMessage } from './teams/card.js';
import { cefMessage, rfc5424Message, SD_ID } from './syslog/format.js';

const text = hostileString({ maxLength: 600 });
const list = fc.array(text, { maxLength: 3 });

const hostileAlert: fc.Arbitrary<AlertPayload> = fc.record({
  id: text,
  rule: text,
  title: text,
  severity: fc.constantFrom('critical', 'high', 'medium', 'low', 'informational' as const),
  tenant: text,
  groupKey: text,
  entities: fc.record({ users: list, ips: list, mailboxes: list, files: list, applications: list }, { requiredKeys: [] }),
  tags: list,
  firstSeen: fc.constant('2026-01-02T03:04:05.000Z'),
  lastSeen: fc.constant('2026-01-02T03:14:05.000Z'),
  count: fc.nat(),
  evidence: list,
  evidenceTotal: fc.nat(),
  status: fc.constantFrom('new', 'acknowledged', 'resolved' as const),
  assignee: fc.option(text, { nil: null }),
  revision: fc.nat(),
  suppressedBy: fc.option(text, { nil: null }),
}) as fc.Arbitrary<AlertPayload>;

/** The same alert with every hostile string replaced by a harmless one of the same presence. */
function tame(a: AlertPayload): AlertPayload {
  const s = (v: string) => (v === '' ? '' : 'x');
  const l = (v: string[] | undefined) => v?.map(s);
  const e = a.entities;
  return {
    ...a,
    id: s(a.id), rule: s(a.rule), title: s(a.title), tenant: s(a.tenant), groupKey: s(a.groupKey), tags: a.tags.map(s), evidence: a.evidence.map(s),
    assignee: a.assignee === null ? null : s(a.assignee), suppressedBy: a.suppressedBy === null ? null : s(a.suppressedBy),
    entities: Object.fromEntries(Object.entries(e).map(([k, v]) => [k, l(v as string[])])),
  };
}

/** Every string of a JSON value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

/** Occurrences of character c not escaped by a backslash (an even run of backslashes before it escapes nothing). */
const unescapedRe = (c: string) => new RegExp(`(?<!\\\\)(?:\\\\\\\\)*\\${c}`, 'g');
const unescaped = (s: string, c: string) => (s.match(unescapedRe(c)) ?? []).length;

const tags = (html: string) => html.match(/<\/?[A-Za-z!][^>]*>/g) ?? [];

test('email: one-line subject, no active control, the HTML tags are the template\'s only', (t) => {
  fuzz(t, hostileAlert, (a) => {
    const m = renderEmail(a, 'Prefix');
    assert.equal(hasActiveControl(m.subject), false);
    assert.equal(hasActiveControl(m.text, { newline: true }), false, m.text.slice(0, 300));
    assert.equal(hasActiveControl(m.html, { newline: true }), false);
    assert.deepEqual(tags(m.html), tags(renderEmail(tame(a), 'Prefix').html));
  }, 150);
});

test('Slack: no raw < > or stray & from the data in mrkdwn, no active control, same blocks', (t) => {
  fuzz(t, hostileAlert, (a) => {
    const msg = slackMessage(a) as { text: string; blocks: Array<{ fields?: Array<{ text: string }>; elements?: Array<{ text: string }> }> };
    for (const s of strings(msg)) assert.equal(hasActiveControl(s, { newline: true }), false, JSON.stringify(s));
    // Slack reads links, mentions and <!channel> in mrkdwn and in the notification text, never in plain_text.
    const mrkdwn = [msg.text, ...msg.blocks.flatMap((b) => [...(b.fields ?? []), ...(b.elements ?? [])].map((f) => f.text))];
    for (const s of mrkdwn) {
      assert.doesNotMatch(s, /[<>]/, JSON.stringify(s));
      assert.doesNotMatch(s, /&(?!amp;|lt;|gt;)/);
    }
    const shape = (m: unknown) => JSON.stringify(m, (_k, v: unknown) => (typeof v === 'string' ? '' : v));
    assert.equal(shape(msg), shape(slackMessage(tame(a))));
  }, 150);
});

test('Teams: no Markdown link, emphasis or HTML character from the data, no active control', (t) => {
  fuzz(t, hostileAlert, (a) => {
    const msg = teamsMessage(a);
    const card = (msg['attachments'] as Array<{ content: { body: unknown[] } }>)[0]!.content;
    for (const s of strings(card.body)) {
      assert.equal(hasActiveControl(s), false, JSON.stringify(s));
      assert.doesNotMatch(s, /[[\]()*_~`#<>\\|!]/, JSON.stringify(s));
    }
  }, 150);
});

test('syslog RFC 5424: one record, one SD element with exactly its parameters', (t) => {
  const h = { facility: 16, hostname: 'host', appName: 'auditwatch', procId: '1', now: Date.UTC(2026, 0, 2) };
  fuzz(t, hostileAlert, (a) => {
    const line = rfc5424Message(a, h, 'key');
    assert.equal(hasActiveControl(line), false, line.slice(0, 300));
    assert.match(line, /^<\d+>1 \S+ host auditwatch 1 alert \[/);
    // Unescaped quotes delimit parameter values: their count is twice the number of parameters.
    const sd = line.slice(line.indexOf(`[${SD_ID} `));
    const end = unescapedRe(']').exec(sd)!.index;
    const params = unescaped(sd.slice(0, end), '"') / 2;
    const e = a.entities;
    const expected = 9 + Math.min(5, e.users?.length ?? 0) + Math.min(5, e.ips?.length ?? 0) + Math.min(10, a.tags.length);
    assert.equal(params, expected);
  }, 150);
});

test('syslog CEF: seven header separators and one key=value per extension field', (t) => {
  const h = { facility: 16, hostname: 'host', appName: 'auditwatch', procId: '1', now: Date.UTC(2026, 0, 2) };
  fuzz(t, hostileAlert, (a) => {
    const line = cefMessage(a, h, 'key', '1.0');
    assert.equal(hasActiveControl(line), false);
    const cef = line.slice(line.indexOf('CEF:0|'));
    const bars = unescaped(cef, '|');
    assert.ok(bars >= 7, cef.slice(0, 300));
    const extension = cef.split(/(?<!\\)(?:\\\\)*\|/).slice(7).join('|');
    const e = a.entities;
    const fields = 16 + (e.users?.[0] ? 1 : 0) + (e.ips?.[0] && /^[0-9a-fA-F:.]{2,45}$/.test(e.ips[0]) ? 1 : 0) + (e.mailboxes?.[0] ? 1 : 0) + (e.files?.[0] ? 1 : 0);
    assert.equal(unescaped(extension, '='), fields, extension.slice(0, 400));
  }, 150);
});
