// Compilation, pySigma-style: inline YAML in, the exact query out, for both dialects (DuckDB and
// ClickHouse are two targets of one compiler).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clickhouseDialectFor, sqlFalse, sqlTrue } from '../../store/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { clickhouseDetect, compileCorrelation, compileRules, duckdbDetect, type DetectDialect } from './index.js';

function predicate(yaml: string, d: DetectDialect) {
  const { rules, errors } = parseRuleText(yaml, 'x.yml');
  assert.deepEqual(errors, []);
  const c = compileRules(rules, d);
  assert.deepEqual(c.errors.map((e) => e.display()), []);
  const r = c.compiled[0]!;
  assert.equal(r.kind, 'rule');
  return r.kind === 'rule' ? r.predicate.render(d.base) : null;
}

const SIMPLE = `title: t
id: r1
logsource: {product: m365, service: audit}
detection:
  sel:
    Operation|contains: ['Add-Mailbox', 'Set-Mailbox']
    Parameters.AccessRights|cased: FullAccess
    ErrorNumber|gt: 50000
    ModifiedProperties.Role.DisplayName.NewValue|endswith: Administrator
    RecordType: 1
  filter:
    ClientIP|exists: false
  condition: sel and not filter`;

test('modifiers, Name/Value fields, numbers and not: DuckDB', () => {
  assert.deepEqual(predicate(SIMPLE, duckdbDetect), { text: "(coalesce((contains(lower(\"operation\"), $1) OR contains(lower(\"operation\"), $2)), FALSE) AND coalesce(TRY(json_extract_string(\"parameters\", $3)) = $4, FALSE) AND coalesce(TRY_CAST(\"error_number\" AS DOUBLE) > $5, FALSE) AND coalesce(ends_with(lower(TRY(json_extract_string(\"modified_properties\", $6))), $7), FALSE) AND coalesce(\"record_type\" = $8, FALSE)) AND (NOT (coalesce(\"client_ip\" IS NULL, FALSE)))", params: ["add-mailbox", "set-mailbox", "$.\"AccessRights\"", "FullAccess", 50000, "$.\"Role.DisplayName\".\"newValue\"", "administrator", 1] });
});

test('modifiers, Name/Value fields, numbers and not: ClickHouse', () => {
  assert.deepEqual(predicate(SIMPLE, clickhouseDetect), {"text":"(coalesce((position(lowerUTF8(`operation`), {p1:String}) > 0 OR position(lowerUTF8(`operation`), {p2:String}) > 0), FALSE) AND coalesce(multiIf(visitParamExtractRaw(`parameters`, {p3:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(`parameters`, {p3:String}), '\"'), visitParamExtractString(`parameters`, {p3:String}), visitParamExtractRaw(`parameters`, {p3:String})) = {p4:String}, FALSE) AND coalesce(toFloat64OrNull(toString(`error_number`)) > {p5:Int64}, FALSE) AND coalesce(endsWith(lowerUTF8(multiIf(visitParamExtractRaw(visitParamExtractRaw(`modified_properties`, {p6:String}), {p7:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(visitParamExtractRaw(`modified_properties`, {p6:String}), {p7:String}), '\"'), visitParamExtractString(visitParamExtractRaw(`modified_properties`, {p6:String}), {p7:String}), visitParamExtractRaw(visitParamExtractRaw(`modified_properties`, {p6:String}), {p7:String}))), {p8:String}), FALSE) AND coalesce(`record_type` = {p9:Int64}, FALSE)) AND (NOT (coalesce(`client_ip` IS NULL, FALSE)))","params":["add-mailbox","set-mailbox","AccessRights","FullAccess",50000,"Role.DisplayName","newValue","administrator",1]});
});

test('booleans come from the dialect: 1/0 on ClickHouse 18.16, which has no TRUE/FALSE', () => {
  const old: DetectDialect = { ...clickhouseDetect, base: clickhouseDialectFor('18.16.1') };
  const text = predicate(SIMPLE, old)!.text;
  assert.doesNotMatch(text, /\b(TRUE|FALSE)\b/i);
  assert.match(text, /coalesce\(`record_type` = 1, 0\)/);
  assert.deepEqual([sqlTrue.render(old.base).text, sqlFalse.render(old.base).text], ['1', '0']);
  assert.deepEqual([sqlTrue.render(duckdbDetect.base).text, sqlFalse.render(duckdbDetect.base).text], ['TRUE', 'FALSE']);
});

