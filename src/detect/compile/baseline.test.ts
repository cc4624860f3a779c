// First-seen rules compiled: references and fields resolved, errors at the rule's lines, and the pass's
// pairs query rendered exactly for DuckDB and for ClickHouse 18.16 (one GROUP BY, plain aggregates:
// no CTE, no window function, epoch seconds times 1000 where the server has no DateTime64).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickhouseDialectFor, duckdbDialect } from '../../store/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { clickhouseDetect, compileFirstSeenPairs, compileRules, duckdbDetect, type CompiledBaseline } from './index.js';

const RULE = `title: new value
id: fs
correlation:
  type: first_seen
  rules: [seen]
  group-by: [UserId]
  fields: [ClientIP.Country, UserAgent]
  new: each
  history: 10d
  learning: 1d
---
title: seen
name: seen
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoggedIn}
  condition: s
`;

function compiled(text: string) {
  const { rules, errors } = parseRuleText(text, 'x.yml');
  assert.deepEqual(errors.map((e) => e.display()), []);
  return compileRules(rules, duckdbDetect);
}

test('first_seen compiles to a baseline with its spec; the referenced rule only feeds it', () => {
  const c = compiled(RULE);
  assert.deepEqual(c.errors, []);
  const b = c.compiled.find((x): x is CompiledBaseline => x.kind === 'baseline')!;
  assert.deepEqual(b.spec, { fields: ['ClientIP.Country', 'UserAgent'], historyMs: 10 * 86_400_000, learningMs: 86_400_000, novelty: 'each', newEntity: 'alert' });
  assert.deepEqual([b.groupNames, b.valueNames], [['UserId'], ['ClientIP.Country', 'UserAgent']]);
  const feeder = c.compiled.find((x) => x.kind === 'rule')!;
  assert.equal(feeder.kind === 'rule' && feeder.emits, false);
  const bad = compiled(RULE.replace('rules: [seen]', 'rules: [nope]'));
  assert.match(bad.errors[0]!.display(), /x\.yml:5:\d+: correlation\.rules: unknown rule "nope"/);
});

test('the pairs query: DuckDB', () => {
  const b = compiled(RULE).compiled.find((x): x is CompiledBaseline => x.kind === 'baseline')!;
  const q = compileFirstSeenPairs(duckdbDetect, b, { kind: 'ingested', after: 1000, upTo: 2000 }).render(duckdbDialect);
  assert.equal(
    q.text,
    `SELECT "tenant_id" AS t, coalesce(CAST("user_id" AS VARCHAR), '') AS "g0", CAST("country" AS VARCHAR) AS "v0", CAST("user_agent" AS VARCHAR) AS "v1", epoch_ms(min("creation_time")) AS first_ms, epoch_ms(max("creation_time")) AS last_ms, count(*) AS n, argMin("id", "creation_time") AS "e_id", argMin("user_id", "creation_time") AS "e_user_id", argMin("client_ip", "creation_time") AS "e_client_ip", argMin("mailbox_owner_upn", "creation_time") AS "e_mailbox_owner_upn", argMin("object_id", "creation_time") AS "e_object_id", argMin("workload", "creation_time") AS "e_workload", argMin("record_type", "creation_time") AS "e_record_type", argMin("application_id", "creation_time") AS "e_application_id"
FROM "events" WHERE ("ingested_at" > make_timestamp(CAST($1 AS BIGINT) * 1000) AND "ingested_at" <= make_timestamp(CAST($2 AS BIGINT) * 1000) AND (((lower("workload") IN ($3)) AND (coalesce(lower("operation") = $4, FALSE)))) AND coalesce(CAST("country" AS VARCHAR), '') <> '' AND coalesce(CAST("user_agent" AS VARCHAR), '') <> '')
GROUP BY t, "g0", "v0", "v1"`,
  );
  assert.deepEqual(q.params, [1000, 2000, 'azureactivedirectory', 'userloggedin']);
});

test('the pairs query: ClickHouse 18.16 (values inlined, whole-second times, no CTE or window function)', () => {
  const { rules } = parseRuleText(RULE, 'x.yml');
  const b = compileRules(rules, clickhouseDetect).compiled.find((x): x is CompiledBaseline => x.kind === 'baseline')!;
  const q = compileFirstSeenPairs(clickhouseDetect, b, { kind: 'ingested', after: 1000, upTo: 2000 }).render(clickhouseDialectFor('18.16.1'));
  assert.deepEqual(q.params, []);
  assert.ok(q.text.startsWith("SELECT `tenant_id` AS t, ifNull(toString(`user_id`), '') AS `g0`, toString(`country`) AS `v0`"), q.text);
  assert.match(q.text, /\(toUInt64\(toUnixTimestamp\(min\(`creation_time`\)\)\) \* 1000\) AS first_ms/);
  assert.match(q.text, /`ingested_at` > toDateTime\(intDiv\(1000, 1000\), 'UTC'\)/);
  assert.match(q.text, /argMin\(`id`, `creation_time`\) AS `e_id`/);
  assert.match(q.text, /lowerUTF8\(`operation`\) = 'userloggedin'/);
  assert.doesNotMatch(q.text, /\bWITH\b|\bOVER\b|toUnixTimestamp64Milli/);
  // Each record once: the rows that pass, one per (tenant_id, id), not the FINAL view over the whole table.
  assert.match(q.text, /\nFROM \(SELECT \* FROM `events_rows` WHERE \(`ingested_at` > .*\) LIMIT 1 BY `tenant_id`, `id`\)\nGROUP BY t, `g0`, `v0`, `v1`$/s);
});
