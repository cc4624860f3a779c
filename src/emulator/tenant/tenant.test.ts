// The simulated tenant as a ContentSource: determinism, listing order and window chaining, duplicates,
// latency, frozen and live tenants, no-latency start-up, run-time injection.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, DAY, HOUR, MINUTE, Rng, formatApiTime, parseUtc } from '../../core/index.js';
import { createContentSource } from './index.js';
import { apiTime } from './records.js';
import { walkBlobs } from './tenant.testing.js';

const START = Date.UTC(2026, 2, 11, 10, 17, 30);

function small(extra: Partial<Parameters<typeof createContentSource>[0]> = {}) {
  return createContentSource({ seed: 7, days: 2, users: 30, tenants: 2, scenarios: [], live: false, startTime: START, ...extra });
}

test('the same seed gives byte-identical blobs; another seed gives different ones', () => {
  const a = small();
  const b = small();
  const c = small({ seed: 8 });
  assert.deepEqual(a.tenants(), b.tenants());
  const tenant = a.tenants()[1]!.tenantId;
  const wa = walkBlobs(a, tenant, START - 3 * DAY, START + DAY);
  const wb = walkBlobs(b, tenant, START - 3 * DAY, START + DAY);
  assert.ok(wa.length > 50);
  assert.equal(wa.length, wb.length);
  for (let i = 0; i < wa.length; i++) {
    assert.deepEqual(wa[i]!.meta, wb[i]!.meta);
    assert.equal(wa[i]!.body, wb[i]!.body);
  }
  assert.notEqual(c.tenants()[1]!.tenantId, tenant);
  assert.notDeepEqual(c.tenants()[0]!.clientSecret, a.tenants()[0]!.clientSecret);
  const wc = walkBlobs(c, c.tenants()[1]!.tenantId, START - 3 * DAY, START + DAY);
  assert.notEqual(wc.map((x) => x.body).join(''), wa.map((x) => x.body).join(''));
});

test('tenants have distinct ids, domains and credentials', () => {
  const src = createContentSource({ seed: 'x', days: 1, users: 5, tenants: 3, scenarios: [], live: false, startTime: START });
  const t = src.tenants();
  assert.deepEqual(t.map((x) => x.domain), ['contoso-1.onmicrosoft.com', 'contoso-2.onmicrosoft.com', 'contoso-3.onmicrosoft.com']);
  assert.equal(new Set(t.map((x) => x.tenantId)).size, 3);
  assert.equal(new Set(t.map((x) => x.clientSecret)).size, 3);
  for (const x of t) {
    assert.match(x.tenantId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(x.roles, ['ActivityFeed.Read', 'ActivityFeed.ReadDlp']);
  }
});

test('listing is in availability order, respects now, and windows chain without gaps or overlaps', () => {
  const src = small();
  const tenant = src.tenants()[0]!.tenantId;
  const now = START + 6 * HOUR;
  const whole = src.listBlobs(tenant, 'Audit.Exchange', START - 2 * DAY, START + 22 * HOUR, now);
  assert.ok(whole.length > 20);
  for (let i = 1; i < whole.length; i++) assert.ok(whole[i - 1]!.contentCreated < whole[i]!.contentCreated);
  assert.ok(whole.every((b) => b.contentCreated <= now && b.contentExpiration === b.contentCreated + 7 * DAY && b.recordCount > 0));
  const pieces = [];
  for (let t = START - 2 * DAY; t < START + 22 * HOUR; t += 37 * MINUTE) {
    pieces.push(...src.listBlobs(tenant, 'Audit.Exchange', t, Math.min(t + 37 * MINUTE, START + 22 * HOUR), now));
  }
  assert.deepEqual(pieces.map((b) => b.contentId), whole.map((b) => b.contentId));
  assert.equal(src.blobContent(tenant, 'not-a-content-id'), null);
  assert.equal(src.blobContent(src.tenants()[1]!.tenantId, whole[0]!.contentId), null, 'a blob belongs to its tenant');
  const body = src.blobContent(tenant, whole[3]!.contentId)!;
  assert.equal(JSON.parse(body.body).length, whole[3]!.recordCount);
});

test('duplicates appear in later blobs at the configured rate with identical content', () => {
  const src = small({ duplicateRate: 0.1 });
  const tenant = src.tenants()[0]!.tenantId;
  const seen = new Map<string, { text: string; created: number }>();
  let copies = 0;
  let unique = 0;
  for (const blob of walkBlobs(src, tenant, START - 3 * DAY, START + DAY)) {
    for (const r of blob.records) {
      const text = JSON.stringify(r);
      const first = seen.get(r.Id as string);
      if (first) {
        copies++;
        assert.equal(text, first.text, 'a duplicate carries the same content');
        assert.ok(blob.meta.contentCreated > first.created, 'a duplicate comes in a later blob');
      } else {
        unique++;
        seen.set(r.Id as string, { text, created: blob.meta.contentCreated });
      }
    }
  }
  const rate = copies / unique;
  assert.ok(unique > 1000, `enough records (${unique})`);
  assert.ok(rate > 0.07 && rate < 0.13, `duplicate rate ${rate}`);
});

test('production latency: most records 60–90 minutes after their event, none beyond 12 hours; blobs hold out-of-order events', () => {
  const src = small({ duplicateRate: 0 });
  const tenant = src.tenants()[0]!.tenantId;
  let inBand = 0;
  let total = 0;
  let unordered = 0;
  let olderLater = 0;
  let maxCreation = 0;
  const blobs = walkBlobs(src, tenant, START - 3 * DAY, START + DAY).sort((a, b) => a.meta.contentCreated - b.meta.contentCreated);
  for (const blob of blobs) {
    const times = blob.records.map((r) => parseUtc(r.CreationTime as string));
    for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) unordered++;
    for (const t of times) {
      const lag = blob.meta.contentCreated - t;
      assert.ok(lag >= 0 && lag <= 12 * HOUR + 5 * MINUTE, `lag ${lag / MINUTE} min`);
      if (lag >= 60 * MINUTE && lag <= 95 * MINUTE) inBand++;
      if (t < maxCreation) olderLater++;
      total++;
    }
    maxCreation = Math.max(maxCreation, ...times);
  }
  assert.ok(inBand / total > 0.75, `share in 60–90 min: ${inBand / total}`);
  assert.ok(inBand / total < 0.95, 'a tail exists');
  assert.ok(unordered > 0, 'events inside a blob are not in time order');
  assert.ok(olderLater > 0, 'a later blob holds older events');
});