// A public SigmaHQ rule (rules/cloud/m365/threat_management), unmodified: the m365 taxonomy maps
// eventSource → Workload, eventName → the alert Name, status: success → every success spelling.
const TAXONOMY = `title: Suspicious Inbox Forwarding
id: 6c220477-0b5b-4b25-bb90-66183b4089e8
logsource:
    service: threat_management
    product: m365
detection:
    selection:
        eventSource: SecurityComplianceCenter
        eventName: 'Suspicious inbox forwarding'
        status: success
    condition: selection`;

test('the m365 taxonomy of SigmaHQ rules: DuckDB and ClickHouse', () => {
  assert.deepEqual(predicate(TAXONOMY, duckdbDetect), { text: "(lower(\"workload\") IN ($1)) AND (coalesce(lower(\"workload\") = $2, FALSE) AND coalesce(lower(TRY(json_extract_string(\"raw\", $3))) = $4, FALSE) AND coalesce(lower(\"result_status\") IN ($5, $6, $7, $8), FALSE))", params: ["securitycompliancecenter", "securitycompliancecenter", "$.\"Name\"", "suspicious inbox forwarding", "succeeded", "success", "true", "partiallysucceeded"] });
  assert.deepEqual(predicate(TAXONOMY, clickhouseDetect), {"text":"(lowerUTF8(`workload`) IN ({p1:String})) AND (coalesce(lowerUTF8(`workload`) = {p2:String}, FALSE) AND coalesce(lowerUTF8(multiIf(visitParamExtractRaw(`raw`, {p3:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(`raw`, {p3:String}), '\"'), visitParamExtractString(`raw`, {p3:String}), visitParamExtractRaw(`raw`, {p3:String}))) = {p4:String}, FALSE) AND coalesce(lowerUTF8(`result_status`) IN ({p5:String}, {p6:String}, {p7:String}, {p8:String}), FALSE))","params":["securitycompliancecenter","securitycompliancecenter","Name","suspicious inbox forwarding","succeeded","success","true","partiallysucceeded"]});
});

const CORRELATION = `title: c
id: c1
correlation:
  type: value_count
  rules: [base]
  group-by: [ClientIP]
  timespan: 30m
  condition: {field: UserId, gte: 10}
---
title: b
name: base
logsource: {product: m365}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
`;

function correlation(d: DetectDialect) {
  const { rules } = parseRuleText(CORRELATION, 'c.yml');
  const c = compileRules(rules, d).compiled.find((x) => x.kind === 'correlation')!;
  assert.equal(c.kind, 'correlation');
  if (c.kind !== 'correlation') return null;
  const q = { type: c.rule.type, predicates: c.predicates, groupBy: c.groupBy, spanMs: c.spanMs, condition: c.condition, anchorFrom: 1000, anchorTo: 2000 };
  return compileCorrelation(d, c.value ? { ...q, value: c.value } : q).render(d.base);
}

