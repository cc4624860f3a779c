// End to end with the simulated tenants: a client that follows the rules (subscribe, list ≤24 h windows
// over the last 7 days following NextPageUri, fetch every blob) gets exactly the record Ids the ground
// truth says are available, duplicates included in blobs; the same seed gives byte-identical blobs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatApiTime, ManualClock } from '../../core/index.js';
import { CONTENT_TYPES } from '../../records/index.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../index.js';
import { tokenFor } from './fixtures.testing.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 15, 9, 0, 0);

function source(seed: number) {
  return createContentSource({ seed, days: 1, users: 20, tenants: 2, scenarios: 'all', live: false, startTime: START, duplicateRate: 0.05 });
}

async function collect(em: RunningEmulator, now: number) {
  const result = new Map<string, { ids: Set<string>; records: number; blobs: string[] }>();
  for (const t of em.tenants) {
    const token = await tokenFor(em.url, t);
    const auth = { Authorization: `Bearer ${token}` };
    for (const type of CONTENT_TYPES) {
      const started = await fetch(`${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/start?contentType=${type}&PublisherIdentifier=${t.tenantId}`, { method: 'POST', headers: auth });
      assert.equal(started.status, 200, await started.text());
      const entry = { ids: new Set<string>(), records: 0, blobs: [] as string[] };
      result.set(`${t.tenantId}|${type}`, entry);
      for (let from = now - 7 * DAY + 60_000; from < now; from += DAY) {
        const to = Math.min(from + DAY, now + 1000);
        let next: string | null = `${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/content?contentType=${type}&startTime=${formatApiTime(from)}&endTime=${formatApiTime(to)}&PublisherIdentifier=${t.tenantId}`;
        while (next) {
          const res: Response = await fetch(next, { headers: auth });
          assert.equal(res.status, 200);
          for (const blob of (await res.json()) as { contentId: string; contentUri: string }[]) {
            entry.blobs.push(blob.contentId);
            const content = await fetch(`${blob.contentUri}?PublisherIdentifier=${t.tenantId}`, { headers: auth });
            assert.equal(content.status, 200);
            for (const record of (await content.json()) as { Id: string }[]) {
              entry.ids.add(record.Id);
              entry.records++;
            }
          }
          next = res.headers.get('NextPageUri');
        }
      }
    }
  }
  return result;
}

test('a client following the rules gets exactly the available record Ids of the ground truth', async () => {
  const clock = new ManualClock(START);
  const em = await startEmulator({ source: source(11), clock, pageSize: 25, throttlePerMinute: 0 });
  try {
    const got = await collect(em, clock.now());
    const truth = (await (await fetch(`${em.url}/_emulator/ground-truth`)).json()) as {
      scenarios: { name: string; label: string; recordIds: string[] }[];
      available: Record<string, Record<string, string[]>>;
    };
    let total = 0;
    let unique = 0;
    for (const t of em.tenants) {
      for (const type of CONTENT_TYPES) {
        const entry = got.get(`${t.tenantId}|${type}`)!;
        assert.equal(new Set(entry.blobs).size, entry.blobs.length, `${type}: a blob was listed twice`);
        const expected = new Set(truth.available[t.tenantId]?.[type] ?? []);
        assert.deepEqual([...entry.ids].sort(), [...expected].sort(), `${t.tenantId} ${type}`);
        total += entry.records;
        unique += entry.ids.size;
      }
    }
    assert.ok(unique > 0, 'the simulated tenants produced records');
    assert.ok(total > unique, 'duplicates across blobs are served as configured');
    assert.ok(truth.scenarios.length > 0);
    assert.ok(truth.scenarios.every((s) => s.label === 'attack' || s.label === 'benign'));
    const stats = em.control.stats();
    assert.equal(stats.byStatus['200'], stats.total, 'every request succeeded');
  } finally {
    await em.close();
  }
});

test('the same seed gives byte-identical blobs over HTTP', async () => {
  const clock = new ManualClock(START);
  const [a, b] = [await startEmulator({ source: source(23), clock }), await startEmulator({ source: source(23), clock })];
  try {
    assert.deepEqual(a.tenants.map((t) => t.tenantId), b.tenants.map((t) => t.tenantId));
    const t = a.tenants[0]!;
    const bodies = async (em: RunningEmulator) => {
      const token = await tokenFor(em.url, t);
      const auth = { Authorization: `Bearer ${token}` };
      await fetch(`${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/start?contentType=Audit.AzureActiveDirectory`, { method: 'POST', headers: auth });
      const list = (await (
        await fetch(`${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/content?contentType=Audit.AzureActiveDirectory&startTime=${formatApiTime(START - DAY)}&endTime=${formatApiTime(START)}`, { headers: auth })
      ).json()) as { contentId: string }[];
      const out: string[] = [];
      for (const blob of list.slice(0, 5)) {
        out.push(await (await fetch(`${em.url}/api/v1.0/${t.tenantId}/activity/feed/audit/${blob.contentId}`, { headers: auth })).text());
      }
      return out;
    };
    const [x, y] = [await bodies(a), await bodies(b)];
    assert.ok(x.length > 0);
    assert.deepEqual(x, y);
  } finally {
    await a.close();
    await b.close();
  }
});
