// The one dialect module: ClickHouse capabilities by server release, the 18.16 form (values inlined as
// escaped literals, no TRUE/FALSE, whole-second times), and no engine-name branch outside src/store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clickhouseCapabilities, clickhouseDetect, clickhouseDialect, clickhouseDialectFor, duckdbDetect, duckdbDialect } from './dialect.js';
import { ident, qualifyIdent, sql } from './template.js';

test('ClickHouse 18.16 has none of the newer constructs; a current release has all', () => {
  assert.deepEqual(clickhouseCapabilities('18.16.1'), { serverParams: false, jsonExtract: false, dateTime64: false, ctes: false, windowFunctions: false, booleanLiterals: false });
  assert.deepEqual(Object.values(clickhouseCapabilities('23.8.2.7')), [true, true, true, true, true, true]);
  assert.deepEqual(clickhouseCapabilities('20.3.1'), { serverParams: true, jsonExtract: true, dateTime64: true, ctes: false, windowFunctions: false, booleanLiterals: false });
  assert.throws(() => clickhouseCapabilities('latest'), /not a ClickHouse version/);
});

test('on 18.16 values are inlined as escaped literals and no parameters are sent', () => {
  const d = clickhouseDialectFor('18.16.1');
  const q = sql`SELECT ${ident('a`b')} FROM t WHERE s = ${"it's \\ odd"} AND f = ${false} AND n IN (${7}) AND l = ${['x', "y'"]} AND z IS ${null}`.render(d);
  assert.deepEqual(q, { text: "SELECT `a\\`b` FROM t WHERE s = 'it\\'s \\\\ odd' AND f = 0 AND n IN (7) AND l = ['x', 'y\\''] AND z IS NULL", params: [] });
  assert.equal(clickhouseDetect.timestamp(1_000).render(d).text, "toDateTime(intDiv(1000, 1000), 'UTC')");
  assert.throws(() => sql`SELECT ${Number.NaN}`.render(d), /no SQL literal/);
});

test('current releases keep server-side parameters and DateTime64', () => {
  assert.deepEqual(clickhouseDetect.timestamp(1_000).render(clickhouseDialect), { text: "toDateTime64({p1:Int64} / 1000, 3, 'UTC')", params: [1000] });
  assert.deepEqual(clickhouseDetect.timestamp(1_000).render(clickhouseDialectFor('24.3')), { text: "toDateTime64({p1:Int64} / 1000, 3, 'UTC')", params: [1000] });
  assert.equal(duckdbDialect.literal("o'k"), "'o''k'");
});

test('report constructs come from the dialect table of each engine', () => {
  const e = ident('x');
  assert.equal(duckdbDetect.truncate('day', e).render(duckdbDialect).text, `date_trunc('day', "x")`);
  assert.equal(clickhouseDetect.truncate('hour', e).render(clickhouseDialect).text, 'toStartOfHour(`x`)');
  assert.deepEqual(clickhouseDetect.listOf(e, 5).render(clickhouseDialect), { text: "arrayStringConcat(arraySlice(arraySort(groupUniqArray(`x`)), 1, {p1:Int64}), '; ')", params: [5] });
});

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** A comparison with an engine's name (`.name === 'clickhouse'`, `'duckdb' ===`, a switch case). */
const ENGINE_BRANCH = /(===|!==)\s*'(duckdb|clickhouse)'|'(duckdb|clickhouse)'\s*(===|!==)|case\s+'(duckdb|clickhouse)'/;

test('no engine-name branch in the rule compiler or the report definitions (and the check catches one)', async () => {
  assert.ok(ENGINE_BRANCH.test("if (ctx.d.base.name === 'clickhouse') return x;"), 'the planted violation is caught');
  const src = fileURLToPath(new URL('../../../src/', import.meta.url));
  const offenders: string[] = [];
  for (const folder of ['detect/compile', 'reports/definitions']) {
    for (const file of await sources(join(src, folder))) if (ENGINE_BRANCH.test(await readFile(file, 'utf8'))) offenders.push(file);
  }
  assert.deepEqual(offenders, []);
});

test('fromEvents: DuckDB reads its events table; ClickHouse keeps one row per (tenant_id, id) of the rows that pass, on every release', () => {
  const filter = sql`${ident('operation')} = ${'UserLoginFailed'}`;
  assert.deepEqual(sql`SELECT count(*) ${duckdbDetect.fromEvents(filter)}`.render(duckdbDialect), { text: 'SELECT count(*) FROM "events" WHERE ("operation" = $1)', params: ['UserLoginFailed'] });
  for (const d of [clickhouseDialectFor('18.16.1'), clickhouseDialectFor('24.8.1')]) {
    assert.equal(sql`SELECT count() ${clickhouseDetect.fromEvents(filter)}`.render(d).text.replace(/\{p1:String\}/, "'UserLoginFailed'"), "SELECT count() FROM (SELECT * FROM `events_rows` WHERE (`operation` = 'UserLoginFailed') LIMIT 1 BY `tenant_id`, `id`)");
  }
  assert.equal(sql`SELECT DISTINCT ${ident('operation')} ${clickhouseDetect.fromStoredRows()}`.render(clickhouseDialect).text, 'SELECT DISTINCT `operation` FROM `events_rows`');
});

test('qualifyIdent names one table with its database and leaves the rest', () => {
  const q = sql`SELECT 1 FROM ${ident('events_rows')} WHERE x IN (SELECT y FROM ${ident('identities')})`;
  assert.equal(qualifyIdent(q, 'identities', 'aw').render(clickhouseDialect).text, 'SELECT 1 FROM `events_rows` WHERE x IN (SELECT y FROM `aw`.`identities`)');
});
