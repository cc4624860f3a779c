// The guard in front of `auditwatch query`: one statement, of a reading kind, or a one-line refusal.
// Engines add their own check (DuckDB: the parsed statement type, a read-only transaction rolled back).

import { AppError } from '../core/index.js';

const READING = new Set(['SELECT', 'WITH', 'DESCRIBE', 'SHOW', 'EXPLAIN', 'SUMMARIZE', 'FROM', 'PRAGMA', 'VALUES', 'TABLE']);

/** The statement without comments and surrounding white space, split on top-level semicolons. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
      current += ' ';
    } else if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
      current += ' ';
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === ch) {
          if (text[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      current += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === ';') {
      out.push(current.trim());
      current = '';
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  out.push(current.trim());
  return out.filter((s) => s !== '');
}

/**
 * Checks a user's query text and returns the single statement to run (comments removed). Refuses
 * several statements and anything that does not start like a read.
 */
export function checkReadOnlyText(text: string): string {
  const statements = splitStatements(text);
  if (statements.length === 0) throw refusal('the query is empty; give one SELECT statement');
  if (statements.length > 1) throw refusal(`the query holds ${statements.length} statements; give exactly one SELECT statement`);
  const statement = statements[0]!;
  const words = statement.replace(/^\(+\s*/, '').split(/[\s(]+/, 3).map((w) => w.toUpperCase());
  let first = words[0] ?? '';
  if (statement.startsWith('(')) first = first === '' ? 'SELECT' : first;
  if (!READING.has(first)) {
    throw refusal(`"${first.slice(0, 20)}" statements are not allowed; only SELECT, WITH, DESCRIBE, SHOW, EXPLAIN, SUMMARIZE, FROM and PRAGMA table_info read the store`);
  }
  if (first === 'PRAGMA' && !/^PRAGMA\s+(table_info|show)\s*\(/i.test(statement)) {
    throw refusal('only PRAGMA table_info(...) is allowed');
  }
  if (first === 'EXPLAIN') {
    const rest = statement.replace(/^EXPLAIN\s+(ANALY[SZ]E\s+)?/i, '');
    const inner = (rest.split(/[\s(]+/, 1)[0] ?? '').toUpperCase();
    if (!READING.has(inner) || inner === 'EXPLAIN' || inner === 'PRAGMA') throw refusal('EXPLAIN works on a SELECT statement only');
  }
  return statement;
}

export function refusal(why: string): AppError {
  return new AppError('query_refused', `Query refused: ${why} (auditwatch query is read-only).`);
}
