// The detector against a real DuckDB file: sliding-span edges, out-of-order and late records, a span
// crossing the range boundary, evidence never raising a second hit, temporal correlations, identities.

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
import { learnIdentityFacts, resolvePerson } from './identities.js';
import { learnIdentities } from './learn.js';
import { createDetectionScheduler } from './schedule.js';
import { bruteForceRules, FAILED_SIGNIN_RULE, signInRecord } from './fixtures.testing.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const MIN = 60_000;
let dir: string;
let store: Store;
let tenantSeq = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-detect-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
});

after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const BURST = bruteForceRules();

function rules(text: string) {
  const p = parseRuleText(text, 'test.yml');
  assert.deepEqual(p.errors, []);
  return p.rules;
}

const failed = signInRecord;

async function ingest(tenant: string, rows: EventRow[], ingestedAt: number): Promise<void> {
  await store.importRecords({ tenantId: tenant, sourceId: 'import:test', rows, rejects: [], ingestedAt });
  await learnIdentities(store, rows, ingestedAt);
}

function tenant(): string {
  return `t${++tenantSeq}`;
}

function detector(text = BURST, sink?: { hits: DetectionHit[] }) {
  return createDetector({
    store,
    clock: new ManualClock(T0 + 24 * 60 * MIN),
    logger: silentLogger,
    rules: rules(text),
    ...(sink ? { sink: { ingest: async (h: DetectionHit[]) => void sink.hits.push(...h) } } : {}),
  });
}

const mine = (hits: DetectionHit[], t: string) => hits.filter((h) => h.tenantId === t);

test('exactly X events in exactly Y minutes fire; X-1 do not; X over Y plus one second do not', async () => {
  const [a, b, c] = [tenant(), tenant(), tenant()];
  const times = (n: number, last: number) => [...Array.from({ length: n - 1 }, (_, i) => T0 + i * 20_000), last];
  await ingest(a, times(10, T0 + 5 * MIN).map((t) => failed(a, t)), T0 + 60 * MIN);
  await ingest(b, times(9, T0 + 5 * MIN).map((t) => failed(b, t)), T0 + 60 * MIN);
  await ingest(c, times(10, T0 + 5 * MIN + 1000).map((t) => failed(c, t)), T0 + 60 * MIN);
  const hits = await detector().hunt({ from: T0 - 60 * MIN, to: T0 + 60 * MIN });
  const ha = mine(hits, a);
  assert.equal(ha.length, 1);
  assert.equal(ha[0]!.count, 10);
  assert.equal(ha[0]!.firstSeen, T0);
  assert.equal(ha[0]!.lastSeen, T0 + 5 * MIN);
  assert.equal(ha[0]!.groupKey, 'UserId=victim@contoso.com');
  assert.deepEqual(ha[0]!.entities, { users: ['victim@contoso.com'], ips: ['203.0.113.9'] });
  assert.equal(ha[0]!.severity, 'high');
  assert.deepEqual(mine(hits, b), []);
  assert.deepEqual(mine(hits, c), []);
});

test('events stored out of order are counted by event time', async () => {
  const t = tenant();
  const rows = Array.from({ length: 12 }, (_, i) => failed(t, T0 + i * 15_000)).reverse();
  await ingest(t, rows.slice(0, 6), T0 + 10 * MIN);
  await ingest(t, rows.slice(6), T0 + 11 * MIN);
  const hits = mine(await detector().hunt({ from: T0, to: T0 + 60 * MIN }), t);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.count, 12);
  assert.deepEqual(hits[0]!.evidence, [...rows].reverse().map((r) => r.id));
});

test('a record arriving hours late completes a burst once; a pass without new data fires nothing', async () => {
  const t = tenant();
  const sink = { hits: [] as DetectionHit[] };
  const det = detector(BURST, sink);
  // Everything stored before this test is already behind the watermark.
  await det.runIncremental();
  sink.hits.length = 0;
  await ingest(t, Array.from({ length: 9 }, (_, i) => failed(t, T0 + 2 * 60 * MIN + i * 10_000)), T0 + 3 * 60 * MIN);
  assert.deepEqual(mine(await det.runIncremental(), t), []);
  const late = failed(t, T0 + 2 * 60 * MIN + 4 * MIN);
  await ingest(t, [late], T0 + 9 * 60 * MIN);
  const first = mine(await det.runIncremental(), t);
  assert.equal(first.length, 1);
  assert.equal(first[0]!.count, 10);
  assert.ok(first[0]!.evidence.includes(late.id));
  assert.deepEqual(mine(sink.hits, t).length, 1);
  assert.deepEqual(mine(await det.runIncremental(), t), []);
  // The same evidence over a range: nothing new either.
  assert.deepEqual(mine(await det.run({ from: T0, to: T0 + 24 * 60 * MIN }), t), []);
  // One more late record in the same burst is new evidence: one hit again, same group key.
  await ingest(t, [failed(t, T0 + 2 * 60 * MIN + 30_000)], T0 + 10 * 60 * MIN);
  const again = mine(await det.runIncremental(), t);
  assert.equal(again.length, 1);
  assert.equal(again[0]!.count, 11);
  assert.equal(again[0]!.groupKey, first[0]!.groupKey);
  assert.equal(mine(sink.hits, t).length, 2);
});

