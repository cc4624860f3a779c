// Property test of the rule compiler's value escaping, through the real compiler and detector on a
// real DuckDB store: a Sigma rule whose value is any hostile string (quotes, backslashes, SQL, JSON
// path syntax, LIKE and regex metacharacters, controls, emoji) matches the record holding exactly that
// value — as a column, a Name/Value parameter, and with contains / startswith / endswith — and does
// not match a record without it. A value can never break out of its literal or widen the match.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { fuzzAsync, hostileString } from '../../core/fuzz.testing.js';
import { UAL_EXAMPLES } from '../../records/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { runRuleTests, type RuleTestFile } from '../engine/ruletest.js';

/** Sigma's escaping: *, ? and \ are literal only behind a backslash. */
const sigmaLiteral = (v: string) => v.replace(/[\\*?]/g, '\\$&');

const BASE = JSON.parse(UAL_EXAMPLES.addMailboxPermission) as Record<string, unknown>;
const record = (userId: string, identity: string) => ({ ...BASE, UserId: userId, Parameters: [{ Name: 'Identity', Value: identity }, { Name: 'AccessRights', Value: 'FullAccess' }] });

function rule(id: string, field: string, value: string): string {
  return stringify({ title: `fuzz ${id}`, id, logsource: { product: 'm365', service: 'exchange' }, detection: { sel: { [field]: sigmaLiteral(value) }, condition: 'sel' }, level: 'low' });
}

test('compiled rules match hostile values exactly, never more', async (t) => {
  // Well-formed text without NUL: what the normaliser stores (lone surrogates become U+FFFD before storage).
  const value = hostileString({ maxLength: 200, wellFormed: true })
    .map((s) => s.replace(/\u0000/g, ''))
    .filter((s) => s.trim() !== '' && s === s.trim());
  await fuzzAsync(t, value, async (v) => {
    const other = 'zz-no-such-value';
    fc.pre(!other.toLowerCase().includes(v.toLowerCase()));
    const defs: Array<{ id: string; field: string; value: string; hit: ReturnType<typeof record>; miss: ReturnType<typeof record> }> = [
      { id: 'exact-column', field: 'UserId|cased', value: v, hit: record(v, 'x'), miss: record(`${v}x`, 'x') },
      { id: 'exact-param', field: 'Parameters.Identity|cased', value: v, hit: record('u', v), miss: record('u', `x${v}`) },
      // Sigma's default is case-insensitive: the compiler folds the value, the store folds the column.
      { id: 'exact-folded', field: 'UserId', value: v, hit: record(v, 'x'), miss: record(other, 'x') },
      { id: 'contains-folded', field: 'Parameters.Identity|contains', value: v, hit: record('u', `pre${v}post`), miss: record('u', other) },
      { id: 'contains', field: 'UserId|contains|cased', value: v, hit: record(`pre${v}post`, 'x'), miss: record(other, 'x') },
      { id: 'startswith', field: 'UserId|startswith|cased', value: v, hit: record(`${v}post`, 'x'), miss: record(`x${v}`, 'x') },
      { id: 'endswith', field: 'Parameters.Identity|endswith|cased', value: v, hit: record('u', `pre${v}`), miss: record('u', `${v}x`) },
    ];
    const text = defs.map((d) => rule(d.id, d.field, d.value)).join('---\n');
    const parsed = parseRuleText(text, 'fuzz.yml');
    assert.deepEqual(parsed.errors.map((e) => e.message), []);
    const files: RuleTestFile[] = defs.map((d) => ({
      file: 'fuzz.tests.yml',
      rule: d.id,
      cases: [
        { name: 'hit', expect: 'match', hits: 1, records: [d.hit], line: 1 },
        { name: 'miss', expect: 'no-match', records: [d.miss], line: 2 },
      ],
    }));
    const results = await runRuleTests(files, parsed.rules);
    const failed = results.filter((r) => !r.passed).map((r) => `${r.ruleId}/${r.name}: ${r.detail}`);
    assert.deepEqual(failed, [], `value ${JSON.stringify(v)}`);
  }, 8);
});
