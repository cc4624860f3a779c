// The rule pack and its tests: every built-in rule loads and passes its own test records through the
// real normaliser, store and detector; a wrong expectation fails; a broken rule file is reported with
// its line and field while the good rules still load.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtinRulesDir, loadRules } from './load.js';
import { readRuleTests, runRuleTests, testFileFor, type RuleTestFile } from './ruletest.js';

test('every built-in rule loads and passes its own tests', async () => {
  const loaded = await loadRules([builtinRulesDir()]);
  assert.deepEqual(loaded.errors.map((e) => e.display()), []);
  assert.ok(loaded.rules.length >= 5);
  const files: RuleTestFile[] = [];
  for (const f of loaded.files) {
    const tests = testFileFor(f);
    if (existsSync(tests)) files.push(readRuleTests(tests, tests, loaded.rules.filter((r) => f.endsWith(r.file))));
  }
  assert.ok(files.length >= 5);
  const results = await runRuleTests(files, loaded.rules);
  assert.deepEqual(results.filter((r) => !r.passed), []);
  assert.ok(results.filter((r) => r.name.includes('colleague')).length >= 1);
});

test('a wrong expectation fails with the reason; a broken rule is reported with file, line and field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aw-rules-'));
  try {
    await writeFile(
      join(dir, 'ok.yml'),
      `title: Inbox rule\nid: ok-1\nlogsource: {product: m365, service: exchange}\ndetection:\n  s: {Operation: New-InboxRule}\n  condition: s\n`,
    );
    await writeFile(
      join(dir, 'ok.tests.yml'),
      `defaults: {RecordType: 1, Workload: Exchange, OrganizationId: b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd, UserId: a@contoso.com}\ntests:\n  - name: wrongly expected silence\n    expect: no-match\n    records:\n      - {CreationTime: '2026-03-02T10:00:00', Operation: New-InboxRule}\n  - name: right\n    expect: match\n    hits: 1\n    records:\n      - {CreationTime: '2026-03-02T10:00:00', Operation: new-inboxrule}\n`,
    );
    await writeFile(join(dir, 'bad.yml'), `title: Bad\nid: bad-1\nlogsource: {product: m365}\ndetection:\n  s:\n    Operation: x\n    Parameters.User|sameperson: UserIdd\n  condition: s\n`);
    const loaded = await loadRules([dir]);
    assert.deepEqual(loaded.rules.map((r) => r.id), ['ok-1']);
    assert.equal(loaded.errors.length, 1);
    assert.equal(loaded.errors[0]!.location?.line, 7);
    assert.equal(loaded.errors[0]!.location?.column, 5);
    assert.match(loaded.errors[0]!.message, /^detection\.s\.Parameters\.User\|sameperson: UserIdd: unknown field "UserIdd"/);
    const tf = readRuleTests(join(dir, 'ok.tests.yml'), 'ok.tests.yml', loaded.rules);
    const results = await runRuleTests([tf], loaded.rules);
    assert.deepEqual(
      results.map((r) => [r.name, r.passed, r.detail.replace(/\(evidence .*\)/, '(evidence …)')]),
      [
        ['wrongly expected silence', false, 'expected no hit, got 1 (evidence …)'],
        ['right', true, '1 hit(s)'],
      ],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
