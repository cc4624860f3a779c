// The text-level guard of `auditwatch query`: one statement of a reading kind, comments and quoted
// semicolons understood.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../core/index.js';
import { checkReadOnlyText, splitStatements } from './readonly-guard.js';

test('splitStatements ignores semicolons in strings, identifiers and comments', () => {
  assert.deepEqual(splitStatements(`SELECT ';' AS "a;b" -- ; here\n/* ; */ FROM t;  `), [`SELECT ';' AS "a;b"    FROM t`]);
  assert.deepEqual(splitStatements('SELECT 1; SELECT 2'), ['SELECT 1', 'SELECT 2']);
  assert.deepEqual(splitStatements(`SELECT 'it''s;'`), [`SELECT 'it''s;'`]);
});

test('reading statements pass', () => {
  for (const q of ['select 1', 'WITH a AS (SELECT 1) SELECT * FROM a', 'DESCRIBE events', 'SHOW TABLES', 'EXPLAIN SELECT 1', 'SUMMARIZE events', 'FROM events LIMIT 1', "PRAGMA table_info('events')", '(SELECT 1)']) {
    assert.ok(checkReadOnlyText(q).length > 0, q);
  }
});

test('anything else is refused with one line naming what is allowed', () => {
  for (const q of ['DELETE FROM events', 'select 1; drop table events', 'ATTACH ?', "COPY events TO 'x'", 'INSTALL x', 'LOAD x', 'SET threads=1', 'PRAGMA memory_limit=1', 'EXPLAIN ANALYZE UPDATE events SET id = 1', '  ', '-- only a comment', 'CALL checkpoint()', 'CHECKPOINT', 'EXPORT DATABASE ?']) {
    assert.throws(
      () => checkReadOnlyText(q),
      (err) => err instanceof AppError && err.code === 'query_refused' && !err.message.includes('\n') && /read-only/.test(err.message),
      q,
    );
  }
});
