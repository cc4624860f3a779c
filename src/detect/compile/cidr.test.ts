// |cidr with IPv6 networks: the SQL that turns any spelling of an IPv6 address into its 32 hex digits,
// run on DuckDB against the JavaScript reference, and whole rules over normalised records.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ipv6ToHex } from '../../records/index.js';
import { openDuckDbStore, raw, sql } from '../../store/index.js';
import { loadRules } from '../engine/load.js';
import { readRuleTests, runRuleTests } from '../engine/ruletest.js';
import { parseRuleText } from '../sigma/parse.js';
import { clickhouseDetect, duckdbDetect } from './dialects.js';
import { compileRules } from './index.js';

test('DuckDB expands every spelling of an IPv6 address like the reference, and refuses what is not one', async () => {
  const valid = ['2001:db8::1', '::', '::1', '1::', '2001:DB8:0:0:0:0:0:1', '2001:0db8:0000:0000:0000:ff00:0042:8329', 'fe80::1:2', 'a:b:c:d:e:f:1:2', '1:2:3::6:7:8'];
  const invalid = ['10.0.0.1', 'abc', '1:2', '::1::2', '12345::1', 'g::1', '1:2:3:4:5:6:7:8:9', '', ':::', '1:2:3:4::5:6:7:8', ':1::2', '1::2:', '1:2:3:4:5:6:7:', 'fe80::1%eth0'];
  const store = await openDuckDbStore({ path: ':memory:' });
  try {
    for (const text of [...valid, ...invalid]) {
      const rows = await store.query<{ h: string | null }>(sql`SELECT ${duckdbDetect.ipv6Hex(sql`x`)} AS h FROM (SELECT ${text} AS x)`);
      const expected = valid.includes(text) ? ipv6ToHex(text) : null;
      assert.ok(!valid.includes(text) || expected !== null, `the reference knows ${text}`);
      assert.equal(rows[0]?.h, expected, text);
    }
  } finally {
    await store.close();
  }
  // The ClickHouse form uses the server's own parser.
  assert.match(clickhouseDetect.ipv6Hex(raw('x')).render(clickhouseDetect.base).text, /lower\(hex\(IPv6StringToNum\(x\)\)\)/);
});

test('|cidr with an IPv6 network matches addresses inside it whatever their spelling, and nothing else', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aw-cidr6-'));
  try {
    await writeFile(
      join(dir, 'v6.yml'),
      `title: From the lab network\nid: v6-1\nlogsource: {product: m365, service: audit}\ndetection:\n  lab:\n    ClientIP|cidr: ['2001:db8::/33', 'fd00::/8']\n  condition: lab\n`,
    );
    const record = (ip: string, n: number) => `      - {CreationTime: '2026-03-02T10:00:0${n}', ClientIP: '${ip}'}`;
    const inside = ['2001:db8::1', '2001:DB8:7fff::5', '[2001:db8:0:1::9]:443', '2001:0db8:0000:0000:0000:0000:0000:0001', 'fd12:3456::1'];
    const outside = ['2001:db8:8000::1', '2001:db9::1', '10.0.0.1', 'fe80::1', '::ffff:10.0.0.1'];
    const cases = [
      ...inside.map((ip, i) => `  - name: inside ${ip}\n    expect: match\n    hits: 1\n    records:\n${record(ip, i)}`),
      ...outside.map((ip, i) => `  - name: outside ${ip}\n    expect: no-match\n    records:\n${record(ip, i)}`),
    ];
    await writeFile(
      join(dir, 'v6.tests.yml'),
      `defaults: {RecordType: 15, Workload: AzureActiveDirectory, Operation: UserLoggedIn, OrganizationId: b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd, UserId: a@contoso.com}\ntests:\n${cases.join('\n')}\n`,
    );
    const loaded = await loadRules([dir]);
    assert.deepEqual(loaded.errors.map((e) => e.display()), []);
    const results = await runRuleTests([readRuleTests(join(dir, 'v6.tests.yml'), 'v6.tests.yml', loaded.rules)], loaded.rules);
    assert.equal(results.length, inside.length + outside.length);
    assert.deepEqual(results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.detail}`), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an IPv6 network with a zone is refused with its place, not compiled into a match-all', () => {
  const { rules, errors } = parseRuleText(`title: t\nid: z1\nlogsource: {product: m365, service: audit}\ndetection:\n  s:\n    ClientIP|cidr: 'fe80::1%eth0/64'\n  condition: s\n`, 'z.yml');
  assert.deepEqual(errors, []);
  const c = compileRules(rules, duckdbDetect);
  assert.equal(c.compiled.length, 0);
  assert.match(c.errors.map((e) => e.display()).join('\n'), /z\.yml:6:5: .*"fe80::1%eth0" is not an IPv6 network address; write it like 2001:db8::\/32/);
});
