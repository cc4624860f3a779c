// A hand-run `auditwatch detect` on a shared store (ClickHouse + PostgreSQL) while a collect daemon
// leads: refused with the leader's name, nothing run beside the leader's passes; once no process leads,
// it takes the leader lease for the job and gives it back after. In one process, detection jobs run one
// at a time (a `detect` asked of the daemon waits for its own pass). Two stores on the same databases
// stand for two processes. A leader that stalled past its lease writes no more alerts.
// Skipped only without clickhouse-server.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, Secret, silentLogger } from '../core/index.js';
import { openStore, type Store, type StoreEngineConfig } from '../store/index.js';
import { clickhouseSkipReason, startTestClickHouse, type TestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../store/postgres/server.testing.js';
import { createAlertService } from '../alerts/index.js';
import { hit } from '../alerts/alerts.testing.js';
import { createLeadership, LEADER_KEY } from './cluster.js';
import { parseConfig } from './config.js';
import { createOperations } from './local.js';

const skip = clickhouseSkipReason();
let ch: TestClickHouse;
let pg: TestPostgres;
let stores: Store[] = [];

before(async () => {
  if (skip) return;
  [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  const engine: StoreEngineConfig = {
    engine: 'clickhouse',
    clickhouse: { url: ch.url, database: await ch.createDatabase(), user: ch.user, password: new Secret(ch.password) },
    stateStore: { engine: 'postgres', connection: { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: await pg.createDatabase() } },
  };
  stores = [await openStore(engine), await openStore(engine)];
  for (const s of stores) await s.migrate();
});
after(async () => {
  for (const s of stores) await s.close();
  await Promise.all([ch?.stop(), pg?.stop()]);
});

test('detect on a shared store: refused while a daemon leads (naming it), run as leader once none does, the lease given back', { skip, timeout: 120_000 }, async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T12:00:00Z'));
  const config = parseConfig('detect:\n  builtin: true\n', { file: '/tmp/aw-leader-test/auditwatch.yaml', env: {} });
  const [daemonStore, cliStore] = stores as [Store, Store];
  const daemon = createLeadership({ store: daemonStore, clock, logger: silentLogger, ttlMs: 60_000, holder: 'collector-host/4242-ab' });
  assert.equal(await daemon.tryLead(), true);
  const ops = createOperations({ config, store: cliStore, clock, logger: silentLogger });
  await assert.rejects(ops.detect({}), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'leader_busy');
    assert.match(err.message, /collector-host\/4242-ab/);
    assert.match(err.message, /auditwatch hunt/);
    assert.equal(err.message.includes('\n'), false, 'one line');
    return true;
  });
  const leaderNow = async () => (await cliStore.leases.list()).find((l) => l.tenantId === LEADER_KEY.tenantId && l.contentType === LEADER_KEY.contentType)!;
  assert.equal((await leaderNow()).holder, 'collector-host/4242-ab', 'the refused job took nothing');

  await daemon.close(); // the daemon stops: nobody leads
  const ran = await ops.detect({});
  assert.deepEqual(ran.data, [], 'an empty store: the pack ran and found nothing');
  const after = await leaderNow();
  assert.notEqual(after.holder, 'collector-host/4242-ab', 'the job took the leader lease');
  assert.ok(after.expiresAt <= clock.now(), 'and gave it back');
  const next = createLeadership({ store: daemonStore, clock, logger: silentLogger, ttlMs: 60_000, holder: 'collector-host/4243-cd' });
  assert.equal(await next.tryLead(), true, 'a daemon leads again at once');
  await next.close();
});

test('in one process detection jobs run one at a time, and only while it leads', { skip, timeout: 60_000 }, async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T13:00:00Z'));
  const [a, b] = stores as [Store, Store];
  const mine = createLeadership({ store: a, clock, logger: silentLogger, ttlMs: 60_000, holder: 'host-a/1-aa' });
  const other = createLeadership({ store: b, clock, logger: silentLogger, ttlMs: 60_000, holder: 'host-b/2-bb' });
  assert.equal(await mine.tryLead(), true);
  const log: string[] = [];
  const job = (name: string) => async () => {
    log.push(`${name} start`);
    await new Promise((r) => setTimeout(r, 30));
    log.push(`${name} end`);
    return name;
  };
  assert.deepEqual(await Promise.all([mine.exclusive(job('pass')), mine.exclusive(job('detect'))]), ['pass', 'detect']);
  assert.deepEqual(log, ['pass start', 'pass end', 'detect start', 'detect end'], 'the second waits for the first');
  await assert.rejects(other.exclusive(job('elsewhere')), /host-a\/1-aa/, 'another process does not run detection while one leads');
  assert.equal(log.includes('elsewhere start'), false);
  await Promise.all([mine.close(), other.close()]);
});

test('a leader that stalled past its lease writes no more alerts: leader_lost, nothing written; the new leader writes them', { skip, timeout: 60_000 }, async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T14:00:00Z'));
  const [a, b] = stores as [Store, Store];
  const stalled = createLeadership({ store: a, clock, logger: silentLogger, ttlMs: 60_000, holder: 'host-a/3-aa' });
  assert.equal(await stalled.tryLead(), true);
  const alertsOf = (store: Store, leader: ReturnType<typeof createLeadership>) => createAlertService({ store, clock, mayWrite: () => leader.isLeader() });
  const found = [hit({ groupKey: 'stall-1', evidence: ['st-1'] }), hit({ groupKey: 'stall-2', evidence: ['st-2'] })];
  clock.advance(61_000); // the process stalls past its lease (a paused VM) before it writes its pass's hits
  await assert.rejects(alertsOf(a, stalled).ingestHits(found), (err: Error & { code?: string }) => err.code === 'leader_lost' && /collect\.leases\.ttl/.test(err.message));
  const open = async () => (await createAlertService({ store: b, clock }).list()).filter((x) => x.groupKey.startsWith('stall-'));
  assert.equal((await open()).length, 0, 'nothing written by the stalled leader');
  const next = createLeadership({ store: b, clock, logger: silentLogger, ttlMs: 60_000, holder: 'host-b/4-bb' });
  assert.equal(await next.tryLead(), true, 'the lease expired: another process leads');
  const sum = await alertsOf(b, next).ingestHits(found);
  assert.equal(sum.opened, 2);
  assert.equal((await open()).length, 2);
  await Promise.all([stalled.close(), next.close()]);
});
