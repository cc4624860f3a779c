// Many collectors (issue 17 item 4's must-show): three `auditwatch collect` daemons (bin/auditwatch.js
// child processes) share six emulated tenants on one ClickHouse + PostgreSQL store through leases, and
// are killed with SIGKILL 20 times (now and then the leader, running detection and alert delivery) and
// started again. At the end each ground-truth Id is visible exactly once in `events` as `auditwatch
// query` sees it; the alerts are those one DuckDB process raises from the same records, each raised
// once; and every alert revision reached the real HTTP webhook receiver exactly once by its Idempotency-
// Key (a repeat can only be a delivery whose sender died between the receiver's answer and marking it
// delivered: same key, same body, which the receiver drops). `auditwatch status` shows which process
// holds which tenant × content type and the leader lease. Skipped only without clickhouse-server.

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import pg from 'pg';
import { Rng, systemClock } from '../core/index.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { httpReceiver, type HttpReceiver } from '../alerts/alerts.testing.js';
import { difference, expectedKeys } from '../collect/harness.testing.js';
import { clickhouseSkipReason, startTestClickHouse, type TestClickHouse } from '../store/clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../store/postgres/server.testing.js';

const skip = clickhouseSkipReason();
const BIN = fileURLToPath(new URL('../../bin/auditwatch.js', import.meta.url));
const KILLS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
/** Progress on stderr with AW_TEST_VERBOSE=1 (the phases of a long test). */
const note = (text: string) => {
  if (process.env['AW_TEST_VERBOSE']) process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}\n`);
};

function cli(config: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args, '--config', config], { maxBuffer: 64 * 1024 * 1024 }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

/** The tenants part of a config on the emulator (secrets in files beside it). */
async function tenantsYaml(dir: string, emu: RunningEmulator): Promise<string> {
  const lines: string[] = [];
  for (const [i, t] of emu.tenants.entries()) {
    await writeFile(join(dir, `t${i}.secret`), `${t.clientSecret}\n`, { mode: 0o600 });
    lines.push(`  - name: t${i}
    tenantId: ${t.tenantId}
    clientId: ${t.clientId}
    clientSecret: { file: ./t${i}.secret }
    apiUrl: ${JSON.stringify(emu.url)}
    loginUrl: ${JSON.stringify(emu.url)}`);
  }
  return `tenants:\n${lines.join('\n')}\n`;
}

const common = (webhook: string) => `enrich:
  enabled: false
collect:
  interval: 1s
  overlap: 1h
  initialLookback: 7d
  maxConcurrency: 2
  requestsPerMinute: 1200
  listen: false
  leases:
    ttl: 10s
    settle: 3s
alerts:
  destinations:
    - name: hook
      type: webhook
      url: ${JSON.stringify(webhook)}
      backoffMin: 1s
      backoffMax: 2s
`;

interface Daemon {
  child: ChildProcess;
  holder: string | null;
  log: string;
  exited: Promise<number | null>;
}

function startDaemon(config: string): Daemon {
  const child = spawn(process.execPath, [BIN, 'collect', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const d: Daemon = { child, holder: null, log: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  const take = (chunk: Buffer) => {
    d.log = (d.log + chunk.toString()).slice(-200_000);
    const m = /"msg":"The collect daemon started\.".*?"holder":"([^"]+)"/.exec(d.log);
    if (m && !d.holder) d.holder = m[1]!;
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return d;
}

async function until<T>(what: string | (() => Promise<string>), fn: () => Promise<T | null | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`);
    await sleep(250);
  }
}

/** The warnings and errors the daemons logged (for a failure's message and the summary line). */
function problems(daemons: Daemon[]): string[] {
  return daemons.flatMap((d) => d.log.split('\n').filter((l) => /"level":"(warn|error)"/.test(l))).map((l) => l.slice(0, 400));
}

interface AlertLine {
  ruleId: string;
  tenantId: string;
  groupKey: string;
}

