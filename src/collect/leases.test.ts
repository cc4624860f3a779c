// The collector's lease keeper (leases.ts) on one lease table shared by three "processes": fair shares
// that follow the processes alive, take-over of a dead process's leases once they expire (with new
// tokens), the loser's worker signal, and an ingest commit fenced with a lost lease refused by the store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger } from '../core/index.js';
import { openDuckDbStore, type LeaseKey } from '../store/index.js';
import { LeaseKeeper, LeaseLost } from './leases.js';

const TTL = 30_000;
const keys: LeaseKey[] = ['t1', 't2', 't3'].flatMap((tenantId) => ['Audit.Exchange', 'Audit.SharePoint'].map((contentType) => ({ tenantId, contentType })));
const names = (k: LeaseKeeper) => k.heldKeys().map((x) => `${x.tenantId}/${x.contentType}`).sort();
/** Lets the renewal loops woken by a clock move finish their round trips. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

test('lease keepers: fair shares, take-over after expiry with new tokens, the loser stopped and its commit refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aw-leases-'));
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 9, 0, 0));
  const store = await openDuckDbStore({ path: join(dir, 'leases.duckdb'), clock });
  await store.migrate();
  const keeper = (holder: string) => new LeaseKeeper({ port: store.leases, holder, ttlMs: TTL }, keys, clock, silentLogger);
  const [a, b, c] = [keeper('host/1-a'), keeper('host/2-b'), keeper('host/3-c')];
  try {
    // Alone, a process takes everything; a second one finds nothing free until the first gives its surplus back.
    await a.rebalance();
    assert.equal(a.heldKeys().length, 6);
    await b.rebalance();
    assert.equal(b.heldKeys().length, 0);
    await a.rebalance();
    assert.equal(a.heldKeys().length, 3, 'two processes alive: a share of three');
    await b.rebalance();
    await c.rebalance();
    await a.rebalance();
    await b.rebalance();
    await c.rebalance();
    const held = [a, b, c].map(names);
    assert.deepEqual(held.map((h) => h.length), [2, 2, 2], 'three processes: two each');
    assert.equal(new Set(held.flat()).size, 6, 'no key held twice');

    // c dies: no more renewals. The others renew theirs (every third of the TTL) while c's expire.
    const cKeys = c.heldKeys();
    const stale = c.fenceFor(cKeys[0]!)!;
    const lostSignal = c.signalFor(cKeys[0]!);
    (c as unknown as { renewing: AbortController }).renewing.abort(); // what a SIGKILL does to its loop
    for (let i = 0; i < 4; i++) {
      clock.advance(TTL / 3);
      await settle();
    }
    await a.rebalance();
    await b.rebalance();
    await a.rebalance();
    const after = [a, b].map(names);
    assert.deepEqual(after.map((h) => h.length), [3, 3], 'c\'s share taken over: three each');
    assert.equal(new Set(after.flat()).size, 6);
    for (const k of cKeys) {
      const owner = [a, b].find((x) => x.holds(k))!;
      assert.equal(owner.fenceFor(k)!.token, c.fenceFor(k)!.token + 1, 'a take-over gives a new token');
    }

    // c wakes up (it was only paused): its renewal fails, its worker is stopped, and its commit is refused.
    (c as unknown as { renewing: AbortController | null }).renewing = null;
    await c.rebalance();
    assert.ok(lostSignal.aborted, 'the worker of a lost lease is stopped');
    assert.ok(lostSignal.reason instanceof LeaseLost);
    assert.ok(!c.holds(cKeys[0]!));
    const session = store.openIngest();
    await assert.rejects(session.commit([{ tenantId: stale.tenantId, contentType: stale.contentType, position: clock.now() }], [stale]), (err: Error & { code?: string }) => err.code === 'lease_lost' && /lost the lease of t\d Audit\.\w+/.test(err.message));
    assert.equal(await store.getCursor(stale.tenantId, stale.contentType), null, 'the refused commit wrote no cursor');
    // The holder's own commit goes through.
    const owner = [a, b].find((x) => x.holds(cKeys[0]!))!;
    await session.commit([{ tenantId: stale.tenantId, contentType: stale.contentType, position: clock.now() }], [owner.fenceFor(cKeys[0]!)!]);
    assert.equal((await store.getCursor(stale.tenantId, stale.contentType))?.position, clock.now());
    await session.close();

    // A stop gives the leases back at once: the one left takes all at its next pass.
    await c.close();
    await b.close();
    await a.rebalance();
    assert.equal(a.heldKeys().length, 6);
  } finally {
    for (const k of [a, b, c]) await k.close().catch(() => undefined);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
