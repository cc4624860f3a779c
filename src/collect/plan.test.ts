// The pass plan alone, without HTTP or a store: where a pass starts, the windows it lists, the gaps it
// decides, and the cursor invariant — checked on hand-made cases and on seeded random runs of listings,
// commits and failures in any order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, HOUR, Rng } from '../core/index.js';
import { API_RETENTION_MS, MAX_WINDOW_MS, planStart, PassPlan, type PlanOptions, type PlanWindow } from './plan.js';

const NOW = Date.UTC(2026, 2, 9, 12, 0, 0) + 417; // not on a whole second
const O: PlanOptions = { overlapMs: DAY, initialLookbackMs: 7 * DAY, maxLookbackMs: 167 * HOUR, windowMs: MAX_WINDOW_MS, minWindowMs: HOUR };
const sec = (t: number) => Math.floor(t / 1000) * 1000;

/** Lists every window of a plan with no blobs; returns the windows listed. */
function listAll(plan: PassPlan, apiNow = NOW): PlanWindow[] {
  const out: PlanWindow[] = [];
  for (let s = plan.next(apiNow); s; s = plan.next(apiNow)) {
    out.push(s.window);
    plan.listed(s.window, 1);
  }
  return out;
}

test('where a pass starts: --since on a fresh store, the initial lookback, the cursor or the overlap, never past 7 days', () => {
  assert.deepEqual(planStart(null, NOW - 3 * DAY, NOW, O), { start: sec(NOW - 3 * DAY), end: sec(NOW), expired: null }, 'a backfill --since 3d starts 3 days back, not 7');
  assert.equal(planStart(null, undefined, NOW, O).start, sec(NOW) - 167 * HOUR, 'a first pass goes back as far as the API serves');
  assert.equal(planStart(null, undefined, NOW, { ...O, initialLookbackMs: 2 * HOUR }).start, sec(NOW) - 2 * HOUR);
  assert.equal(planStart(sec(NOW) - 5 * 60_000, undefined, NOW, O).start, sec(NOW) - DAY, 'the overlap is re-listed');
  assert.equal(planStart(sec(NOW) - 3 * DAY, undefined, NOW, O).start, sec(NOW) - 3 * DAY, 'an older cursor wins');
  assert.equal(planStart(sec(NOW) - 600_000, NOW - 2 * DAY, NOW, O).start, sec(NOW - 2 * DAY), 'since before the overlap');
  assert.equal(planStart(null, NOW - 30 * DAY, NOW, O).start, sec(NOW) - 167 * HOUR, 'clamped to what the API serves');

  const stale = planStart(NOW - 9 * DAY, undefined, NOW, O);
  assert.deepEqual(stale.expired, { start: NOW - 9 * DAY, end: sec(NOW) - 167 * HOUR, jumpTo: sec(NOW) - 167 * HOUR }, 'a cursor older than 7 days: that span is a gap');
  assert.equal(stale.start, sec(NOW) - 167 * HOUR);
});

test('windows: 24 h each from the start, contiguous to the end; a 7-day backfill needs 7 listings per content type', () => {
  const backfill = new PassPlan(planStart(null, NOW - 7 * DAY, NOW, O), null, O);
  const windows = listAll(backfill);
  assert.equal(windows.length, 7);
  assert.ok(windows.every((w) => w.end - w.start <= MAX_WINDOW_MS && w.kind === 'list'));
  for (let i = 1; i < windows.length; i++) assert.equal(windows[i]!.start, windows[i - 1]!.end, 'no gap and no overlap between windows');
  assert.equal(windows[0]!.start, sec(NOW) - 167 * HOUR);
  assert.equal(windows.at(-1)!.end, sec(NOW));
  assert.equal(backfill.cursorFor(new Set()), sec(NOW), 'all listed, nothing outstanding: the cursor goes to the end');

  // A steady poll 5 minutes after the last: the 24 h overlap is one listing, not 24.
  const poll = new PassPlan(planStart(sec(NOW) - 300_000, undefined, NOW, O), sec(NOW) - 300_000, O);
  assert.equal(listAll(poll).length, 1);
  assert.equal(new PassPlan(planStart(sec(NOW), undefined, NOW, O), sec(NOW), O).next(NOW)?.window.end, sec(NOW));
});