const alertKey = (a: AlertLine) => `${a.ruleId} ${a.tenantId} ${a.groupKey}`;

test('three collect processes share six tenants through leases; 20 SIGKILLs with restarts: the exact set once in ClickHouse, each alert raised once and delivered once', { skip, timeout: 900_000 }, async () => {
  const [ch, pgs]: [TestClickHouse, TestPostgres] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  const dir = await mkdtemp(join(tmpdir(), 'aw-many-'));
  const source = createContentSource({
    seed: 'many-collectors', days: 6, users: 6, tenants: 6, scenarios: ['brute-force', 'mailbox-fullaccess-self-grant'],
    latency: { kind: 'fixed', ms: 0 }, live: false, startTime: systemClock.now(), duplicateRate: 0.05,
  });
  const emu = await startEmulator({ source, throttlePerMinute: 0, pageSize: 10 });
  const hook: HttpReceiver = await httpReceiver();
  const reference: HttpReceiver = await httpReceiver();
  const daemons: Daemon[] = [];
  let lostLeases = 0;
  try {
    const tenants = await tenantsYaml(dir, emu);
    await writeFile(join(dir, 'ch.secret'), `${ch.password}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'pg.secret'), `${pgs.password}\n`, { mode: 0o600 });
    const database = await ch.createDatabase();
    const pgDatabase = await pgs.createDatabase();
    const shared = join(dir, 'shared.yaml');
    await writeFile(shared, `${tenants}store:
  path: ./shared.duckdb
  engine: clickhouse
  clickhouse:
    url: ${ch.url}
    database: ${database}
    user: ${ch.user}
    password: { file: ./ch.secret }
  state: postgres
  postgres:
    host: ${pgs.host}
    port: ${pgs.port}
    database: ${pgDatabase}
    user: ${pgs.user}
    password: { file: ./pg.secret }
${common(hook.url)}`);
    const single = join(dir, 'single.yaml');
    await writeFile(single, `${tenants}store:\n  path: ./single.duckdb\n${common(reference.url)}`);

    // The reference: one process, the embedded store, the same records.
    note('servers and emulator up; the reference run');
    const ref = await cli(single, 'collect', '--once');
    assert.equal(ref.code, 0, ref.err.slice(-2000));
    const refList = await cli(single, 'alerts', 'list', '--format', 'json', '--limit', '10000');
    assert.equal(refList.code, 0, refList.err);
    // `alerts list --format json` names them rule and tenant (the alert payload's fields).
    const refAlerts = refList.out.trim().split('\n').filter(Boolean).map((l) => {
      const a = JSON.parse(l) as { rule: string; tenant: string; groupKey: string };
      return { ruleId: a.rule, tenantId: a.tenant, groupKey: a.groupKey };
    });
    assert.ok(refAlerts.length >= 2, `the attacks alert (${refAlerts.length} alerts)`);
    const expected = expectedKeys(emu.control.groundTruth());
    assert.ok(expected.size > 2000, `a week worth sharing (${expected.size} records)`);

    note(`reference: ${refAlerts.length} alerts, ${expected.size} records`);
    // Three daemons on the shared store, killed and restarted.
    for (let i = 0; i < 3; i++) daemons.push(startDaemon(shared));
    const pgq = async (text: string) => {
      const c = new pg.Client({ host: pgs.host, port: pgs.port, user: pgs.user, password: pgs.password, database: pgDatabase });
      await c.connect();
      try {
        return (await c.query(text)).rows as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    };
    const stored = async () => Number((await ch.run('SELECT count() FROM events', database)).trim() || 0);
    const leaderHolder = async () => {
      const rows = await pgq(`SELECT holder FROM collector_leases WHERE tenant_id = '*cluster' AND content_type = 'leader' AND expires_at > now()`).catch(() => []);
      return rows[0] ? String(rows[0]['holder']) : null;
    };
    const rng = new Rng('many-collectors');
    let kills = 0;
    let duringCollection = 0;
    let leaderKills = 0;
    while (kills < KILLS) {
      // Every third kill aims at the leader (detection and delivery move to another process).
      // (A dead leader's lease stays for up to a TTL: wait for a live process to lead.)
      const liveLeader = async () => {
        const h = await leaderHolder();
        return h !== null && daemons.some((d) => d.holder === h) ? h : null;
      };
      const leader = kills % 3 === 2 ? await until('a live leader', liveLeader, 60_000) : null;
      let slot = daemons.findIndex((d) => leader !== null && d.holder === leader);
      if (slot < 0) slot = rng.int(0, 2);
      const victim = daemons[slot]!;
      await until('the daemon to start', async () => victim.holder !== null || victim.child.exitCode !== null, 60_000);
      assert.equal(victim.child.exitCode, null, `a daemon exited by itself: ${victim.log.slice(-2000)}`);
      await sleep(rng.int(300, 4000));
      if ((await stored()) < expected.size) duringCollection++;
      if (leader !== null && victim.holder === leader) leaderKills++;
      victim.child.kill('SIGKILL');
      await victim.exited;
      lostLeases += problems([victim]).filter((l) => l.includes('lease')).length;
      kills++;
      note(`kill ${kills} of slot ${slot}${leader !== null && victim.holder === leader ? ' (the leader)' : ''}; ${await stored()} rows stored`);
      daemons[slot] = startDaemon(shared);
    }
    assert.ok(duringCollection >= 5, `only ${duringCollection} kills came while records were still being collected`);
    assert.ok(leaderKills >= 3, `only ${leaderKills} kills hit the leader`);

    // Everything collected, detected and delivered, by the processes left running.
    await until(async () => `every record (${await stored()} of ${expected.size}); ${problems(daemons).slice(-8).join('\n')}`, async () => (await stored()) >= expected.size, 240_000);
    const clusterAlerts = async () => (await pgq('SELECT rule_id, tenant_id, group_key FROM alerts')).map((r) => ({ ruleId: String(r['rule_id']), tenantId: String(r['tenant_id']), groupKey: String(r['group_key']) }));
    let waiting = '';
    await until(async () => `the alerts and their delivery: ${waiting}`, async () => {
      const keys = new Set((await clusterAlerts()).map(alertKey));
      const pending = await pgq(`SELECT status, count(*)::int AS n FROM alert_outbox WHERE status <> 'delivered' GROUP BY status`);
      const missing = refAlerts.filter((a) => !keys.has(alertKey(a))).map(alertKey);
      waiting = `${missing.length} of ${refAlerts.length} alerts not raised (${missing.slice(0, 3).join('; ')}), not delivered: ${JSON.stringify(pending)}; ${problems(daemons).slice(-5).join('\n')}`;
      return missing.length === 0 && pending.length === 0;
    }, 240_000);
    note('collected, detected and delivered');
    // Late work would show up within a few settle lags.
    await sleep(5_000);

    // Status: who holds what — three live processes (the killed ones' leases expired), one leader, a share each.
    type Report = {
      entries: { tenantId: string; contentType: string; lease: { holder: string; expiresAt: string } | null }[];
      cluster: { leader: { holder: string } | null; processes: { holder: string; leases: number }[] };
    };
    const live = new Set(daemons.map((d) => d.holder));
    let last = '';
    // The dead processes' leases expire and the three left settle on a share of ten each.
    const report = await until(async () => `the shares to settle: ${last.slice(0, 3000)}`, async () => {
      const s = await cli(shared, 'status', '--format', 'json');
      last = s.out || s.err;
      if (s.code !== 0) return null;
      const r = JSON.parse(s.out) as Report;
      const settled = r.cluster.processes.length === 3 && r.cluster.processes.every((p) => live.has(p.holder) && p.leases === 10);
      return settled ? r : null;
    }, 90_000);
    assert.ok(report.cluster.leader && live.has(report.cluster.leader.holder), `the leader is a live process: ${JSON.stringify(report.cluster.leader)}`);
    assert.deepEqual(new Set(report.cluster.processes.map((p) => p.holder)), live);
    assert.equal(report.entries.length, 30, 'six tenants × five content types');
    for (const e of report.entries) assert.ok(e.lease && live.has(e.lease.holder), `${e.tenantId} ${e.contentType} is held by a live process: ${JSON.stringify(e.lease)}`);
    for (const p of report.cluster.processes) assert.equal(p.leases, 10, `${p.holder} holds its share`);
    const table = await cli(shared, 'status');
    assert.match(table.out, /held by/);
    assert.match(table.out, /collect processes sharing the store \(3 alive\):/);
    assert.ok(table.out.includes(`leader (detection, alert delivery, reports): ${report.cluster.leader.holder}`), table.out);

    lostLeases += problems(daemons).filter((l) => l.includes('lease')).length;
    for (const d of daemons) d.child.kill('SIGTERM');
    const codes = await Promise.all(daemons.map((d) => d.exited));
    assert.deepEqual(codes, [0, 0, 0], daemons.map((d) => d.log.slice(-1500)).join('\n---\n'));

    // The exact set, each once, as `auditwatch query` sees it.
    const q = await cli(shared, 'query', '--format', 'json', 'SELECT tenant_id, id FROM events');
    assert.equal(q.code, 0, q.err);
    const rows = q.out.trim().split('\n').map((l) => JSON.parse(l) as { tenant_id: string; id: string });
    const keys = new Set(rows.map((r) => `${r.tenant_id.toLowerCase()} ${r.id.toLowerCase()}`));
    assert.equal(rows.length, keys.size, 'no record visible twice');
    assert.deepEqual(difference(expected, keys), { missing: [], extra: [] });

    // Each alert raised once (detection ran in one process at a time): the same alerts as one process raises.
    const alerts = await clusterAlerts();
    const count = (list: AlertLine[]) => [...list.reduce((m, a) => m.set(alertKey(a), (m.get(alertKey(a)) ?? 0) + 1), new Map<string, number>())].sort();
    assert.deepEqual(count(alerts), count(refAlerts));

    // Every alert revision queued for the webhook reached it exactly once (by Idempotency-Key).
    const outbox = await pgq(`SELECT idempotency_key, status FROM alert_outbox WHERE destination = 'hook'`);
    assert.ok(outbox.length >= alerts.length);
    assert.ok(outbox.every((r) => r['status'] === 'delivered'));
    const byKey = new Map<string, string[]>();
    for (const r of hook.received) {
      const k = String(r.headers['idempotency-key'] ?? '');
      byKey.set(k, [...(byKey.get(k) ?? []), JSON.stringify(JSON.parse(r.body))]);
    }
    assert.deepEqual([...byKey.keys()].sort(), outbox.map((r) => String(r['idempotency_key'])).sort(), 'each queued delivery arrived, and nothing else');
    const repeats = [...byKey.values()].filter((bodies) => bodies.length > 1);
    for (const bodies of repeats) assert.equal(new Set(bodies).size, 1, 'a repeat carries the same key and the same alert');
    assert.ok(repeats.length <= 1, `${repeats.length} deliveries repeated (only a sender killed between the answer and its mark repeats one)`);
    const delivered = new Set([...byKey.values()].map((b) => { const p = JSON.parse(b[0]!) as { alert?: { id?: string }; id?: string }; return p.alert?.id ?? p.id; }));
    assert.equal(delivered.size, alerts.length, 'every alert reached the receiver');
    console.log(`many collectors: ${expected.size} records, ${kills} kills (${duringCollection} while collecting, ${leaderKills} of the leader), ${alerts.length} alerts, ${hook.received.length} webhook requests for ${byKey.size} keys, ${lostLeases} lease warnings`);
  } finally {
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    await Promise.all(daemons.map((d) => d.exited));
    await Promise.all([hook.close(), reference.close(), emu.close()]);
    await Promise.all([ch.stop(), pgs.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
});
