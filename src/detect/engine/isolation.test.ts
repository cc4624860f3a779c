// Rule isolation in the detector, on a real DuckDB file: a rule that does not compile for the store's
// dialect, or whose query fails when it runs, is skipped and reported with file:line in failures();
// every other rule runs, and the failed rule's watermark stays where it was so it misses nothing later.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock, silentLogger } from '../../core/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { createDetector } from './detector.js';
import { bruteForceRules, signInRecord } from './fixtures.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-isolation-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
  const rows = Array.from({ length: 10 }, (_, i) => signInRecord('t1', T0 + i * 10_000));
  await store.importRecords({ tenantId: 't1', sourceId: 'import:test', rows, rejects: [], ingestedAt: T0 + 60_000 });
});

after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

// The look-behind is valid in JavaScript (so the rule loads) but DuckDB's RE2 refuses it when it runs.
const RULES = `${bruteForceRules('brute', 'Brute force')}---
title: Failed sign-in, one rule
id: single
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
level: low
---
title: Breaks when it runs
id: breaks
logsource: {product: m365, service: azuread}
detection:
  s:
    UserId|re: '(?<=x)y'
  condition: s
level: low
`;

test('a rule whose query fails is skipped with file:line, the others alert, and its watermark stays', async () => {
  const parsed = parseRuleText(RULES, 'rules/user.yml');
  assert.deepEqual(parsed.errors, []);
  const det = createDetector({ store, clock: new ManualClock(T0 + 3_600_000), logger: silentLogger, rules: parsed.rules });
  const hits = await det.hunt({ from: T0 - 3_600_000, to: T0 + 3_600_000 });
  assert.deepEqual([...new Set(hits.map((h) => h.ruleId))].sort(), ['brute', 'single']);
  const failures = det.failures();
  assert.equal(failures.length, 1);
  assert.equal(failures[0]!.ruleId, 'breaks');
  assert.equal(failures[0]!.stage, 'run');
  assert.match(failures[0]!.location, /^rules\/user\.yml:\d+$/);
  assert.ok(failures[0]!.message.length > 0);

  const incremental = await det.runIncremental();
  assert.ok(incremental.some((h) => h.ruleId === 'brute'));
  const marks = await store.state.detection.watermarks();
  assert.ok(marks.has('brute') && marks.has('single'), 'the rules that ran advanced');
  assert.equal(marks.has('breaks'), false, 'the failed rule keeps its watermark (none yet)');
  assert.deepEqual(det.failures().map((f) => f.ruleId), ['breaks'], 'reported until it runs again');
});

test('a rule that does not compile is skipped with file:line, the others are created and run', async () => {
  // A correlation whose rule reference is missing from the set given to the detector does not compile.
  const parsed = parseRuleText(RULES, 'rules/user.yml');
  const rules = parsed.rules.filter((r) => r.id !== 'breaks' && r.name !== 'failed');
  const det = createDetector({ store, clock: new ManualClock(T0 + 3_600_000), logger: silentLogger, rules });
  assert.deepEqual(det.failures().map((f) => [f.ruleId, f.stage]), [['brute', 'compile']]);
  assert.match(det.failures()[0]!.location, /^rules\/user\.yml:1$/);
  const hits = await det.hunt({ from: T0 - 3_600_000, to: T0 + 3_600_000 });
  assert.deepEqual([...new Set(hits.map((h) => h.ruleId))], ['single']);
});
