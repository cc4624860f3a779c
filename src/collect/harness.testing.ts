// The collector tests' harness (not a test itself): simulated tenants shaped for what each test must
// prove, tenants wired to an emulator, and the sets to compare — the ids the emulator says are available
// against the ids in the store.

import type { Clock } from '../core/index.js';
import { Secret } from '../core/index.js';
import { createApiClient } from '../api/index.js';
import { createContentSource, type ContentSource, type GroundTruth, type RunningEmulator } from '../emulator/index.js';
import { CONTENT_TYPES } from '../records/index.js';
import type { Store } from '../store/index.js';
import type { TenantRuntime } from './index.js';

/** Frozen tenants whose every blob is available at once (a stable set while a real clock runs). */
export function crashSource(startTime = Date.now()): ContentSource {
  return createContentSource({ seed: 'crash', days: 2, users: 15, tenants: 2, scenarios: [], live: false, startTime, latency: { kind: 'fixed', ms: 0 }, duplicateRate: 0.05 });
}

/** A 7-day history of three tenants with production latency (a tail up to 12 h), duplicates and every scenario. */
export function weekSource(startTime: number): ContentSource {
  return createContentSource({ seed: 'exactly-once', days: 7, users: 8, tenants: 3, scenarios: 'all', live: false, startTime, duplicateRate: 0.05 });
}

export function emulatorTenants(emu: RunningEmulator, clock: Clock, contentTypes: readonly string[] = CONTENT_TYPES): TenantRuntime[] {
  return emu.tenants.map((t) => ({
    tenantId: t.tenantId,
    name: t.domain,
    contentTypes,
    api: createApiClient({
      tenantId: t.tenantId, clientId: t.clientId, credential: { kind: 'secret', secret: new Secret(t.clientSecret) },
      cloud: 'enterprise', apiHost: emu.url, loginHost: emu.url, clock,
    }),
  }));
}

/** "tenant id" keys of every record the emulator has available. */
export function expectedKeys(gt: GroundTruth, contentTypes: readonly string[] = CONTENT_TYPES): Set<string> {
  const out = new Set<string>();
  for (const [tenant, byType] of Object.entries(gt.available)) {
    for (const [type, ids] of Object.entries(byType)) {
      if (!contentTypes.includes(type)) continue;
      for (const id of ids) out.add(`${tenant.toLowerCase()} ${id.toLowerCase()}`);
    }
  }
  return out;
}

/** The stored keys, and how many rows the events table holds (to see any twice). */
export async function storedKeys(store: Store): Promise<{ keys: Set<string>; rows: number }> {
  const rows = await store.eventKeys();
  return { keys: new Set(rows.map((r) => `${r.tenantId.toLowerCase()} ${r.id.toLowerCase()}`)), rows: rows.length };
}

/** What is in one set and not the other, a few of each, for a readable failure. */
export function difference(expected: Set<string>, actual: Set<string>): { missing: string[]; extra: string[] } {
  const missing = [...expected].filter((k) => !actual.has(k));
  const extra = [...actual].filter((k) => !expected.has(k));
  return { missing: missing.slice(0, 5).concat(missing.length > 5 ? [`… ${missing.length} in all`] : []), extra: extra.slice(0, 5).concat(extra.length > 5 ? [`… ${extra.length} in all`] : []) };
}

/** The store whose ingest commits fail with "disk full" (rolled back) whenever `fail()` says so. */
export function failingCommits(store: Store, fail: () => boolean): Store {
  const failing = Object.create(store) as Store;
  failing.openIngest = () => {
    const session = store.openIngest();
    return {
      get pendingRows() {
        return session.pendingRows;
      },
      add: (blobs) => session.add(blobs),
      commit: async (cursors, fences) => {
        if (fail()) {
          await session.rollback();
          throw new Error('disk full');
        }
        return session.commit(cursors, fences);
      },
      rollback: () => session.rollback(),
      close: () => session.close(),
    };
  };
  return failing;
}
