// The detector on chained and ordered correlations and on the one-scan path for detection rules, against
// a real DuckDB file: a chained temporal_ordered rule fires only when the burst comes first, fires on an
// incremental pass when late failures complete the burst, and never twice for the same evidence; rules
// evaluated together in one scan keep their own hits; operations stored in any letter case match,
// including a spelling first seen after the detector started.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock, silentLogger } from '../../core/index.js';
import type { EventRow } from '../../records/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import { parseRuleText } from '../sigma/parse.js';
import type { DetectionHit } from '../types.js';
import { createDetector } from './detector.js';
import { signInRecord } from './fixtures.testing.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const MIN = 60_000;
let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-chain-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
});

after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const record = signInRecord;
const success = (tenant: string, at: number, user: string) => record(tenant, at, user, { Operation: 'UserLoggedIn', ErrorNumber: '0' });

async function ingest(tenant: string, rows: EventRow[], ingestedAt: number): Promise<void> {
  await store.importRecords({ tenantId: tenant, sourceId: 'import:test', rows, rejects: [], ingestedAt });
}

function detector(text: string) {
  const parsed = parseRuleText(text, 'test.yml');
  assert.deepEqual(parsed.errors, []);
  return createDetector({ store, clock: new ManualClock(T0 + 24 * 60 * MIN), logger: silentLogger, rules: parsed.rules });
}

const ORDERED = `title: success after a burst
id: ordered-chain
correlation:
  type: temporal_ordered
  rules: [burst_ip, success]
  group-by: [UserId, ClientIP]
  timespan: 30m
---
title: burst from one IP
id: burst-ip
name: burst_ip
correlation:
  type: event_count
  rules: [fail]
  group-by: [UserId, ClientIP]
  timespan: 10m
  condition: {gte: 5}
---
title: fail
name: fail
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
---
title: success
name: success
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoggedIn}
  condition: s
`;

const mine = (hits: DetectionHit[], t: string) => hits.filter((h) => h.tenantId === t);

test('temporal_ordered over a chained correlation: the burst must come before the success', async () => {
  const t = 'ordered';
  const before = Array.from({ length: 5 }, (_, i) => record(t, T0 + i * MIN, 'a@contoso.com'));
  const after = Array.from({ length: 5 }, (_, i) => record(t, T0 + (i + 1) * MIN, 'b@contoso.com'));
  await ingest(t, [...before, success(t, T0 + 20 * MIN, 'a@contoso.com'), success(t, T0, 'b@contoso.com'), ...after], T0 + 60 * MIN);
  const hits = mine(await detector(ORDERED).hunt({ from: T0 - 60 * MIN, to: T0 + 120 * MIN }), t);
  assert.deepEqual(
    hits.map((h) => [h.ruleId, h.groupKey, h.count]),
    [['ordered-chain', 'UserId=a@contoso.com|ClientIP=203.0.113.9', 6]],
  );
  // The referenced burst raises nothing of its own (Sigma: generate defaults to false).
  assert.equal(detector(ORDERED).rules.find((r) => r.rule.id === 'burst-ip')?.kind, 'correlation');
});

test('a chained correlation fires on an incremental pass when late failures complete the burst, once', async () => {
  const t = 'late';
  const det = detector(ORDERED);
  await ingest(t, [record(t, T0, 'c@contoso.com'), record(t, T0 + MIN, 'c@contoso.com'), success(t, T0 + 20 * MIN, 'c@contoso.com')], T0 + 60 * MIN);
  assert.deepEqual(mine(await det.runIncremental(), t), []);
  // Three failures that happened before the success arrive hours later.
  await ingest(t, [2, 3, 4].map((m) => record(t, T0 + m * MIN, 'c@contoso.com')), T0 + 5 * 60 * MIN);
  const hits = mine(await det.runIncremental(), t);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.count, 6);
  assert.equal(hits[0]!.lastSeen, T0 + 20 * MIN);
  // Nothing new: the same evidence never raises a second hit, on a later pass or over the range.
  await ingest(t, [record(t, T0 + 23 * 60 * MIN, 'other@contoso.com')], T0 + 6 * 60 * MIN);
  assert.deepEqual(mine(await det.runIncremental(), t), []);
  assert.deepEqual(mine(await det.run({ from: T0 - 60 * MIN, to: T0 + 120 * MIN }), t), []);
});

const SIMPLE = `title: failed exact
id: one-scan-failed
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
---
title: mfa off
id: one-scan-mfa
logsource: {product: m365, service: audit}
detection:
  s: {Operation|contains: 'disable strong'}
  condition: s
---
title: never
id: one-scan-never
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: NoSuchOperation}
  condition: s
`;

test('rules scanned together keep their own hits; operations match in any letter case, even a new spelling', async () => {
  const t = 'cases';
  const det = detector(SIMPLE);
  await ingest(t, [record(t, T0, 'd@contoso.com'), record(t, T0 + MIN, 'e@contoso.com', { RecordType: 8, Operation: 'Disable Strong Authentication.' })], T0 + 7 * 60 * MIN);
  const first = mine(await det.runIncremental(), t);
  assert.deepEqual(first.map((h) => h.ruleId).sort(), ['one-scan-failed', 'one-scan-mfa']);
  // A spelling of the operation the detector has not seen yet (ingest times stay above the earlier
  // tests' in this shared store: the incremental watermark is the newest ingest time).
  await ingest(t, [record(t, T0 + 2 * MIN, 'f@contoso.com', { Operation: 'USERLOGINFAILED' })], T0 + 8 * 60 * MIN);
  const second = mine(await det.runIncremental(), t);
  assert.deepEqual(
    second.map((h) => [h.ruleId, h.entities.users]),
    [['one-scan-failed', ['f@contoso.com']]],
  );
  const hunted = mine(await detector(SIMPLE).hunt({ from: T0 - MIN, to: T0 + 60 * MIN }), t);
  assert.deepEqual(hunted.map((h) => h.ruleId).sort(), ['one-scan-failed', 'one-scan-failed', 'one-scan-mfa']);
});
