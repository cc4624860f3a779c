// record-types.ts is generated from shared/reference/record-types.tsv; this checks they still agree
// when the reference is present beside the repository (it is not shipped, so the check skips without it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RECORD_TYPES } from './record-types.js';

function repoRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

const root = repoRoot();
const tsv = root === null ? null : path.join(root, '..', 'shared', 'reference', 'record-types.tsv');

test('RECORD_TYPES is ascending, unique and matches the reference TSV', { skip: tsv === null || !existsSync(tsv) ? 'shared/reference/record-types.tsv is not beside the repository' : false }, () => {
  const lines = readFileSync(tsv!, 'utf8').trim().split('\n').slice(1);
  const expected = lines.map((line) => {
    const [value, name] = line.split('\t');
    return [Number(value), name] as [number, string];
  });
  assert.deepEqual([...RECORD_TYPES.entries()], expected);
});

test('RECORD_TYPES keys are ascending integers and names are non-empty', () => {
  let last = 0;
  for (const [value, name] of RECORD_TYPES) {
    assert.ok(Number.isInteger(value) && value > last, String(value));
    assert.ok(name.length > 0);
    last = value;
  }
  assert.equal(RECORD_TYPES.get(15), 'AzureActiveDirectoryStsLogon');
});
