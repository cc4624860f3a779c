// The built-in pack as a product: its size and metadata (UUID ids, ATT&CK tags, severity, false
// positives), positive and negative tests for every alerting rule, all passing through the engine's
// rule-test path; chaining (success after failures) found once by the incremental pass; mistakes in
// the pack's extensions reported with line and field; and eval's scoring on hand-made ground truth.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ManualClock, silentLogger } from '../../core/index.js';
import { normalize, type EventRow } from '../../records/index.js';
import { openDuckDbStore } from '../../store/index.js';
import { createDetector } from '../engine/detector.js';
import { builtinRulesDir, loadRules } from '../engine/load.js';
import { readRuleTests, runRuleTests, testFileFor, type RuleTestFile } from '../engine/ruletest.js';
import type { DetectionHit } from '../types.js';
import { score } from './evaluate.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('the built-in pack: 35+ alerting rules with metadata, each with positive and negative tests, all passing', async () => {
  const loaded = await loadRules([builtinRulesDir()]);
  assert.deepEqual(loaded.errors.map((e) => e.display()), []);
  const files: RuleTestFile[] = [];
  let alerting = 0;
  for (const file of loaded.files) {
    const ofFile = loaded.rules.filter((r) => file.endsWith(r.file));
    // Alerting rules: correlations, and detection rules no correlation counts silently.
    const fed = new Set(loaded.rules.flatMap((r) => (r.kind === 'correlation' ? r.rules : [])));
    const alerts = ofFile.filter((r) => r.kind === 'correlation' ? !(r.name && fed.has(r.name)) : !(r.name && fed.has(r.name)) && !fed.has(r.id));
    for (const r of alerts) {
      const where = `${r.file} ${r.title}`;
      if (!r.file.includes('sigmahq_')) assert.match(r.id, UUID, where);
      assert.ok(r.title.length > 10 && (r.description ?? '').length > 20, where);
      assert.ok(r.tags.some((t) => /^attack\.t\d{4}/.test(t)) || r.tags.includes('attack.initial_access'), `${where}: ATT&CK technique tag`);
      assert.ok(r.falsepositives.length > 0, `${where}: falsepositives`);
      // Informational only for the relay of Microsoft's own informational alerts (every severity is relayed).
      const levels = r.file.includes('aw_builtin_alert_') ? ['informational', 'low', 'medium', 'high', 'critical'] : ['low', 'medium', 'high', 'critical'];
      assert.ok(levels.includes(r.level), where);
    }
    alerting += alerts.length;
    const tests = testFileFor(file);
    assert.ok(existsSync(tests), `${file} has tests beside it`);
    const tf = readRuleTests(tests, tests, ofFile);
    assert.ok(tf.cases.some((c) => c.expect === 'match') && tf.cases.some((c) => c.expect === 'no-match'), `${tests}: positive and negative cases`);
    const raw = parse(readFileSync(file, 'utf8').split(/^---$/m)[0]!) as { id?: string };
    assert.ok(raw.id, `${file}: the first rule has an id`);
    files.push(tf);
  }
  assert.ok(alerting >= 35, `${alerting} alerting rules`);
  const results = await runRuleTests(files, loaded.rules);
  assert.deepEqual(results.filter((r) => !r.passed), []);
  assert.ok(results.length >= 2 * files.length);
});