test('a listing of several pages narrows the next window (down to 1 h); one page widens it again', () => {
  const plan = new PassPlan(planStart(null, NOW - 7 * DAY, NOW, O), null, O);
  const widths: number[] = [];
  const pages = [3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  for (let s = plan.next(NOW), i = 0; s; s = plan.next(NOW), i++) {
    widths.push((s.window.end - s.window.start) / HOUR);
    plan.listed(s.window, pages[i] ?? 1);
  }
  assert.deepEqual(widths.slice(0, 9), [24, 12, 6, 3, 1.5, 1, 1, 2, 4]);
});

test('the cursor never passes a failed blob, an unlisted window or a failed window; inside a listed window it stops before the oldest blob outstanding', () => {
  const span = { start: sec(NOW) - 2 * DAY, end: sec(NOW) };
  const plan = new PassPlan({ ...span }, null, O);
  const w1 = plan.next(NOW)!.window;
  plan.listedPage(w1, [
    { contentId: 'a', contentCreated: span.start + 1 * HOUR + 1500 },
    { contentId: 'b', contentCreated: span.start + 5 * HOUR },
  ]);
  assert.equal(plan.cursorFor(new Set(['a', 'b'])), null, 'a window still listing holds the cursor at its start');
  plan.listed(w1, 1);
  assert.equal(plan.cursorFor(new Set()), span.start + HOUR + 1000, 'fully listed, nothing committed: up to the whole second before a, the oldest');
  assert.equal(plan.cursorFor(new Set(['a'])), span.start + 5 * HOUR, 'with a committed: just before b');
  plan.committed([{ contentId: 'a', window: w1 }], span.start + 5 * HOUR);
  assert.equal(plan.cursor, span.start + 5 * HOUR);
  plan.blobFailed(); // b fails after every retry
  const w2 = plan.next(NOW)!.window;
  plan.listed(w2, 1);
  assert.equal(plan.cursorFor(new Set()), null, 'b failed: the cursor stays before it although the next window is listed');
  assert.equal(plan.complete(), false);

  const other = new PassPlan({ ...span }, null, O);
  const v1 = other.next(NOW)!.window;
  other.listed(v1, 1);
  const v2 = other.next(NOW)!.window;
  other.listFailed(v2);
  assert.equal(other.cursorFor(new Set()), v2.start, 'a window that could not be listed: the cursor stops at its start');
  assert.equal(other.next(NOW), null, 'and listing ends for this pass');
  assert.equal(other.complete(), false);
});

test('gaps: a span that fell out of what the API serves while the pass ran, and a refused oldest window', () => {
  const start = planStart(null, undefined, NOW, O);
  const plan = new PassPlan(start, null, O);
  const first = plan.next(NOW)!;
  assert.equal(first.kind, 'list');
  plan.listed(first.window, 1);
  // The pass fell 30 hours behind: the next window's start is now older than 7 days.
  const late = NOW + 30 * HOUR;
  const gap = plan.next(late)!;
  assert.equal(gap.kind, 'gap');
  assert.deepEqual([gap.window.start, gap.window.end], [first.window.end, Math.ceil((late - API_RETENTION_MS) / 1000) * 1000]);
  assert.equal(plan.cursorFor(new Set()), first.window.end, 'the cursor waits until the gap is recorded');
  plan.listed(gap.window);
  assert.equal(plan.next(late)!.window.start, gap.window.end, 'listing goes on where the gap ends');

  const skewed = new PassPlan(planStart(null, undefined, NOW, O), null, O);
  const w = skewed.next(NOW)!.window;
  const apiAhead = NOW + 3 * HOUR; // the API's clock is 3 hours ahead: the oldest window is refused
  const cut = skewed.rejected(w, apiAhead)!;
  assert.equal(cut.kind, 'gap');
  assert.equal(cut.window.start, sec(NOW) - 167 * HOUR);
  assert.equal(cut.window.end, Math.ceil((apiAhead - 166 * HOUR) / 1000) * 1000);
  assert.equal(w.start, cut.window.end, 'the rest of the window is listed again');
  assert.equal(skewed.rejected(w, NOW - 10 * DAY), null, 'a refusal far from the limit is an error, not a gap');
});

test('seeded random runs: whatever the order of pages, commits and failures, the cursor saved never passes a blob not committed', () => {
  for (let seed = 0; seed < 200; seed++) {
    const rng = new Rng('plan', seed);
    const span = { start: sec(NOW) - rng.int(1, 8) * DAY + rng.int(0, 3600) * 1000, end: sec(NOW) };
    const plan = new PassPlan({ ...span }, null, { ...O, windowMs: rng.pick([HOUR, 6 * HOUR, MAX_WINDOW_MS]) });
    const blobs: { id: string; created: number; window: PlanWindow; state: 'out' | 'done' | 'failed' }[] = [];
    let listedTo = span.start; // every window before this is listed to its last page
    let failedWindowAt: number | null = null;
    let saved: number | null = null;
    let n = 0;
    const commitSome = () => {
      const ready = blobs.filter((b) => b.state === 'out' && rng.chance(0.5));
      const cursor = plan.cursorFor(new Set(ready.map((b) => b.id)));
      for (const b of ready) b.state = 'done';
      plan.committed(ready.map((b) => ({ contentId: b.id, window: b.window })), cursor);
      if (cursor !== null) {
        assert.ok(saved === null || cursor > saved, 'the cursor only moves forward');
        saved = cursor;
      }
      const pending = blobs.filter((b) => b.state !== 'done');
      for (const b of pending) assert.ok(cursor === null || cursor <= b.created, `seed ${seed}: the cursor passed blob ${b.id} (${b.state})`);
      if (cursor !== null) assert.ok(cursor <= listedTo, `seed ${seed}: the cursor passed a window not listed`);
      if (cursor !== null && failedWindowAt !== null) assert.ok(cursor <= failedWindowAt);
    };
    for (let step = plan.next(NOW); step; step = plan.next(NOW)) {
      const w = step.window;
      const pages = rng.int(1, 4);
      for (let p = 0; p < pages; p++) {
        const page = Array.from({ length: rng.int(0, 5) }, () => ({ contentId: `b${n++}`, contentCreated: w.start + rng.int(0, Math.max(1, (w.end - w.start) / 1000)) * 1000 + rng.int(0, 1000) }));
        plan.listedPage(w, page);
        for (const b of page) blobs.push({ id: b.contentId, created: b.contentCreated, window: w, state: 'out' });
        if (rng.chance(0.3)) commitSome();
      }
      if (rng.chance(0.05)) {
        plan.listFailed(w);
        failedWindowAt = w.start;
        break;
      }
      plan.listed(w, pages);
      listedTo = w.end;
      for (const b of blobs) if (b.state === 'out' && rng.chance(0.02)) {
        b.state = 'failed';
        plan.blobFailed();
      }
      if (rng.chance(0.5)) commitSome();
    }
    for (let i = 0; i < 3; i++) commitSome();
    if (blobs.every((b) => b.state === 'done') && failedWindowAt === null) {
      assert.equal(saved, span.end, `seed ${seed}: a clean pass ends with the cursor at the end`);
      assert.equal(plan.complete(), true);
    }
  }
});
