// Unit tests of the window rules, time formats and the nextPage token.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeNextPage, encodeNextPage, findPosition, parseApiTime, parseWindow } from './window.js';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);

test('time formats: date, minutes, seconds, fractions, Z and offsets', () => {
  const t = Date.UTC(2026, 0, 10, 1, 2, 3);
  assert.equal(parseApiTime('2026-01-10'), Date.UTC(2026, 0, 10));
  assert.equal(parseApiTime('2026-01-10T01:02'), Date.UTC(2026, 0, 10, 1, 2));
  assert.equal(parseApiTime('2026-01-10T01:02:03'), t);
  assert.equal(parseApiTime('2026-01-10T01:02:03Z'), t);
  assert.equal(parseApiTime('2026-01-10T01:02:03.5Z'), t + 500);
  assert.equal(parseApiTime('2026-01-10T01:02:03.1234567'), t + 123);
  assert.equal(parseApiTime('2026-01-10T01:02:03+00:00'), t);
  assert.equal(parseApiTime('2026-01-10T03:02:03+02:00'), t);
  for (const bad of ['', '2026-1-10', '2026-01-10 01:02:03', '2026-13-01', '2026-02-30', 'yesterday', '2026-01-10T01']) {
    assert.ok(Number.isNaN(parseApiTime(bad)), bad);
  }
});

test('window rules', () => {
  assert.deepEqual(parseWindow(undefined, undefined, NOW), { start: NOW - 86_400_000, end: NOW });
  assert.deepEqual(parseWindow('2026-01-10T00:00', '2026-01-11T00:00', NOW), { start: Date.UTC(2026, 0, 10), end: Date.UTC(2026, 0, 11) });
  const code = (s?: string, e?: string) => (parseWindow(s, e, NOW) as { code?: string }).code;
  assert.equal(code('2026-01-10', undefined), 'AF20055');
  assert.equal(code(undefined, '2026-01-10'), 'AF20055');
  assert.equal(code('2026-01-10T00:00', '2026-01-11T00:00:01'), 'AF20055');
  assert.equal(code('2026-01-10T02:00', '2026-01-10T01:00'), 'AF20055');
  assert.equal(code('2026-01-03T11:00:00', '2026-01-03T12:00:00'), undefined, '7 days + 1 hour back is tolerated');
  assert.equal(code('2026-01-03T10:59:59', '2026-01-03T12:00:00'), 'AF20055');
  assert.equal(code('2026-01-20T00:00', '2026-01-20T01:00'), undefined, 'future windows are accepted');
});

test('nextPage tokens round-trip and refuse tampering; positions survive equal contentCreated', () => {
  const id = '20260110010203$abc$audit_sharepoint$Audit_SharePoint$emu0001';
  const token = encodeNextPage(123456, id);
  assert.deepEqual(decodeNextPage(token), { contentCreated: 123456, contentId: id });
  assert.equal(decodeNextPage('123'), null);
  assert.equal(decodeNextPage(`${token}=`), null);
  assert.equal(decodeNextPage('000000000123456!!'), null);
  const items = [
    { contentCreated: 1, contentId: 'z' },
    { contentCreated: 2, contentId: 'b' },
    { contentCreated: 2, contentId: 'a' },
    { contentCreated: 3, contentId: 'c' },
  ];
  assert.equal(findPosition(items, { contentCreated: 2, contentId: 'a' }), 2);
  assert.equal(findPosition(items, { contentCreated: 3, contentId: 'c' }), 3);
  assert.equal(findPosition(items, { contentCreated: 2, contentId: 'gone' }), 1);
});