test('a span crossing the range boundary fires with its evidence on both sides', async () => {
  const t = tenant();
  const base = T0 + 5 * 60 * MIN;
  const rows = Array.from({ length: 10 }, (_, i) => failed(t, base - 2 * MIN + i * 20_000));
  await ingest(t, rows, T0 + 6 * 60 * MIN);
  const hits = mine(await detector().hunt({ from: base, to: base + 60 * MIN }), t);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.firstSeen, base - 2 * MIN);
  assert.equal(hits[0]!.count, 10);
  // A burst entirely before the range is not reported for it.
  assert.deepEqual(mine(await detector().hunt({ from: base + 5 * MIN, to: base + 60 * MIN }), t), []);
});

test('run records evidence: the same evidence never raises a second hit', async () => {
  const t = tenant();
  const base = T0 + 7 * 60 * MIN;
  await ingest(t, Array.from({ length: 10 }, (_, i) => failed(t, base + i * 1000)), T0 + 8 * 60 * MIN);
  const det = detector(BURST.replace('id: burst', 'id: burst-run'));
  assert.equal(mine(await det.run({ from: base, to: base + MIN }), t).length, 1);
  assert.deepEqual(mine(await det.run({ from: base, to: base + MIN }), t), []);
  assert.deepEqual(mine(await det.run({ from: base - 60 * MIN, to: base + 60 * MIN }), t), []);
  // hunt ignores the state.
  assert.equal(mine(await det.hunt({ from: base, to: base + MIN }), t).length, 1);
});

test('temporal: all referenced rules within the span, per group', async () => {
  const rule = `title: spray then success
id: temporal
correlation:
  type: temporal
  rules: [fail, success]
  group-by: [UserId]
  timespan: 10m
---
title: fail
name: fail
logsource: {product: m365}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
---
title: success
name: success
logsource: {product: m365}
detection:
  s: {Operation: UserLoggedIn}
  condition: s
`;
  const t = tenant();
  const base = T0 + 12 * 60 * MIN;
  await ingest(
    t,
    [
      failed(t, base, 'a@contoso.com'),
      failed(t, base + 9 * MIN, 'a@contoso.com', { Operation: 'UserLoggedIn' }),
      failed(t, base, 'b@contoso.com'),
      failed(t, base + 11 * MIN, 'b@contoso.com', { Operation: 'UserLoggedIn' }),
    ],
    base + 60 * MIN,
  );
  const hits = mine(await detector(rule).hunt({ from: base - MIN, to: base + 60 * MIN }), t);
  assert.deepEqual(
    hits.map((h) => [h.groupKey, h.count]),
    [['UserId=a@contoso.com', 2]],
  );
});

test('a simple rule finds a late record once, by ingest time', async () => {
  const rule = `title: MFA disabled
id: mfa
logsource: {product: m365, service: audit}
detection:
  s: {Operation|contains: 'Disable Strong Authentication.'}
  condition: s
`;
  const t = tenant();
  const det = detector(rule);
  await det.runIncremental();
  const late = failed(t, T0 - 20 * 60 * MIN, 'admin@contoso.com', { RecordType: 8, Operation: 'Disable Strong Authentication.' });
  await ingest(t, [late], T0 + 20 * 60 * MIN);
  const hits = mine(await det.runIncremental(), t);
  assert.deepEqual(hits.map((h) => [h.ruleId, h.groupKey, h.evidence]), [['mfa', 'UserId=admin@contoso.com', [late.id]]]);
  assert.deepEqual(mine(await det.runIncremental(), t), []);
});

