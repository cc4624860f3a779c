// The shared ingest transaction against a real DuckDB file: several workers' blobs commit together with
// their cursors, ingested_at grows from commit to commit even on a clock that stands still, a full or
// old transaction commits by itself, and a failed commit reaches the workers whose blobs it held.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../core/index.js';
import { openDuckDbStore, sql, type CommitResult, type Store } from '../store/index.js';
import { makeBlob, makeEventRow } from '../store/conformance/rows.js';
import { Committer, type CommitParticipant } from './committer.js';
import { failingCommits } from './harness.testing.js';

const T0 = Date.UTC(2026, 2, 2, 9, 30, 0);

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-committer-'));
  const store = await openDuckDbStore({ path: join(dir, 'c.duckdb') });
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A worker stand-in: its cursor is `position` once it has blobs in a commit. */
function participant(contentType: string, position: number) {
  const log = { committed: [] as { items: string[]; results: CommitResult[]; cursor: number | null }[], failed: [] as string[][] };
  let pending = 0;
  const p: CommitParticipant<string> & { log: typeof log; expect(n: number): void } = {
    tenantId: 'tenant-a',
    contentType,
    log,
    expect: (n) => {
      pending += n;
    },
    cursorFor: (items) => (items.length > 0 && items.length === pending ? position : null),
    committed: (items, cursor) => {
      pending -= items.length;
      log.committed.push({ items: items.map((i) => i.item), results: items.map((i) => i.result), cursor });
    },
    failed: (items) => {
      log.failed.push([...items]);
    },
  };
  return p;
}

const stamps = async (store: Store) =>
  (await store.query(sql`SELECT DISTINCT epoch_ms(ingested_at) AS t FROM events ORDER BY t`)).map((r) => Number(r['t']));

test('several workers share one transaction: one stamp per commit, strictly growing on a frozen clock; cursors saved with their blobs', async () => {
  await withStore(async (store) => {
    const clock = new ManualClock(T0);
    const committer = new Committer<string>(store, clock, { maxRows: 1000, maxAgeMs: 60_000 });
    const a = participant('Audit.Exchange', T0 - 1000);
    const b = participant('Audit.SharePoint', T0 - 2000);
    committer.register(a);
    committer.register(b);
    a.expect(1);
    b.expect(1);
    await committer.add(a, 'a1', makeBlob('a1', [makeEventRow(1), makeEventRow(2)], { contentType: 'Audit.Exchange' }));
    await committer.add(b, 'b1', makeBlob('b1', [makeEventRow(2), makeEventRow(3)], { contentType: 'Audit.SharePoint' }));
    clock.advance(50); // the gathering delay: handed over, not committed
    await committer.settled();
    assert.equal(a.log.committed.length + b.log.committed.length, 0, 'handed over, not committed');
    assert.equal((await stamps(store)).length, 0, 'nothing is visible before the commit');
    await committer.flush();
    assert.deepEqual(a.log.committed, [{ items: ['a1'], results: [{ inserted: 2, duplicates: 0, deadLetters: 0 }], cursor: T0 - 1000 }]);
    assert.deepEqual(b.log.committed, [{ items: ['b1'], results: [{ inserted: 1, duplicates: 1, deadLetters: 0 }], cursor: T0 - 2000 }]);
    assert.equal((await store.getCursor('tenant-a', 'Audit.Exchange'))?.position, T0 - 1000);
    assert.equal((await store.getCursor('tenant-a', 'Audit.SharePoint'))?.position, T0 - 2000);
    assert.deepEqual(await stamps(store), [T0 + 50], 'one stamp for the whole transaction, taken at its first hand-over');

    a.expect(1);
    await committer.add(a, 'a2', makeBlob('a2', [makeEventRow(4)], { contentType: 'Audit.Exchange' }));
    await committer.flush();
    assert.deepEqual(await stamps(store), [T0 + 50, T0 + 51], 'the next commit is stamped later although the clock stood still');
    assert.equal(b.log.committed.length, 1, 'a worker with nothing new and no cursor to move is left alone');
  });
});

test('a transaction commits by itself once it holds maxRows rows, or once it is maxAgeMs old', async () => {
  await withStore(async (store) => {
    const fullClock = new ManualClock(T0);
    const full = new Committer<string>(store, fullClock, { maxRows: 3, maxAgeMs: 60_000 });
    const a = participant('Audit.Exchange', T0);
    full.register(a);
    a.expect(1);
    await full.add(a, 'big', makeBlob('big', [makeEventRow(1), makeEventRow(2), makeEventRow(3)], { contentType: 'Audit.Exchange' }));
    fullClock.advance(50); // handed over after the gathering delay; full, so committed at once
    await full.settled();
    assert.equal(a.log.committed.length, 1, 'the full transaction committed by itself');
    assert.equal((await stamps(store)).length, 1);

    const oldClock = new ManualClock(T0 + 5000);
    const old = new Committer<string>(store, oldClock, { maxRows: 1_000_000, maxAgeMs: 200 });
    const b = participant('Audit.SharePoint', T0);
    old.register(b);
    b.expect(1);
    await old.add(b, 'small', makeBlob('small', [makeEventRow(9)], { contentType: 'Audit.SharePoint' }));
    oldClock.advance(50);
    await old.settled();
    assert.equal(b.log.committed.length, 0, 'handed over, younger than maxAgeMs: not committed');
    oldClock.advance(200);
    await old.settled();
    assert.equal(b.log.committed.length, 1, 'committed once maxAgeMs old on the injected clock');
    assert.deepEqual(b.log.committed[0]?.results, [{ inserted: 1, duplicates: 0, deadLetters: 0 }]);
  });
});

test('a failed commit reaches every worker whose blobs it held; nothing is stored and the next transaction works', async () => {
  await withStore(async (store) => {
    let failNext = true;
    const failing = failingCommits(store, () => {
      const now = failNext;
      failNext = false;
      return now;
    });
    const committer = new Committer<string>(failing, new ManualClock(T0), { maxRows: 1000, maxAgeMs: 60_000 });
    const a = participant('Audit.Exchange', T0);
    const b = participant('Audit.SharePoint', T0);
    committer.register(a);
    committer.register(b);
    a.expect(1);
    b.expect(1);
    await committer.add(a, 'a1', makeBlob('a1', [makeEventRow(1)], { contentType: 'Audit.Exchange' }));
    await committer.add(b, 'b1', makeBlob('b1', [makeEventRow(2)], { contentType: 'Audit.SharePoint' }));
    await assert.rejects(committer.flush(), /disk full/);
    assert.deepEqual(a.log.failed, [['a1']]);
    assert.deepEqual(b.log.failed, [['b1']]);
    assert.equal((await store.query(sql`SELECT count(*) AS n FROM events`))[0]?.['n'], 0);
    assert.equal(await store.getCursor('tenant-a', 'Audit.Exchange'), null);

    await committer.add(a, 'a1', makeBlob('a1', [makeEventRow(1)], { contentType: 'Audit.Exchange' }));
    await committer.flush();
    assert.deepEqual(a.log.committed.at(-1)?.results, [{ inserted: 1, duplicates: 0, deadLetters: 0 }]);
    assert.equal((await store.query(sql`SELECT count(*) AS n FROM events`))[0]?.['n'], 1);
  });
});
