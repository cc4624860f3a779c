// The leases-port conformance suite (ports/leases.ts): two holders, expiry and take-over, fencing
// tokens, renew and release after a loss, racing acquisitions with one winner, and acquireAny handing
// racing processes disjoint sets. Run by every engine that offers leases; `open` gives two handles
// (two processes' connections) on one new, empty store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, LeasesPort } from '../types.js';
import { BASE_TIME } from './rows.js';

export interface LeasesEngine {
  open(): Promise<{ a: LeasesPort; b: LeasesPort; close(): Promise<void> }>;
}

const TTL = 60_000;
const key = { tenantId: 'tenant-a', contentType: 'Audit.Exchange' };
const keys = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint'].flatMap((contentType) => ['tenant-a', 'tenant-b'].map((tenantId) => ({ tenantId, contentType })));
const name = (l: Lease) => `${l.tenantId}/${l.contentType}`;

export function runLeasesConformance(engine: string, open: LeasesEngine['open']): void {
  const t = (title: string, fn: (a: LeasesPort, b: LeasesPort) => Promise<void>) =>
    test(`${engine} leases: ${title}`, async () => {
      const h = await open();
      try {
        await fn(h.a, h.b);
      } finally {
        await h.close();
      }
    });

  t('two holders: one holds, the other waits until it expires, then takes it over with a new token', async (a, b) => {
    const first = await a.acquire(key, 'proc-a', TTL, BASE_TIME);
    assert.deepEqual(first, { ...key, holder: 'proc-a', token: 1, acquiredAt: BASE_TIME, expiresAt: BASE_TIME + TTL });
    assert.equal(await b.acquire(key, 'proc-b', TTL, BASE_TIME + 1), null);
    const renewed = await a.renew(first!, TTL, BASE_TIME + 30_000);
    assert.equal(renewed?.expiresAt, BASE_TIME + 30_000 + TTL);
    assert.equal(await b.acquire(key, 'proc-b', TTL, BASE_TIME + TTL + 1), null, 'renewed: not expired at the first expiry');
    // proc-a dies: no more renewals. Once expired, proc-b takes over.
    const taken = await b.acquire(key, 'proc-b', TTL, BASE_TIME + 30_000 + TTL);
    assert.deepEqual({ holder: taken?.holder, token: taken?.token }, { holder: 'proc-b', token: 2 });
    assert.equal(await a.renew(first!, TTL, BASE_TIME + 30_000 + TTL + 1), null, 'the old holder learns it lost the lease');
    assert.equal(await a.release(first!, BASE_TIME + 30_000 + TTL + 1), false);
    assert.deepEqual((await a.list()).map((l) => `${name(l)}:${l.holder}:${l.token}`), ['tenant-a/Audit.Exchange:proc-b:2']);
    // Released: free at once for the next holder, who gets a new token.
    assert.equal(await b.release(taken!, BASE_TIME + 100_000), true);
    assert.equal(await b.release(taken!, BASE_TIME + 100_001), false);
    assert.equal((await a.acquire(key, 'proc-a', TTL, BASE_TIME + 100_002))?.token, 3);
    // Acquiring again as the holder renews (and fences off any older token of its own).
    assert.equal((await a.acquire(key, 'proc-a', TTL, BASE_TIME + 100_003))?.token, 4);
    await assert.rejects(a.acquire(key, 'proc-a', 0, BASE_TIME), /TTL/);
  });

  t('processes racing for one lease: exactly one gets it', async (a, b) => {
    const got = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquire(key, `proc-${i}`, TTL, BASE_TIME)));
    const winners = got.filter((l): l is Lease => l !== null);
    assert.equal(winners.length, 1);
    assert.deepEqual((await a.list()).map((l) => l.holder), [winners[0]!.holder]);
  });

  t('acquireAny: racing processes take disjoint sets; a dead holder\'s leases are taken over when they expire', async (a, b) => {
    const [fromA, fromB] = await Promise.all([a.acquireAny(keys, 'proc-a', TTL, BASE_TIME, 3), b.acquireAny(keys, 'proc-b', TTL, BASE_TIME, 3)]);
    assert.equal(fromA.length + fromB.length, 6);
    const all = [...fromA, ...fromB].map(name);
    assert.equal(new Set(all).size, 6, 'no lease given twice');
    assert.ok(fromA.every((l) => l.holder === 'proc-a' && l.token === 1));
    assert.deepEqual(await a.acquireAny(keys, 'proc-a', TTL, BASE_TIME + 1, 6), [], 'nothing free');
    // proc-a keeps one lease alive and dies; its other two expire and proc-b takes them.
    const kept = await a.renew(fromA[0]!, 10 * TTL, BASE_TIME + 2);
    assert.ok(kept);
    for (const l of fromB) assert.ok(await b.renew(l, TTL, BASE_TIME + TTL - 1));
    const over = await b.acquireAny(keys, 'proc-b', TTL, BASE_TIME + TTL, 6);
    assert.deepEqual(over.map(name).sort(), fromA.slice(1).map(name).sort());
    assert.ok(over.every((l) => l.token === 2));
    const held = await a.list();
    assert.equal(held.length, 6);
    assert.deepEqual(held.filter((l) => l.holder === 'proc-a').map(name), [name(fromA[0]!)]);
    assert.deepEqual(await b.acquireAny([], 'proc-b', TTL, BASE_TIME, 3), []);
  });
}
