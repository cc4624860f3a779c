// Tests of the CLI's shared pieces: hostile values in tables, CSV and JSON output, the progress line, stopping on signals.

import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { csv, jsonLines, table } from './format.js';
import { createProgress } from './progress.js';
import { stopOnSignals } from '../../core/index.js';

describe('output formats', () => {
  it('table escapes control characters and bounds the width', () => {
    const rows = [{ user: 'evil\u001b[31m\r\nuser', note: 'x'.repeat(500), n: 3, none: null }];
    const out = table(rows, { maxWidth: 40 });
    assert.ok(!out.includes('\u001b'), 'no raw ESC');
    assert.ok(!out.includes('\r'), 'no raw CR');
    assert.ok(out.includes('\\u001b[31m\\u000d\\u000auser'));
    const widest = Math.max(...out.split('\n').map((l) => l.length));
    assert.ok(widest < 120, `lines stay bounded (${widest})`);
    assert.equal(out.split('\n').length, 4, 'header, rule, one row, trailing newline');
  });

  it('json is one object per line and csv neutralises formulas', () => {
    const rows = [{ a: '=cmd|x', b: 1 }, { a: 'line\nbreak', b: null }];
    const lines = jsonLines(rows).trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l)), rows);
    const text = csv(rows);
    assert.ok(text.startsWith('"a","b"\r\n'));
    assert.ok(text.includes(`"'=cmd|x"`), text);
  });
});

describe('progress', () => {
  it('writes plain lines with records/s and an ETA when not a TTY', () => {
    const chunks: string[] = [];
    let t = 0;
    const stream = { write: (s: string) => (chunks.push(s), true), isTTY: false } as unknown as NodeJS.WritableStream;
    const p = createProgress(stream, () => t, 1000);
    t = 2000;
    p.update({ records: 1000, blobs: 5, fraction: 0.5 });
    t = 2500;
    p.update({ records: 1200, blobs: 6, fraction: 0.6 });
    t = 4000;
    p.done({ records: 2000, blobs: 10 });
    assert.equal(chunks.length, 2, 'a throttled update is skipped');
    assert.match(chunks[0]!, /50% 1000 records, 5 blobs, 500 records\/s, ETA 2s/);
    assert.match(chunks[1]!, /100% 2000 records, 10 blobs, 500 records\/s\n$/);
    assert.ok(chunks.every((c) => !c.includes('\r')), 'no carriage returns off a TTY');
  });
});

test('stopOnSignals: the first SIGINT or SIGTERM aborts and takes the handlers off; with onSignal every signal is seen until dispose', () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const plain = stopOnSignals();
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], [before[0]! + 1, before[1]! + 1]);
  process.emit('SIGTERM');
  assert.equal(plain.signal.aborted, true);
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before, 'a second Ctrl-C gets Node\'s own handling: exit');
  const seen: string[] = [];
  const counted = stopOnSignals((name, stop) => {
    seen.push(name);
    if (seen.length === 2) stop.abort();
  });
  process.emit('SIGINT');
  assert.equal(counted.signal.aborted, false, 'the command decides');
  process.emit('SIGTERM');
  assert.deepEqual(seen, ['SIGINT', 'SIGTERM']);
  assert.equal(counted.signal.aborted, true);
  counted.dispose();
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
});
