// Property tests of the output-safety layer that every renderer builds on: whatever the text, what it
// gives a terminal, a viewer or a spreadsheet carries no active control, no markup and no formula, is
// bounded, and JSON output parses back to the same value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, hostileJson, hostileString } from './fuzz.testing.js';
import { csvCell, escapeHtml, hasActiveControl, safeJson, safeLine, truncate } from './text.js';

test('safeLine: no active control (tab and newline included), at most max characters', (t) => {
  fuzz(t, fc.tuple(hostileString(), fc.integer({ min: 1, max: 300 })), ([s, max]) => {
    const out = safeLine(s, max);
    assert.equal(hasActiveControl(out), false, JSON.stringify(out));
    assert.ok(Array.from(out).length <= max, `${Array.from(out).length} > ${max}`);
  }, 300);
});

test('truncate: a prefix of the text (or the text), never longer than max code points', (t) => {
  fuzz(t, fc.tuple(hostileString(), fc.integer({ min: 1, max: 200 })), ([s, max]) => {
    const out = truncate(s, max);
    assert.ok(Array.from(out).length <= max || out === s);
    if (out !== s) assert.ok(s.startsWith(out.slice(0, -1)), 'the kept part is the start of the text');
  }, 300);
});

test('escapeHtml: no tag, attribute break or entity from the data, no active control', (t) => {
  fuzz(t, hostileString(), (s) => {
    const out = escapeHtml(s);
    assert.doesNotMatch(out, /[<>"'`]/);
    // Every & starts one of the escapes this function writes: the data cannot form its own entity.
    assert.doesNotMatch(out, /&(?!amp;|lt;|gt;|quot;|#39;|#96;)/);
    assert.equal(hasActiveControl(out), false);
  }, 300);
});

test('csvCell: one quoted cell, no formula start, controls escaped except tab and line breaks', (t) => {
  fuzz(t, hostileString(), (s) => {
    const out = csvCell(s);
    assert.ok(out.startsWith('"') && out.endsWith('"'));
    const inner = out.slice(1, -1);
    assert.doesNotMatch(inner.replace(/""/g, ''), /"/, 'every quote inside is doubled');
    assert.doesNotMatch(inner, /^[=+\-@\t\r|%]/, 'no formula or control start');
    assert.equal(hasActiveControl(inner, { tab: true, newline: true }), false, JSON.stringify(inner));
  }, 300);
});

test('safeJson: parses back to the same value and holds no raw active control outside \\n indentation', (t) => {
  fuzz(t, hostileJson, (v) => {
    const text = safeJson(v);
    assert.equal(hasActiveControl(text), false, text.slice(0, 200));
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v) ?? 'null'));
    const pretty = safeJson(v, 2);
    assert.equal(hasActiveControl(pretty, { newline: true }), false);
  }, 300);
});