function rows(tenantId: string, records: Record<string, unknown>[]): EventRow[] {
  return records.map((r, i) => {
    const res = normalize({ Id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, OrganizationId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd', RecordType: 15, Workload: 'AzureActiveDirectory', UserType: 0, UserKey: 'k', UserId: 'victim@contoso.com', ClientIP: '198.51.100.23', ...r }, { tenantId, contentType: null, sourceId: 'import:test' });
    assert.ok(res.ok);
    return res.row;
  });
}

test('chaining: a success after a burst of failures is found once by the incremental pass; the inner burst raises nothing of its own', async () => {
  const loaded = await loadRules([builtinRulesDir()]);
  const store = await openDuckDbStore({ path: ':memory:' });
  try {
    await store.migrate();
    const t0 = Date.UTC(2026, 2, 2, 3, 0, 0);
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    const failures = Array.from({ length: 6 }, (_, i) => ({ CreationTime: fmt(t0 + i * 20_000), Operation: 'UserLoginFailed', ErrorNumber: '50126', ResultStatus: 'Success' }));
    const clock = new ManualClock(t0 + 3_600_000);
    const detector = createDetector({ store, clock, logger: silentLogger, rules: loaded.rules });
    await store.importRecords({ tenantId: 't-chain', sourceId: 'import:test', rows: rows('t-chain', failures), rejects: [], ingestedAt: t0 + 3_600_000 });
    const first = await detector.runIncremental();
    assert.deepEqual(first.filter((h) => h.ruleId === 'a19342ac-148e-4d28-a034-2dc21d496826'), []);
    // The success arrives an hour late, in a batch of its own.
    const success = rows('t-chain', [{ CreationTime: fmt(t0 + 150_000), Operation: 'UserLoggedIn', ErrorNumber: '0', ResultStatus: 'Succeeded' }]).map((r) => ({ ...r, id: '00000000-0000-4000-8000-00000000abcd' }));
    await store.importRecords({ tenantId: 't-chain', sourceId: 'import:test', rows: success, rejects: [], ingestedAt: t0 + 7_200_000 });
    const second: DetectionHit[] = await detector.runIncremental();
    const found = second.filter((h) => h.ruleId === 'a19342ac-148e-4d28-a034-2dc21d496826');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.count, 7);
    assert.ok(found[0]!.evidence.includes('00000000-0000-4000-8000-00000000abcd'));
    assert.deepEqual(second.filter((h) => h.ruleId === '245170ac-8ae0-4fc0-bc1e-d09ab354f9aa'), [], 'the inner correlation is silenced');
    assert.deepEqual(await detector.runIncremental(), []);
  } finally {
    await store.close();
  }
});

test('mistakes in the extensions are reported with line, column and field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aw-pack-'));
  try {
    await writeFile(
      join(dir, 'fwd.yml'),
      `title: Forward\nid: fwd-1\nlogsource: {product: m365, service: exchange}\ndetection:\n  s:\n    Operation: New-InboxRule\n    Parameters.ForwardTo|samedomain: UserIdd\n  condition: s\n`,
    );
    await writeFile(
      join(dir, 'chain.yml'),
      `title: Outer\nid: outer-1\ncorrelation:\n  type: temporal\n  rules: [middle, s]\n  group-by: [UserId]\n  timespan: 10m\n---\ntitle: Middle\nid: middle-1\nname: middle\ncorrelation:\n  type: temporal\n  rules: [inner, s]\n  group-by: [UserId]\n  timespan: 10m\n---\ntitle: Inner\nid: inner-1\nname: inner\ncorrelation:\n  type: event_count\n  rules: [s]\n  group-by: [UserId]\n  timespan: 5m\n  condition: {gte: 3}\n---\ntitle: S\nid: s-1\nname: s\nlogsource: {product: m365}\ndetection:\n  x: {Operation: UserLoginFailed}\n  condition: x\n`,
    );
    const loaded = await loadRules([dir]);
    const shown = loaded.errors.map((e) => `${e.location?.file?.replace(/^.*[\\/]/, '')}:${e.location?.line}: ${e.message}`);
    assert.ok(shown.some((m) => /^fwd\.yml:7: detection\.s\.Parameters\.ForwardTo\|samedomain: UserIdd: unknown field "UserIdd"/.test(m)), shown.join('\n'));
    assert.ok(shown.some((m) => /^chain\.yml:5: correlation\.rules: "middle" chains another correlation itself; chain one level only/.test(m)), shown.join('\n'));
    assert.deepEqual(loaded.rules.map((r) => r.id).sort(), ['inner-1', 'middle-1', 's-1']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('scoring: found, coverage, recall, precision and false positives by reason', () => {
  const truth = [
    { name: 'brute-force', label: 'attack' as const, tenantId: 't', actors: [], victims: [], start: '', end: '', recordIds: ['a1', 'a2'] },
    { name: 'mfa-disabled', label: 'attack' as const, tenantId: 't', actors: [], victims: [], start: '', end: '', recordIds: ['m1'] },
    { name: 'password-typo', label: 'benign' as const, tenantId: 't', actors: [], victims: [], start: '', end: '', recordIds: ['b1'] },
  ];
  const hit = (ruleId: string, evidence: string[]): DetectionHit => ({ ruleId, title: ruleId, severity: 'high', tags: [], tenantId: 't', groupKey: '*', entities: {}, firstSeen: 0, lastSeen: 0, count: evidence.length, evidence });
  const r = score(truth, [hit('burst', ['A1', 'x9']), hit('typo', ['b1']), hit('noise', ['z1'])], new Set(['t\u0000a1', 't\u0000a2', 't\u0000m1', 't\u0000b1']));
  assert.deepEqual(r.scenarios.map((s) => [s.name, s.found, s.coverage, s.rules]), [
    ['brute-force', true, 0.5, ['burst']],
    ['mfa-disabled', false, 0, []],
    ['password-typo', true, 1, ['typo']],
  ]);
  assert.equal(r.recall, 0.5);
  assert.equal(Math.round(r.precision * 1000), 333);
  assert.deepEqual(r.falsePositives.map((f) => [f.rule, f.reason, f.scenario]), [['typo', 'benign', 'password-typo'], ['noise', 'baseline', null]]);
});
