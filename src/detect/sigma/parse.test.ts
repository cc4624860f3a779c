// Parser and validation: rules in, object model or errors with exact messages, lines and columns out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRules } from '../compile/index.js';
import type { DetectionRule } from './ast.js';
import { parseRuleText } from './parse.js';
import { parseWildcards } from './values.js';

function errorsOf(text: string): string[] {
  const parsed = parseRuleText(text, 'r.yml');
  const compiled = compileRules(parsed.rules, 'duckdb');
  return [...parsed.errors, ...compiled.errors].map((e) => e.display());
}

const HEAD = `title: t
id: r1
logsource:
  product: m365
  service: audit
detection:
`;

test('a valid rule parses into selections and a condition tree', () => {
  const { rules, errors } = parseRuleText(
    `${HEAD}  sel_a:
    Operation|contains|all: [Add, Permission]
  sel_b:
    - UserId: a@b.c
    - ClientIP|cidr: 10.0.0.0/8
  filter:
    ResultStatus: null
  condition: 1 of sel_* and not filter
level: high
tags: [attack.t1098]
`,
    'r.yml',
  );
  assert.deepEqual(errors, []);
  const r = rules[0] as DetectionRule;
  assert.equal(r.kind, 'rule');
  assert.equal(r.level, 'high');
  assert.deepEqual(r.tags, ['attack.t1098']);
  assert.deepEqual([...r.selections.keys()], ['sel_a', 'sel_b', 'filter']);
  assert.deepEqual(r.condition, {
    t: 'and',
    items: [
      { t: 'of', quantifier: 'one', pattern: 'sel_*', pos: { line: 14, column: 19 } },
      { t: 'not', item: { t: 'ref', name: 'filter', pos: { line: 14, column: 33 } } },
    ],
  });
  const a = r.selections.get('sel_a')!.selection;
  assert.equal(a.kind, 'and');
  if (a.kind === 'and') {
    assert.equal(a.items[0]!.all, true);
    assert.deepEqual(a.items[0]!.matchers[0], { kind: 'str', parts: [{ t: 'any' }, { t: 'lit', s: 'Add' }, { t: 'any' }] });
  }
});

test('wildcards and their escapes', () => {
  assert.deepEqual(parseWildcards('a*b?c'), [{ t: 'lit', s: 'a' }, { t: 'any' }, { t: 'lit', s: 'b' }, { t: 'one' }, { t: 'lit', s: 'c' }]);
  assert.deepEqual(parseWildcards('a\\*b\\?c\\\\d\\e'), [{ t: 'lit', s: 'a*b?c\\d\\e' }]);
});

test('an unknown modifier names the line, column and field', () => {
  assert.deepEqual(errorsOf(`${HEAD}  sel:\n    Operation|base64: x\n  condition: sel\n`), [
    'r.yml:8:5: detection.sel.Operation|base64: unknown modifier "base64"; supported: contains, startswith, endswith, all, re, cidr, exists, fieldref, gt, gte, lt, lte, cased, sameperson, samedomain [rule_invalid]',
  ]);
});

test('an unknown field is an error at its line: a near miss of a column, or a dotted name nobody knows', () => {
  assert.deepEqual(errorsOf(`${HEAD}  sel:\n    Operation: x\n    Opration: y\n    Foo.Bar: z\n  condition: sel\n`), [
    'r.yml:9:5: detection.sel.Opration: unknown field "Opration"; did you mean Operation? (a Name/Value key spelt "Opration" is written with its map: Parameters.Opration, ExtendedProperties.Opration, …) [rule_invalid]',
    'r.yml:10:5: detection.sel.Foo.Bar: unknown field "Foo.Bar"; use a raw record name (Operation, UserId, ClientIP, Parameters.User, ExtendedProperties.RequestType, ModifiedProperties.Role.DisplayName.NewValue, …), a bare Name/Value key (RequestType), Payload or raw.<json path> [rule_invalid]',
  ]);
});

test('condition syntax errors and unknown selections point at the token', () => {
  assert.deepEqual(errorsOf(`${HEAD}  sel:\n    Operation: x\n  condition: sel and (sel or\n`), [
    'r.yml:9:29: detection.condition: syntax error: the condition ends where a selection name was expected [rule_invalid]',
  ]);
  assert.deepEqual(errorsOf(`${HEAD}  sel:\n    Operation: x\n  condition: sel and not filtr\n`), [
    'r.yml:9:26: detection.condition: unknown selection "filtr"; selections are sel [rule_invalid]',
  ]);
  assert.deepEqual(errorsOf(`${HEAD}  sel:\n    Operation: x\n  condition: sel | count() > 5\n`), [
    'r.yml:9:18: detection.condition: syntax error: unexpected character "|" (the pipe aggregation syntax is replaced by correlation rules) [rule_invalid]',
  ]);
  assert.deepEqual(errorsOf(`${HEAD}  sel:\n    Operation: x\n  condition: "sel sel"\n`), [
    'r.yml:9:19: detection.condition: syntax error: unexpected "sel" after a complete condition (missing "and" / "or"?) [rule_invalid]',
  ]);
});

