// Hostile import files: records nested thousands of levels deep keep their original text as dead
// letters; leading white space is read in linear time; an unquoted CSV line with no end is read with
// memory bounded by the largest accepted row, not the line.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readImport, type ImportItem } from './import.js';
import { MAX_RECORD_CHARS } from './import-json.js';
import { makeRejection, normalize } from './normalize.js';

const SOURCE = { tenantId: 't1', contentType: null, sourceId: 'import:deep.ndjson' };

async function* chunksOf(parts: Iterable<string>): AsyncGenerator<string> {
  for (const p of parts) yield p;
}

async function collect(input: AsyncIterable<string>, name = 'f'): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  for await (const item of readImport(input, name)) items.push(item);
  return items;
}

const deep = (n: number, leaf: string) => `{"Id":"00000000-0000-4000-8000-00000000000${leaf}","CreationTime":"2026-01-01T00:00:00","RecordType":1,"X":${'{"a":'.repeat(n)}${leaf}${'}'.repeat(n)}}`;

test('a record nested 5,000 levels deep is dead-lettered with its original line, and two such stay two', async () => {
  const lines = [deep(5000, '1'), deep(5000, '2')];
  const items = await collect(chunksOf([`${lines.join('\n')}\n`]));
  assert.equal(items.length, 2);
  const rejections = items.map((item) => {
    assert.ok('record' in item);
    const n = normalize(item.record, SOURCE, item.text);
    assert.equal(n.ok, false);
    return (n as { rejection: { raw: string; reason: string } }).rejection;
  });
  assert.deepEqual(rejections.map((r) => r.raw), lines, 'the dead letter keeps each original line');
  assert.notEqual(rejections[0]!.raw, rejections[1]!.raw);
  assert.match(rejections[0]!.reason, /nested too deeply/);
  // Without the text at hand (a value, e.g. from a blob), the value is still written out in full.
  const r = normalize(JSON.parse(lines[0]!) as unknown, SOURCE);
  assert.equal(r.ok, false);
  assert.equal((r as { rejection: { raw: string } }).rejection.raw, lines[0], 'written out whole, not "[object Object]"');
});

test('two rejected inputs longer than the kept text, differing only past the cut, get different keys', () => {
  const base = 'x'.repeat(2 * 1024 * 1024);
  const a = makeRejection('bad', `${base}a`);
  const b = makeRejection('bad', `${base}b`);
  assert.equal(a.raw, b.raw, 'both cut at the same bound');
  assert.ok(a.key && b.key && a.key !== b.key);
  assert.equal(makeRejection('bad', 'short').key, undefined, 'a short input is its own key');
});

test('40 MB of leading white space before a record is read in one linear pass, line numbers intact', { timeout: 60_000 }, async () => {
  // The old detection re-joined everything buffered on every chunk: 25.7 s for this; now well under 1 s.
  const chunk = ' '.repeat(64 * 1024);
  const parts = function* () {
    for (let i = 0; i < 640; i++) yield chunk;
    yield '\n\n{"Id":"a"}\n';
  };
  const items = await collect(chunksOf(parts()));
  assert.equal(items.length, 1);
  assert.equal(items[0]!.line, 3);
  assert.ok('record' in items[0]!);
});

test('an unquoted CSV line of 48 MB with no end: rejected once, with heap use bounded by the row limit', async () => {
  const header = 'CreationDate,UserIds,Operations,AuditData\n';
  const piece = 'y'.repeat(64 * 1024);
  const total = 48 * 1024 * 1024;
  let peak = 0;
  const base = process.memoryUsage().heapUsed;
  const parts = function* () {
    yield header;
    for (let sent = 0; sent < total; sent += piece.length) {
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      yield piece;
    }
  };
  const items = await collect(chunksOf(parts()), 'huge.csv');
  assert.equal(items.length, 1);
  assert.ok('rejection' in items[0]!);
  assert.match(items[0]!.rejection.reason, /longer than/);
  // A one-character-at-a-time field made a rope of ~32 bytes per character (1 GB here); slices stay
  // near the row limit's own size (MAX_RECORD_CHARS one-byte characters).
  assert.ok(peak < MAX_RECORD_CHARS * 4, `heap grew by ${Math.round(peak / 1e6)} MB`);
});
