// Splitting a blob into each record's text: exact slices for well-formed arrays (strings with escaped
// quotes and brackets included), null for anything else so the caller reports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitJsonArray } from './split.js';

test('an array of objects splits into the exact text of each record', () => {
  const records = [
    { Id: 'a', Note: 'quote " and \\\\ and } ] { [ inside', Nested: { x: [1, { y: '"}' }] } },
    { Id: 'b', Empty: {}, List: [], Unicode: 'é\u2028' },
  ];
  const text = ` [ ${JSON.stringify(records[0])} ,\n${JSON.stringify(records[1], null, 2)} ] `;
  const parts = splitJsonArray(text);
  assert.ok(parts);
  assert.deepEqual(parts.map((p) => JSON.parse(p)), records);
  assert.equal(parts[1], JSON.stringify(records[1], null, 2));
  assert.deepEqual(splitJsonArray('[]'), []);
});

test('anything but a complete array of objects gives null', () => {
  for (const bad of ['', '{}', '[1,2]', '[{"a":1}', '[{"a":"1}]', '[{"a":1},]', '[{"a":1}] x', '[{"a":1} {"b":2}]', '{"error":{"code":"AF20051"}}']) {
    assert.equal(splitJsonArray(bad), null, bad);
  }
});