test('missing keys, bad values and bad modifiers are all reported at once', () => {
  const errs = errorsOf(`id: r2
logsource:
  product: m365
detection:
  sel:
    ErrorNumber|gt: many
    ClientIP|cidr: 10.0.0.0/33
    Operation|re: '(unclosed'
    UserId|contains|startswith: x
  condition: sel
level: severe
`);
  assert.deepEqual(errs, [
    'r2:1:1: title: missing required key "title" [rule_invalid]'.replace('r2:1:1', 'r.yml:1:1'),
    'r.yml:11:8: level: must be one of informational, low, medium, high, critical [rule_invalid]',
    'r.yml:6:5: detection.sel.ErrorNumber|gt: modifier "gt" needs a number [rule_invalid]',
    'r.yml:7:5: detection.sel.ClientIP|cidr: "10.0.0.0/33" is not a network; write it like 10.0.0.0/8 or 2001:db8::/32 [rule_invalid]',
    'r.yml:8:5: detection.sel.Operation|re: invalid regular expression "(unclosed": /(unclosed/: Unterminated group [rule_invalid]',
    'r.yml:9:5: detection.sel.UserId|contains|startswith: modifiers "contains" and "startswith" cannot be combined [rule_invalid]',
  ]);
});

test('a product other than m365 is refused at the logsource', () => {
  assert.deepEqual(errorsOf(`title: t\nlogsource:\n  product: windows\n  service: security\ndetection:\n  sel:\n    EventID: 4625\n  condition: sel\n`), [
    'r.yml:3:3: logsource: product "windows" is not the Microsoft 365 unified audit log; use product: m365 [rule_invalid]',
  ]);
});

test('correlation rules: valid, and each mistake with its line', () => {
  const ok = parseRuleText(
    `title: c
id: c1
correlation:
  type: value_count
  rules: [base]
  group-by: [ClientIP]
  timespan: 30m
  condition: {field: UserId, gte: 10, lt: 100}
---
title: b
name: base
logsource: {product: m365}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
`,
    'c.yml',
  );
  assert.deepEqual(ok.errors, []);
  const c = ok.rules[0]!;
  assert.equal(c.kind, 'correlation');
  if (c.kind === 'correlation') {
    assert.equal(c.timespanMs, 1_800_000);
    assert.deepEqual(c.condition, { field: 'UserId', gte: 10, lt: 100 });
    assert.deepEqual(c.groupBy, ['ClientIP']);
    assert.equal(c.generate, false);
  }
  assert.deepEqual(
    errorsOf(`title: c
correlation:
  type: event_count
  rules: [nope]
  group-by: [Usr]
  timespan: 5 minutes
  condition: {gte: ten}
`),
    [
      'r.yml:6:13: correlation.timespan: "5 minutes" is not a timespan; write a number and s, m, h or d, like 5m [rule_invalid]',
      'r.yml:7:20: correlation.condition.gte: must be a whole number [rule_invalid]',
      'r.yml:7:14: correlation.condition: needs a comparison (gt, gte, lt, lte, eq) [rule_invalid]',
    ],
  );
  assert.deepEqual(
    errorsOf(`title: c
correlation:
  type: event_count
  rules: [nope]
  group-by: [UserId]
  timespan: 5m
  condition: {gte: 3}
`),
    ['r.yml:4:10: correlation.rules: unknown rule "nope"; name a detection rule by its id or name [rule_invalid]'],
  );
  assert.deepEqual(errorsOf(`title: c\ncorrelation:\n  type: temporal_ordered\n  rules: [a, b]\n  group-by: [UserId]\n  timespan: 5m\n  condition: {gte: 1}\n`), [
    'r.yml:7:14: correlation.condition: temporal_ordered means every rule, in order; leave out the condition (or write gte: 2) [rule_invalid]',
  ]);
  assert.deepEqual(errorsOf(`title: c\ncorrelation:\n  type: temporal_sorted\n  rules: [a, b]\n  group-by: [UserId]\n  timespan: 5m\n  condition: {gte: 2}\n`), [
    'r.yml:3:9: correlation.type: must be one of event_count, value_count, temporal, temporal_ordered, first_seen [rule_invalid]',
  ]);
});

test('YAML syntax errors carry the position; multi-document files parse every document', () => {
  const bad = errorsOf('title: [unclosed\n');
  assert.equal(bad.length, 1);
  assert.match(bad[0]!, /^r\.yml:\d+:\d+: YAML syntax error: /);
  const two = parseRuleText(`${HEAD}  s: {Operation: a}\n  condition: s\n---\ntitle: u\nid: r9\nlogsource: {product: m365}\ndetection:\n  s: {Operation: b}\n  condition: s\n`, 'two.yml');
  assert.deepEqual(two.errors, []);
  assert.deepEqual(
    two.rules.map((r) => [r.id, r.pos.line]),
    [
      ['r1', 1],
      ['r9', 10],
    ],
  );
});