test('identities: learning is idempotent; a display name shared by two people resolves to no one', async () => {
  const t = tenant();
  const facts = [
    { tenantId: t, a: { kind: 'upn' as const, value: 'adele@contoso.com' }, b: { kind: 'objectId' as const, value: '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' } },
    { tenantId: t, a: { kind: 'upn' as const, value: 'adele@contoso.com' }, b: { kind: 'alias' as const, value: 'adelev' } },
    { tenantId: t, a: { kind: 'upn' as const, value: 'adele@contoso.com' }, b: { kind: 'displayName' as const, value: 'Sam Lee' } },
    { tenantId: t, a: { kind: 'puid' as const, value: '10032000a1b2c3d4' }, b: { kind: 'alias' as const, value: 'ADELEV' } },
  ];
  assert.ok((await learnIdentityFacts(store, facts, T0)) > 0);
  assert.equal(await learnIdentityFacts(store, facts, T0), 0);
  const person = await resolvePerson(store, t, 'Adele@Contoso.com');
  assert.ok(person);
  assert.equal(await resolvePerson(store, t, '10032000A1B2C3D4'), person);
  assert.equal(await resolvePerson(store, t, 'sam lee'), person);
  await learnIdentityFacts(store, [{ tenantId: t, a: { kind: 'upn', value: 'sam@contoso.com' }, b: { kind: 'displayName', value: 'Sam Lee' } }], T0);
  assert.equal(await resolvePerson(store, t, 'Sam Lee'), null);
  assert.equal(await resolvePerson(store, t, 'adelev'), person);
  // Another tenant knows nothing of these people.
  assert.equal(await resolvePerson(store, tenant(), 'adelev'), null);
});

test('the scheduler learns identities from new records, then detects; wakes coalesce', async () => {
  const rule = `title: self grant
id: self-grant
logsource: {product: m365, service: exchange}
detection:
  s:
    Operation: Add-MailboxPermission
    Parameters.User|sameperson: UserId
  condition: s
`;
  const t = tenant();
  const det = detector(rule);
  const scheduler = createDetectionScheduler({ store, detector: det, clock: new ManualClock(T0), logger: silentLogger });
  await scheduler.runNow();
  const rows = [
    failed(t, T0 + 30 * 60 * MIN, 'adele@contoso.com', { Operation: 'UserLoggedIn', Actor: [{ Type: 0, ID: '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }, { Type: 5, ID: 'adele@contoso.com' }] }),
    failed(t, T0 + 31 * 60 * MIN, 'adele@contoso.com', { RecordType: 1, Workload: 'Exchange', Operation: 'Add-MailboxPermission', Parameters: [{ Name: 'Identity', Value: 'ceo@contoso.com' }, { Name: 'User', Value: '4F1C2D3E-5A6B-4C7D-8E9F-0A1B2C3D4E5F' }] }),
    failed(t, T0 + 32 * 60 * MIN, 'adele@contoso.com', { RecordType: 1, Workload: 'Exchange', Operation: 'Add-MailboxPermission', Parameters: [{ Name: 'Identity', Value: 'ceo@contoso.com' }, { Name: 'User', Value: 'bob@contoso.com' }] }),
  ];
  // Stored without learning: the scheduler's pass learns from what was ingested since the last one.
  await store.importRecords({ tenantId: t, sourceId: 'import:test', rows, rejects: [], ingestedAt: T0 + 40 * 60 * MIN });
  scheduler.wake();
  scheduler.wake();
  await scheduler.idle();
  const hits = mine(await det.hunt({ from: T0, to: T0 + 60 * 60 * MIN }), t);
  assert.deepEqual(hits.map((h) => h.evidence), [[rows[1]!.id]]);
  assert.deepEqual(mine(await scheduler.runNow(), t), []);
});

test('a busy island shows the first 20 values of an entity kind, as from every row, whatever the characters sort as', async () => {
  const t = tenant();
  // 19 users before both odd ones, then 'a' + U+FFFD (before the emoji by code point, after it in UTF-16),
  // 'a' + an emoji (a surrogate pair), and ten more after: 31 users failing from one IP.
  const users = [...Array.from({ length: 19 }, (_, i) => `a${String(i).padStart(2, '0')}@contoso.com`), 'a\uFFFD@contoso.com', 'a\u{1F600}@contoso.com', ...Array.from({ length: 10 }, (_, i) => `b${i}@contoso.com`)];
  await ingest(t, users.map((u, i) => failed(t, T0 + i * 1000, u, { ClientIP: '198.51.100.7' })), T0 + 60 * MIN);
  const spray = `title: Spray
id: spray-entities
correlation:
  type: value_count
  rules: [failed]
  group-by: [ClientIP]
  timespan: 10m
  condition: {gte: 25, field: UserId}
level: high
---
${FAILED_SIGNIN_RULE}`;
  const hits = mine(await detector(spray).hunt({ from: T0 - 60 * MIN, to: T0 + 60 * MIN }), t);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.count, 31);
  // The query returns at most 20 of a kind per island, plus those whose order may differ: the hit shows
  // exactly what JavaScript's sort of all 31 gives.
  assert.deepEqual(hits[0]!.entities.users, [...users].sort().slice(0, 20));
  assert.ok(hits[0]!.entities.users!.includes('a\u{1F600}@contoso.com'));
  assert.ok(!hits[0]!.entities.users!.includes('a\uFFFD@contoso.com'));
});