test('a sliding-span value_count correlation: DuckDB', () => {
  assert.deepEqual(correlation(duckdbDetect), {"text":"WITH base AS MATERIALIZED (SELECT \"tenant_id\" AS t, \"id\", epoch_ms(\"creation_time\") AS ms, coalesce(CAST(\"client_ip\" AS VARCHAR), '') AS \"g0\", CAST(\"user_id\" AS VARCHAR) AS v, $1 AS r, \"user_id\", \"client_ip\", \"mailbox_owner_upn\", \"object_id\", \"workload\", \"record_type\", \"application_id\" FROM \"events\" WHERE (\"creation_time\" >= make_timestamp(CAST($2 AS BIGINT) * 1000) AND \"creation_time\" <= make_timestamp(CAST($3 AS BIGINT) * 1000) AND ((coalesce(lower(\"operation\") = $4, FALSE))) AND CAST(\"user_id\" AS VARCHAR) IS NOT NULL)),\nbuckets AS (SELECT t, \"g0\", k, count(*) AS c FROM (SELECT DISTINCT t, \"g0\", CAST(floor(\"ms\" / 1800000) AS BIGINT) AS k, \"v\" AS x FROM base WHERE \"v\" IS NOT NULL) z GROUP BY t, \"g0\", k),\npairs AS (SELECT x.t, x.\"g0\" AS \"g0\", x.k AS k FROM buckets x LEFT JOIN buckets y ON y.t = x.t AND y.\"g0\" = x.\"g0\" AND y.k = x.k + 1 WHERE x.c + coalesce(y.c, 0) >= $5),\nkeep AS (SELECT DISTINCT t, \"g0\", k FROM (SELECT t, \"g0\", k FROM pairs UNION ALL SELECT t, \"g0\", k + 1 AS k FROM pairs) z),\npruned AS (SELECT base.t, base.\"id\", base.ms, base.\"g0\", base.v, base.r FROM base JOIN keep ON base.t = keep.t AND base.\"g0\" = keep.\"g0\" AND CAST(floor(base.ms / 1800000) AS BIGINT) = keep.k),\nocc AS (SELECT DISTINCT t, \"g0\", v, ms FROM pruned WHERE v IS NOT NULL),\noccb AS (SELECT t, \"g0\", v, ms, CASE WHEN ms - lag(\"ms\") OVER (PARTITION BY \"t\", \"g0\", \"v\" ORDER BY ms) <= $6 THEN 0 ELSE 1 END AS brk FROM occ),\noccr AS (SELECT t, \"g0\", v, ms, sum(brk) OVER (PARTITION BY \"t\", \"g0\", \"v\" ORDER BY ms ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run FROM occb),\nruns AS (SELECT t, \"g0\", min(ms) AS a, max(ms) AS b FROM occr GROUP BY t, \"g0\", v, run),\ndeltas AS (SELECT t, \"g0\", a - $7 AS p, 1 AS dlt FROM runs UNION ALL SELECT t, \"g0\", b + 1 AS p, -1 AS dlt FROM runs UNION ALL SELECT DISTINCT t, \"g0\", ms AS p, 0 AS dlt FROM pruned),\nswept AS (SELECT t, \"g0\", p, dlt, sum(dlt) OVER (PARTITION BY \"t\", \"g0\" ORDER BY p RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM deltas),\ncounted AS (SELECT t, \"g0\", p AS ms, n FROM swept WHERE dlt = 0),\nanchors AS (SELECT DISTINCT t, \"g0\", ms FROM counted WHERE ms >= $8 AND ms < $9 AND \"n\" >= $10),\nmarked AS (SELECT t, \"g0\", ms, CASE WHEN ms - lag(\"ms\") OVER (PARTITION BY \"t\", \"g0\" ORDER BY ms) <= $11 THEN 0 ELSE 1 END AS brk FROM anchors),\nislands AS (SELECT t, \"g0\", ms, sum(brk) OVER (PARTITION BY \"t\", \"g0\" ORDER BY ms ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island FROM marked),\nwindows AS (SELECT t, \"g0\", island, min(ms) AS lo, max(ms) + $12 AS hi FROM islands GROUP BY t, \"g0\", island),\nev AS MATERIALIZED (SELECT b.t AS t, b.\"g0\" AS \"g0\", w.island AS island, w.lo AS lo, w.hi AS hi, b.\"id\" AS id, b.ms AS ms, e.\"user_id\", e.\"client_ip\", e.\"mailbox_owner_upn\", e.\"object_id\", e.\"workload\", e.\"record_type\", e.\"application_id\" FROM windows w JOIN pruned b ON b.t = w.t AND b.\"g0\" = w.\"g0\" JOIN base e ON e.t = b.t AND e.\"id\" = b.\"id\"\nWHERE b.ms >= w.lo AND b.ms <= w.hi),\nent AS (SELECT t, \"g0\", island, lo, hi, kind, val FROM (SELECT t, \"g0\", island, lo, hi, $13 AS kind, \"user_id\" AS val FROM ev WHERE \"user_id\" <> ''\nUNION ALL SELECT t, \"g0\", island, lo, hi, $14 AS kind, \"client_ip\" AS val FROM ev WHERE \"client_ip\" <> ''\nUNION ALL SELECT t, \"g0\", island, lo, hi, $15 AS kind, \"mailbox_owner_upn\" AS val FROM ev WHERE \"mailbox_owner_upn\" <> ''\nUNION ALL SELECT t, \"g0\", island, lo, hi, $16 AS kind, \"object_id\" AS val FROM ev WHERE \"object_id\" <> '' AND \"workload\" IN ($17, $18)\nUNION ALL SELECT t, \"g0\", island, lo, hi, $19 AS kind, \"object_id\" AS val FROM ev WHERE \"object_id\" <> '' AND \"record_type\" = $20\nUNION ALL SELECT t, \"g0\", island, lo, hi, $21 AS kind, \"application_id\" AS val FROM ev WHERE \"application_id\" <> '') e GROUP BY t, \"g0\", island, lo, hi, kind, val),\nranked AS (SELECT t, \"g0\", island, lo, hi, kind, val, row_number() OVER (PARTITION BY t, \"g0\", island, kind ORDER BY val) AS rk FROM ent)\nSELECT * FROM (SELECT t AS tenant_id, \"g0\", island, lo, hi, '' AS kind, '' AS val, CAST(to_json(list([CAST(\"id\" AS VARCHAR), CAST(\"ms\" AS VARCHAR)])) AS VARCHAR) AS ids FROM ev GROUP BY t, \"g0\", island, lo, hi\nUNION ALL SELECT t AS tenant_id, \"g0\", island, lo, hi, kind, val, '' AS ids FROM ranked WHERE rk <= $22 OR regexp_matches(\"val\", $23)) z\nORDER BY tenant_id, \"g0\", island, kind, val","params":[0,1000,1802000,"userloginfailed",10,1800000,1800000,1000,2000,10,1800000,1800000,"users","ips","mailboxes","files","SharePoint","OneDrive","mailboxes",1,"applications",20,"[\\x{E000}-\\x{10FFFF}]"]});
});

