// The listing windows a collector asks the emulator for, over real HTTP (#15, Deliver 1): a backfill
// with --since 3d on a fresh store lists 24-hour windows starting at --since, not 7 days back; a
// steady poll re-lists the 24-hour overlap as one window per content type, none listed twice in a pass.
// The windows are read off the real client's calls (every call goes on to the emulator), the listing
// requests off the emulator's own counts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY, HOUR, ManualClock } from '../core/index.js';
import type { ApiClient } from '../api/index.js';
import { createContentSource, startEmulator } from '../emulator/index.js';
import { openDuckDbStore } from '../store/index.js';
import { createCollector, type TenantRuntime } from './index.js';
import { difference, emulatorTenants, expectedKeys, storedKeys } from './harness.testing.js';

const T0 = Date.UTC(2026, 2, 4, 15, 0, 0);

interface Listed {
  contentType: string;
  start: number;
  end: number;
}

/** The client as it is, noting the window of every first listing page it is asked for. */
function noting(api: ApiClient, listed: Listed[]): ApiClient {
  return new Proxy(api, {
    get(target, prop, receiver) {
      if (prop === 'withHooks') return (hooks: Parameters<ApiClient['withHooks']>[0]) => noting(target.withHooks(hooks), listed);
      if (prop === 'listContentPage') {
        return (contentType: string, start: number, end: number, next?: string | null, signal?: AbortSignal) => {
          if (!next) listed.push({ contentType, start, end });
          return target.listContentPage(contentType, start, end, next, signal);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Per content type, the windows of one pass in order. */
function byType(listed: Listed[]): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const l of listed) out.set(l.contentType, [...(out.get(l.contentType) ?? []), [l.start, l.end]]);
  return out;
}

test('a backfill --since 3d lists 24 h windows from --since; a steady poll re-lists the overlap once per type, no window twice', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-windows-'));
  const clock = new ManualClock(T0, { autoAdvance: true });
  const source = createContentSource({ seed: 'windows', days: 7, users: 20, tenants: 1, scenarios: [], live: false, startTime: T0, latency: { kind: 'fixed', ms: 0 }, duplicateRate: 0 });
  const emu = await startEmulator({ source, clock, throttlePerMinute: 0 });
  const store = await openDuckDbStore({ path: join(dir, 'w.duckdb'), clock });
  try {
    await store.migrate();
    const listed: Listed[] = [];
    const tenants: TenantRuntime[] = emulatorTenants(emu, clock).map((t) => ({ ...t, api: noting(t.api, listed) }));
    const types = tenants[0]!.contentTypes;
    const collector = createCollector({ tenants, store, clock });

    const since = T0 - 3 * DAY;
    const backfill = await collector.runOnce({ since });
    assert.ok(backfill.ok, JSON.stringify(backfill.errors.map((e) => e.error.message)));
    const windows = byType(listed);
    assert.deepEqual([...windows.keys()].sort(), [...types].sort());
    for (const [ct, w] of windows) {
      assert.deepEqual(w, [[since, since + DAY], [since + DAY, since + 2 * DAY], [since + 2 * DAY, T0]], `${ct}: three 24 h windows from --since, nothing before it`);
    }
    // The emulator answered as many listing requests as there were windows and further pages (one page each here).
    assert.equal(emu.control.stats().byEndpoint['ListContent'], listed.length);
    assert.ok(backfill.blobs > listed.length * 5, `the blobs (${backfill.blobs}) are the bulk of the requests, not the ${listed.length} listings`);
    const { keys, rows } = await storedKeys(store);
    assert.equal(rows, keys.size);
    assert.deepEqual(difference(expectedKeys(emu.control.groundTruth({ from: since, to: T0 })), keys), { missing: [], extra: [] }, 'every record of the 3 days, none older');

    // Five minutes on: a poll lists the last 24 h (the overlap), one window per type, covering the cursor.
    listed.length = 0;
    const pollAt = Math.ceil((clock.now() + 5 * 60_000) / 1000) * 1000;
    clock.set(pollAt);
    const poll = await collector.runOnce();
    assert.ok(poll.ok);
    const polled = byType(listed);
    assert.deepEqual([...polled.keys()].sort(), [...types].sort());
    for (const [ct, w] of polled) {
      assert.deepEqual(w, [[pollAt - DAY, pollAt]], `${ct}: the 24 h overlap as one window`);
    }
    assert.equal(listed.length, types.length, 'no window listed twice in the pass');
    // Only what the backfill could not have listed is new (blobs published as its listing ended); nothing twice.
    const after = await storedKeys(store);
    assert.equal(after.rows, after.keys.size);
    assert.equal(after.rows, rows + poll.records);
    assert.deepEqual(difference(expectedKeys(emu.control.groundTruth({ from: since, to: pollAt })), after.keys), { missing: [], extra: [] });

    // A poll an hour later still lists one 24 h window per type: the overlap never turns into hourly windows.
    listed.length = 0;
    clock.set(pollAt + HOUR);
    assert.ok((await collector.runOnce()).ok);
    assert.deepEqual([...byType(listed).values()].map((w) => w.length), types.map(() => 1));
  } finally {
    await store.close();
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});
