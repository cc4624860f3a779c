// Two collectors sharing tenants through leases in PostgreSQL, beside ClickHouse: two stores opened on
// the same databases stand for two processes. Their passes run at once and split the tenant × content
// types between them (none collected by both), together store the exact set, and a commit fenced with a
// lease that was taken over is refused in PostgreSQL's transaction (lease_lost) with nothing written.
// Skipped only without clickhouse-server.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, systemClock } from '../core/index.js';
import { startEmulator } from '../emulator/index.js';
import { openStore, type StoreEngineConfig } from '../store/index.js';
import { clickhouseSkipReason, startTestClickHouse, type TestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../store/postgres/server.testing.js';
import { createCollector } from './index.js';
import { crashSource, difference, emulatorTenants, expectedKeys, storedKeys } from './harness.testing.js';

const skip = clickhouseSkipReason();
let ch: TestClickHouse;
let pg: TestPostgres;

before(async () => {
  if (skip) return;
  [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
});
after(async () => {
  await Promise.all([ch?.stop(), pg?.stop()]);
});

test('two collectors on one ClickHouse + PostgreSQL split the work by leases, store the exact set, and a fenced-off commit writes nothing', { skip, timeout: 180_000 }, async () => {
  const source = crashSource();
  const emu = await startEmulator({ source, clock: systemClock, pageSize: 25, throttlePerMinute: 0 });
  const config: StoreEngineConfig = {
    engine: 'clickhouse',
    clickhouse: { url: ch.url, database: await ch.createDatabase(), user: ch.user, password: new Secret(ch.password) },
    stateStore: { engine: 'postgres', connection: { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: await pg.createDatabase() } },
  };
  const [one, two] = [await openStore(config), await openStore(config)];
  try {
    const tenants = emulatorTenants(emu, systemClock);
    const collector = (store: typeof one, holder: string) =>
      createCollector({ tenants, store, clock: systemClock, leases: { port: store.leases, holder, ttlMs: 60_000 }, options: { batchRecords: 200 } });
    const [a, b] = [collector(one, 'host-a/1'), collector(two, 'host-b/2')];
    const since = Date.now() - 3 * 86_400_000;
    // a alone first takes every lease; once b is alive, a's next pass gives half back and b takes it.
    const first = await a.runOnce({ since });
    assert.ok(first.ok, JSON.stringify(first.errors.map((e) => e.error.message)));
    await b.runOnce({ since }); // b joins: nothing free yet
    const [passA, passB] = await Promise.all([a.runOnce({ since }), b.runOnce({ since })]);
    const againB = await b.runOnce({ since });
    const all = tenants.length * tenants[0]!.contentTypes.length;
    assert.equal(first.workers.length, all, 'alone, a collects everything');
    const heldA = a.heldLeases()!.map((k) => `${k.tenantId} ${k.contentType}`);
    const heldB = b.heldLeases()!.map((k) => `${k.tenantId} ${k.contentType}`);
    assert.equal(heldA.length, all / 2);
    assert.equal(heldB.length, all / 2);
    assert.equal(new Set([...heldA, ...heldB]).size, all, 'each tenant × content type held by one');
    assert.equal(passA.workers.length, all / 2, 'a collects its share only');
    assert.ok([...passB.workers, ...againB.workers].every((w) => heldB.includes(`${w.tenantId} ${w.contentType}`)), 'b collects only what it holds');
    const expected = expectedKeys(emu.control.groundTruth());
    const { keys, rows } = await storedKeys(one);
    assert.equal(rows, keys.size, 'no record visible twice');
    assert.deepEqual(difference(expected, keys), { missing: [], extra: [] });

    // b's lease of one key, taken over (a stale token): its commit is refused and writes no cursor.
    const [tenantId, contentType] = heldB[0]!.split(' ') as [string, string];
    const lease = (await two.leases.list()).find((l) => l.tenantId === tenantId && l.contentType === contentType)!;
    const before = await one.getCursor(tenantId, contentType);
    const session = two.openIngest();
    await assert.rejects(
      session.commit([{ tenantId, contentType, position: Date.now() + 86_400_000 }], [{ ...lease, token: lease.token - 1 }]),
      (err: Error & { code?: string }) => err.code === 'lease_lost',
    );
    assert.deepEqual(await one.getCursor(tenantId, contentType), before, 'nothing written');
    await session.close();
    await Promise.all([a.close(), b.close()]);
    assert.ok((await one.leases.list()).every((l) => l.expiresAt <= Date.now()), 'closed collectors give every lease back');
  } finally {
    await Promise.all([one.close(), two.close()]);
    await emu.close();
  }
});