test('a sliding-span value_count correlation: ClickHouse', () => {
  assert.deepEqual(correlation(clickhouseDetect), {"text":"WITH base AS (SELECT `tenant_id` AS t, `id`, toUnixTimestamp64Milli(`creation_time`) AS ms, ifNull(toString(`client_ip`), '') AS `g0`, toString(`user_id`) AS v, {p1:Int64} AS r, `user_id`, `client_ip`, `mailbox_owner_upn`, `object_id`, `workload`, `record_type`, `application_id` FROM (SELECT * FROM `events_rows` WHERE (`creation_time` >= toDateTime64({p2:Int64} / 1000, 3, 'UTC') AND `creation_time` <= toDateTime64({p3:Int64} / 1000, 3, 'UTC') AND ((coalesce(lowerUTF8(`operation`) = {p4:String}, FALSE))) AND toString(`user_id`) IS NOT NULL) LIMIT 1 BY `tenant_id`, `id`)),\nbuckets AS (SELECT t, `g0`, k, count(*) AS c FROM (SELECT DISTINCT t, `g0`, intDiv(`ms`, 1800000) AS k, `v` AS x FROM base WHERE `v` IS NOT NULL) z GROUP BY t, `g0`, k),\npairs AS (SELECT x.t, x.`g0` AS `g0`, x.k AS k FROM buckets x LEFT JOIN buckets y ON y.t = x.t AND y.`g0` = x.`g0` AND y.k = x.k + 1 WHERE x.c + ifNull(y.c, 0) >= {p5:Int64}),\nkeep AS (SELECT DISTINCT t, `g0`, k FROM (SELECT t, `g0`, k FROM pairs UNION ALL SELECT t, `g0`, k + 1 AS k FROM pairs) z),\npruned AS (SELECT base.t, base.`id`, base.ms, base.`g0`, base.v, base.r FROM base JOIN keep ON base.t = keep.t AND base.`g0` = keep.`g0` AND intDiv(base.ms, 1800000) = keep.k),\nocc AS (SELECT DISTINCT t, `g0`, v, ms FROM pruned WHERE v IS NOT NULL),\noccb AS (SELECT t, `g0`, v, ms, CASE WHEN ms - lagInFrame(`ms`) OVER (PARTITION BY `t`, `g0`, `v` ORDER BY ms ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) <= {p6:Int64} THEN 0 ELSE 1 END AS brk FROM occ),\noccr AS (SELECT t, `g0`, v, ms, sum(brk) OVER (PARTITION BY `t`, `g0`, `v` ORDER BY ms ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run FROM occb),\nruns AS (SELECT t, `g0`, min(ms) AS a, max(ms) AS b FROM occr GROUP BY t, `g0`, v, run),\ndeltas AS (SELECT t, `g0`, a - {p7:Int64} AS p, 1 AS dlt FROM runs UNION ALL SELECT t, `g0`, b + 1 AS p, -1 AS dlt FROM runs UNION ALL SELECT DISTINCT t, `g0`, ms AS p, 0 AS dlt FROM pruned),\nswept AS (SELECT t, `g0`, p, dlt, sum(dlt) OVER (PARTITION BY `t`, `g0` ORDER BY p RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM deltas),\ncounted AS (SELECT t, `g0`, p AS ms, n FROM swept WHERE dlt = 0),\nanchors AS (SELECT DISTINCT t, `g0`, ms FROM counted WHERE ms >= {p8:Int64} AND ms < {p9:Int64} AND `n` >= {p10:Int64}),\nmarked AS (SELECT t, `g0`, ms, CASE WHEN ms - lagInFrame(`ms`) OVER (PARTITION BY `t`, `g0` ORDER BY ms ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) <= {p11:Int64} THEN 0 ELSE 1 END AS brk FROM anchors),\nislands AS (SELECT t, `g0`, ms, sum(brk) OVER (PARTITION BY `t`, `g0` ORDER BY ms ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island FROM marked),\nwindows AS (SELECT t, `g0`, island, min(ms) AS lo, max(ms) + {p12:Int64} AS hi FROM islands GROUP BY t, `g0`, island),\nev AS (SELECT b.t AS t, b.`g0` AS `g0`, w.island AS island, w.lo AS lo, w.hi AS hi, b.`id` AS id, b.ms AS ms, e.`user_id`, e.`client_ip`, e.`mailbox_owner_upn`, e.`object_id`, e.`workload`, e.`record_type`, e.`application_id` FROM windows w JOIN pruned b ON b.t = w.t AND b.`g0` = w.`g0` JOIN base e ON e.t = b.t AND e.`id` = b.`id`\nWHERE b.ms >= w.lo AND b.ms <= w.hi),\nent AS (SELECT t, `g0`, island, lo, hi, kind, val FROM (SELECT t, `g0`, island, lo, hi, {p13:String} AS kind, `user_id` AS val FROM ev WHERE `user_id` <> ''\nUNION ALL SELECT t, `g0`, island, lo, hi, {p14:String} AS kind, `client_ip` AS val FROM ev WHERE `client_ip` <> ''\nUNION ALL SELECT t, `g0`, island, lo, hi, {p15:String} AS kind, `mailbox_owner_upn` AS val FROM ev WHERE `mailbox_owner_upn` <> ''\nUNION ALL SELECT t, `g0`, island, lo, hi, {p16:String} AS kind, `object_id` AS val FROM ev WHERE `object_id` <> '' AND `workload` IN ({p17:String}, {p18:String})\nUNION ALL SELECT t, `g0`, island, lo, hi, {p19:String} AS kind, `object_id` AS val FROM ev WHERE `object_id` <> '' AND `record_type` = {p20:Int64}\nUNION ALL SELECT t, `g0`, island, lo, hi, {p21:String} AS kind, `application_id` AS val FROM ev WHERE `application_id` <> '') e GROUP BY t, `g0`, island, lo, hi, kind, val),\nranked AS (SELECT t, `g0`, island, lo, hi, kind, val, row_number() OVER (PARTITION BY t, `g0`, island, kind ORDER BY val) AS rk FROM ent)\nSELECT * FROM (SELECT t AS tenant_id, `g0`, island, lo, hi, '' AS kind, '' AS val, toJSONString(groupArray([toString(`id`), toString(`ms`)])) AS ids FROM ev GROUP BY t, `g0`, island, lo, hi\nUNION ALL SELECT t AS tenant_id, `g0`, island, lo, hi, kind, val, '' AS ids FROM ranked WHERE rk <= {p22:Int64} OR match(`val`, concat('(?:', {p23:String}, ')'))) z\nORDER BY tenant_id, `g0`, island, kind, val","params":[0,1000,1802000,"userloginfailed",10,1800000,1800000,1000,2000,10,1800000,1800000,"users","ips","mailboxes","files","SharePoint","OneDrive","mailboxes",1,"applications",20,"[\\x{E000}-\\x{10FFFF}]"]});
});

