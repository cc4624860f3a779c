// The demo's live tenant is active around the clock: with the options the demo uses, every 30-second
// cycle finds new records — on a weekday afternoon, at night and on a Sunday night alike — as a client
// of the emulator's API sees them (the blobs published in each cycle).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOUR } from '../core/index.js';
import { createContentSource } from '../emulator/index.js';
import { CONTENT_TYPES } from '../records/index.js';
import { demoSourceOptions } from './demo-steps.js';

const CYCLE = 30_000;

for (const [label, started] of [
  ['a weekday afternoon', Date.UTC(2026, 2, 4, 14, 0, 7)],
  ['a weekday night', Date.UTC(2026, 2, 4, 2, 13, 41)],
  ['a Sunday night', Date.UTC(2026, 2, 8, 3, 30, 0)],
] as const) {
  test(`the demo's live tenant has records in every 30-second cycle: ${label}`, () => {
    const source = createContentSource(demoSourceOptions({ users: 60, days: 1, started, live: true }));
    const tenantId = source.tenants()[0]!.tenantId;
    // Two simulated hours of cycles; each cycle lists what was published since the last one.
    const counts: number[] = [];
    for (let t = started; t < started + 2 * HOUR; t += CYCLE) {
      let n = 0;
      for (const ct of CONTENT_TYPES) for (const b of source.listBlobs(tenantId, ct, t + 1, t + CYCLE + 1, t + CYCLE)) n += b.recordCount;
      counts.push(n);
    }
    assert.equal(counts.length, 240);
    assert.ok(counts.every((n) => n > 0), `cycles without records: ${counts.filter((n) => n === 0).length}`);
    // The blobs hold what the listing says (fetched, parsed).
    const last = CONTENT_TYPES.flatMap((ct) => source.listBlobs(tenantId, ct, started + 2 * HOUR - CYCLE, started + 2 * HOUR, started + 2 * HOUR));
    const records = last.flatMap((b) => JSON.parse(source.blobContent(tenantId, b.contentId)!.body) as unknown[]);
    assert.ok(records.length > 0);
  });
}

test('the history is the same with and without the around-the-clock activity', () => {
  const started = Date.UTC(2026, 2, 4, 2, 13, 41);
  const live = createContentSource(demoSourceOptions({ users: 20, days: 1, started, live: true }));
  const plain = createContentSource({ ...demoSourceOptions({ users: 20, days: 1, started, live: true }), floorPerMinute: 0 });
  const ids = (s: typeof live) => Object.values(s.groundTruth(started).available[s.tenants()[0]!.tenantId]!).flat().sort();
  assert.deepEqual(ids(live), ids(plain));
  const later = started + HOUR;
  const count = (s: typeof live) => Object.values(s.groundTruth(later).available[s.tenants()[0]!.tenantId]!).flat().length;
  assert.ok(count(live) > count(plain) + 200, 'an hour of night adds the night shift (4 a minute)');
  assert.throws(() => createContentSource({ ...demoSourceOptions({ users: 20, days: 1, started, live: true }), floorPerMinute: 0.5 }), /floorPerMinute/);
});
