// The correlation form by server release: a ClickHouse with CTEs and window functions (21.12 and later)
// gets compileCorrelation's one statement (CTEs, window frames, UNION DISTINCT, server-side parameters);
// 18.16 gets plain base-row selects (no WITH, no OVER, values inlined) and the windows are finished in
// TypeScript (windows.fuzz.test.ts holds that path to the SQL form; the parity test runs it on 18.16).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickhouseDialectFor, type Row, type Sql } from '../../store/index.js';
import { clickhouseDetect, compileRules, correlationQuery, type CompiledCorrelation } from '../compile/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { correlationRows } from './windows.js';

const RULES = `title: after burst
id: outer
correlation:
  type: value_count
  rules: [burst, failed]
  group-by: [ClientIP]
  timespan: 10m
  condition: {field: UserId, gte: 3}
level: high
---
title: burst
name: burst
correlation:
  type: event_count
  rules: [failed]
  group-by: [UserId]
  timespan: 5m
  condition: {gte: 10}
  generate: false
level: high
---
title: failed
name: failed
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
`;

function query() {
  const { rules } = parseRuleText(RULES, 'x.yml');
  const { compiled, errors } = compileRules(rules, clickhouseDetect);
  assert.deepEqual(errors, []);
  const rule = compiled.find((c): c is CompiledCorrelation => c.kind === 'correlation' && c.rule.id === 'outer')!;
  return correlationQuery(rule, 1_000_000, 2_000_000);
}

function recorder(version: string) {
  const dialect = clickhouseDialectFor(version);
  const sent: { text: string; params: unknown[] }[] = [];
  return { sent, runner: { dialect, query: async (q: Sql): Promise<Row[]> => (sent.push(q.render(dialect)), []) } };
}

test('a current ClickHouse runs the correlation as one statement with CTEs and window frames', async () => {
  const { sent, runner } = recorder('24.3.1');
  await correlationRows(runner, clickhouseDetect, query());
  assert.equal(sent.length, 1);
  const [{ text, params }] = sent as [{ text: string; params: unknown[] }];
  assert.match(text, /^WITH `src0` AS \(WITH base AS \(SELECT /);
  assert.match(text, /lagInFrame\(`ms`\) OVER \(PARTITION BY `t`, `g0` ORDER BY ms ROWS BETWEEN 1 PRECEDING AND CURRENT ROW\)/);
  assert.match(text, /count\(\*\) OVER \(PARTITION BY `t`, `g0` ORDER BY ms RANGE BETWEEN CURRENT ROW AND 300000 FOLLOWING\)/);
  assert.match(text, / UNION DISTINCT SELECT /);
  assert.match(text, /toUnixTimestamp64Milli\(`creation_time`\)/);
  assert.match(text, /\{p1:Int64\} AS r/);
  assert.ok(params.length > 0);
});

test('ClickHouse 18.16 gets base-row selects only: no WITH, no OVER, no parameters, whole-second times', async () => {
  const { sent, runner } = recorder('18.16.1');
  await correlationRows(runner, clickhouseDetect, query());
  // The chained correlation's base rows, then this one's own rule (no rows came back, so nothing to cut).
  assert.equal(sent.length, 2);
  for (const { text, params } of sent) {
    assert.match(text, /^SELECT `tenant_id` AS t, `id`, \(toInt64\(toUnixTimestamp\(`creation_time`\)\) \* 1000\) AS ms, /);
    assert.doesNotMatch(text, /\bWITH\b|\bOVER\b|\{p\d+:|toUnixTimestamp64Milli|\bTRUE\b|\bFALSE\b/);
    assert.deepEqual(params, []);
  }
  // A bound before 1970 is clamped (DateTime would wrap it to 2106).
  const { sent: early, runner: r2 } = recorder('18.16.1');
  const q = query();
  await correlationRows(r2, clickhouseDetect, { ...q, anchorFrom: -3_600_000, sources: undefined });
  assert.match(early[0]!.text, /`creation_time` >= toDateTime\(intDiv\(0, 1000\), 'UTC'\)/);
});