test('values are parameters, never SQL text', () => {
  const hostile = `title: t\nlogsource: {product: m365}\ndetection:\n  s:\n    UserId: "x'); DROP TABLE events; --"\n  condition: s`;
  const q = predicate(hostile, duckdbDetect)!;
  assert.equal(q.text, 'coalesce(lower("user_id") = $1, FALSE)');
  assert.deepEqual(q.params, ["x'); drop table events; --"]);
});

test('wildcards become LIKE with escaped literals; cased keeps case; re gets inline flags', () => {
  const q = predicate(
    `title: t\nlogsource: {product: m365}\ndetection:\n  s:\n    ObjectId: 'https://*/sites/100%_?x'\n    UserAgent|re|i: '^curl/'\n    LogonError|cased|startswith: Invalid\n  condition: s`,
    duckdbDetect,
  )!;
  assert.equal(q.text, `coalesce(lower("object_id") LIKE $1 ESCAPE '\\', FALSE) AND coalesce(regexp_matches("user_agent", $2), FALSE) AND coalesce(starts_with("logon_error", $3), FALSE)`);
  assert.deepEqual(q.params, ['https://%/sites/100\\%\\__x', '(?i)^curl/', 'Invalid']);
});

test('raw ResultStatus as community rules write it: Success matches every success spelling, other values as written', () => {
  const rule = (v: string) => `title: t\nid: r1\nlogsource: {product: m365, service: audit}\ndetection:\n  sel:\n    ResultStatus: '${v}'\n  condition: sel\n`;
  assert.deepEqual(predicate(rule('Success'), duckdbDetect), { text: 'coalesce(lower("result_status") IN ($1, $2, $3, $4), FALSE)', params: ['succeeded', 'success', 'true', 'partiallysucceeded'] });
  assert.deepEqual(predicate(rule('Failed'), duckdbDetect)?.params, ['failed', 'failure', 'false']);
  assert.deepEqual(predicate(rule('False'), duckdbDetect), { text: 'coalesce(lower("result_status") = $1, FALSE)', params: ['false'] });
});

