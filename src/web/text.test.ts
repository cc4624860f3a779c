// Tests of text.ts, the one place the dashboard makes audit strings safe to show: control, ANSI and
// bidi characters become visible escapes, long values are cut with an ellipsis, markup stays as text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cut, LIST_MAX, neutralise, showText } from './text.js';

test('bidi overrides, ANSI escapes and control characters become visible escapes', () => {
  assert.equal(neutralise('evil\u202Etxt.exe'), 'evil\\u{202E}txt.exe');
  assert.equal(neutralise('\u001b[31mred'), '\\u{001B}[31mred');
  assert.equal(neutralise('a\u0000b\u2066c\u200Bd'), 'a\\u{0000}b\\u{2066}c\\u{200B}d');
  assert.equal(neutralise('one\ntwo'), 'one\\u{000A}two');
  assert.equal(neutralise('one\ntwo', true), 'one\ntwo');
  assert.equal(showText('<script>alert(1)</script>'), '<script>alert(1)</script>', 'markup is left as characters; the DOM gets it as text');
});

test('a 1 MB value is cut to the length asked, with an ellipsis, without splitting a surrogate pair', () => {
  const s = showText('x'.repeat(1_000_000));
  assert.equal(s.length, LIST_MAX);
  assert.ok(s.endsWith('…'));
  assert.equal(cut('😀'.repeat(10), 5), '😀😀😀😀…');
  assert.equal(showText(null), '');
  assert.equal(showText({ a: 1 }), '{"a":1}');
});

test('whatever the input, the result is bounded and holds no control or bidi character', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), fc.integer({ min: 2, max: 600 }), (s, max) => {
      const out = showText(s, max);
      assert.ok(Array.from(out).length <= max);
      assert.ok(!/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(out));
    }),
  );
});