test('a frozen tenant has no events at or after start-up; a live one continues as time passes', () => {
  const frozen = small({ latency: { kind: 'fixed', ms: 0 } });
  const live = small({ latency: { kind: 'fixed', ms: 0 }, live: true });
  const later = START + 2 * DAY;
  for (const [src, expectAfter] of [[frozen, false], [live, true]] as const) {
    const tenant = src.tenants()[0]!.tenantId;
    const times = walkBlobs(src, tenant, START - 3 * DAY, later).flatMap((b) => b.records.map((r) => parseUtc(r.CreationTime as string)));
    assert.ok(times.every((t) => t >= START - 2 * DAY));
    assert.equal(times.some((t) => t >= START), expectAfter);
    assert.ok(times.every((t) => t < later));
  }
});

test('with no latency every history record is available at start-up', () => {
  const src = small({ latency: { kind: 'fixed', ms: 0 } });
  const tenant = src.tenants()[0]!.tenantId;
  const atStart = walkBlobs(src, tenant, START - 3 * DAY, START);
  const muchLater = walkBlobs(src, tenant, START - 3 * DAY, START + 3 * DAY);
  assert.deepEqual(atStart.map((b) => b.meta.contentId), muchLater.map((b) => b.meta.contentId));
  const truth = src.groundTruth(START).available[tenant]!;
  const ids = new Set(atStart.flatMap((b) => b.records.map((r) => r.Id as string)));
  assert.equal(Object.values(truth).reduce((n, l) => n + l.length, 0), ids.size);
});

test('ground truth "available" follows now; run-time injection lands in later blobs', () => {
  const src = small();
  const tenant = src.tenants()[0]!;
  const early = src.groundTruth(START - DAY).available[tenant.tenantId]!;
  const now = src.groundTruth(START).available[tenant.tenantId]!;
  assert.ok(early['Audit.AzureActiveDirectory']!.length < now['Audit.AzureActiveDirectory']!.length);
  const entry = src.inject('brute-force', { tenantId: tenant.tenantId, intensity: 15 }, START + HOUR);
  assert.equal(entry.recordIds.length, 15);
  assert.equal(entry.label, 'attack');
  assert.equal(entry.tenantId, tenant.tenantId);
  const before = new Set(Object.values(src.groundTruth(START + HOUR).available[tenant.tenantId]!).flat());
  assert.ok(entry.recordIds.every((id) => !before.has(id)), 'not available before its latency');
  const after = new Set(Object.values(src.groundTruth(START + 14 * HOUR).available[tenant.tenantId]!).flat());
  assert.ok(entry.recordIds.every((id) => after.has(id)));
  const blobs = walkBlobs(src, tenant.tenantId, START - 3 * DAY, START + 14 * HOUR);
  const found = new Set(blobs.flatMap((b) => b.records.map((r) => r.Id as string)));
  assert.ok(entry.recordIds.every((id) => found.has(id)));
  assert.equal(src.groundTruth(START).scenarios.length, 1);
  assert.throws(() => src.inject('no-such-attack', {}, START), (e) => e instanceof AppError && /brute-force/.test(e.message));
  assert.throws(() => src.inject('brute-force', { victims: ['nobody@example.com'] }, START), AppError);
  assert.throws(() => src.inject('brute-force', { intensity: -3 }, START), AppError);
});

test('bad options are refused with a message naming the fix', () => {
  assert.throws(() => small({ days: 0 }), /days/);
  assert.throws(() => small({ users: 0 }), /users/);
  assert.throws(() => small({ scenarios: ['nope'] }), /Unknown scenario/);
  assert.throws(() => small({ latency: { kind: 'fixed', ms: -1 } }), /latency/i);
});

test('record times are written as the API writes them (no zone, no fraction)', () => {
  const rng = new Rng('times');
  for (let i = 0; i < 2000; i++) {
    const t = Math.floor(Date.UTC(2020, 0, 1) + rng.next() * 3000 * DAY);
    assert.equal(apiTime(t), formatApiTime(Math.floor(t / 1000) * 1000));
  }
});

test('a scenario injected into the past never changes a blob already listed', () => {
  const src = small({ latency: { kind: 'fixed', ms: 0 } });
  const tenant = src.tenants()[0]!.tenantId;
  const before = walkBlobs(src, tenant, START - 3 * DAY, START);
  const entry = src.inject('password-spray', { intensity: 5 }, START - DAY);
  const after = walkBlobs(src, tenant, START - 3 * DAY, START + HOUR);
  const old = new Map(after.map((b) => [b.meta.contentId, b.body]));
  for (const b of before) assert.equal(old.get(b.meta.contentId), b.body);
  const late = after.filter((b) => b.meta.contentCreated > START).flatMap((b) => b.records.map((r) => r.Id));
  assert.ok(entry.recordIds.every((id) => late.includes(id)), 'the injected records come in a new blob');
});