test('a rule for another log source is refused with the data it needs', () => {
  const { rules } = parseRuleText(`title: t\nid: r1\nlogsource: {product: azure, service: signinlogs}\ndetection:\n  sel: {ResultType: 50126}\n  condition: sel\n`, 'x.yml');
  const c = compileRules(rules, duckdbDetect);
  assert.match(c.errors[0]!.message, /reads Entra ID sign-in logs .*Management Activity API does not deliver.*product: m365/);
});

// SigmaHQ's ways with Name/Value arrays and the whole record: a bare key (the first map holding it), a
// parameter's name (any member, or the parameter literally called Name), a keyword with a quote (also
// searched as the record's JSON escapes it).
const COMMUNITY = `title: t\nid: r1\nlogsource: {product: m365}\ndetection:\n  s:\n    RequestType: 'Cmsi:Cmsi'\n    Parameters.Name: ForwardTo\n  k:\n    - 'a"b'\n  condition: s and k\n`;

test('bare keys, Name/Value members and keywords: DuckDB and ClickHouse', () => {
  assert.deepEqual(predicate(COMMUNITY, duckdbDetect), DUCK_COMMUNITY);
  assert.deepEqual(predicate(COMMUNITY, clickhouseDetect), CH_COMMUNITY);
  // ClickHouse 18.16 has no JSONExtract: a member's name is read off the JSON text's string tokens.
  const old: DetectDialect = { ...clickhouseDetect, base: clickhouseDialectFor('18.16.1') };
  const text = predicate(COMMUNITY, old)!.text;
  assert.doesNotMatch(text, /JSONExtract/);
  assert.match(text, /arrayFilter\(aw_k -> endsWith\(aw_k, ':'\), extractAll\(ifNull\(`parameters`, ''\)/);
});

test('a list field cannot be compared with another field or grouped by', () => {
  const { rules } = parseRuleText(`title: t\nid: r1\nlogsource: {product: m365}\ndetection:\n  s:\n    Parameters.Value|fieldref: UserId\n  condition: s\n`, 'x.yml');
  assert.match(compileRules(rules, duckdbDetect).errors[0]!.message, /every member of a Name\/Value list; \|fieldref needs one value/);
});

const DUCK_COMMUNITY = {"text":"(coalesce(lower(coalesce(\"request_type\", TRY(json_extract_string(\"parameters\", $1)), TRY(json_extract_string(\"operation_properties\", $2)), TRY(json_extract_string(\"device_properties\", $3)), TRY(json_extract_string(\"modified_properties\", $4)))) = $5, FALSE) AND coalesce((coalesce(len(list_filter(TRY(json_keys(\"parameters\")), aw_m -> lower(aw_m) = $6)) > 0, FALSE) OR coalesce(lower(TRY(json_extract_string(\"parameters\", $7))) = $8, FALSE)), FALSE)) AND (coalesce((contains(lower(\"raw\"), $9) OR contains(lower(\"raw\"), $10)), FALSE))","params":["$.\"RequestType\"","$.\"RequestType\"","$.\"RequestType\"","$.\"RequestType\".\"newValue\"","cmsi:cmsi","forwardto","$.\"Name\"","forwardto","a\"b","a\\\"b"]};
const CH_COMMUNITY = {"text":"(coalesce(lowerUTF8(coalesce(nullIf(`request_type`, ''), nullIf(multiIf(visitParamExtractRaw(`parameters`, {p1:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(`parameters`, {p1:String}), '\"'), visitParamExtractString(`parameters`, {p1:String}), visitParamExtractRaw(`parameters`, {p1:String})), ''), nullIf(multiIf(visitParamExtractRaw(`operation_properties`, {p2:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(`operation_properties`, {p2:String}), '\"'), visitParamExtractString(`operation_properties`, {p2:String}), visitParamExtractRaw(`operation_properties`, {p2:String})), ''), nullIf(multiIf(visitParamExtractRaw(`device_properties`, {p3:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(`device_properties`, {p3:String}), '\"'), visitParamExtractString(`device_properties`, {p3:String}), visitParamExtractRaw(`device_properties`, {p3:String})), ''), nullIf(multiIf(visitParamExtractRaw(visitParamExtractRaw(`modified_properties`, {p4:String}), {p5:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(visitParamExtractRaw(`modified_properties`, {p4:String}), {p5:String}), '\"'), visitParamExtractString(visitParamExtractRaw(`modified_properties`, {p4:String}), {p5:String}), visitParamExtractRaw(visitParamExtractRaw(`modified_properties`, {p4:String}), {p5:String})), ''))) = {p6:String}, FALSE) AND coalesce((coalesce(arrayExists(aw_m -> lowerUTF8(aw_m) = {p7:String}, JSONExtractKeys(`parameters`)), FALSE) OR coalesce(lowerUTF8(multiIf(visitParamExtractRaw(`parameters`, {p8:String}) IN ('', 'null'), NULL, startsWith(visitParamExtractRaw(`parameters`, {p8:String}), '\"'), visitParamExtractString(`parameters`, {p8:String}), visitParamExtractRaw(`parameters`, {p8:String}))) = {p9:String}, FALSE)), FALSE)) AND (coalesce((position(lowerUTF8(`raw`), {p10:String}) > 0 OR position(lowerUTF8(`raw`), {p11:String}) > 0), FALSE))","params":["RequestType","RequestType","RequestType","RequestType","newValue","cmsi:cmsi","forwardto","Name","forwardto","a\"b","a\\\"b"]};
