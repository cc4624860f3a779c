// The event-search conformance suite (store/search.ts), run by every events engine: filters, pages
// without gaps or duplicates across ties and time windows, refused cursors, hostile values as plain
// values, one event with its raw record, and the user and IP aggregates. Times are whole seconds so
// servers without DateTime64 (ClickHouse 18.16) hold them exactly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/index.js';
import type { EventRow } from '../../records/index.js';
import { decodeCursor, encodeCursor, getEvent, ipAggregates, searchEvents, userAggregates, type EventFilter, type EventListRow } from '../search.js';
import type { Store } from '../types.js';
import { BASE_TIME, makeBlob, makeEventRow } from './rows.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FROM = BASE_TIME - 10 * DAY;
const TO = BASE_TIME + 10 * DAY;
const HOSTILE_USER = `o'brien\\"%_--@contoso.com`;

/**
 * 90 records over a day in two tenants: every third pair shares its time with a record of the
 * other tenant (ties broken by tenant and Id), sign-ins from three countries, one hostile user.
 */
function dataset(): EventRow[] {
  const rows: EventRow[] = [];
  for (let n = 1; n <= 90; n++) {
    const time = BASE_TIME - Math.floor(n / 3) * 47 * 60_000 - (n % 3 === 0 ? 0 : 1000);
    const tenantId = n % 2 === 0 ? 'tenant-a' : 'tenant-b';
    const country = ['DE', 'FR', null][n % 3] ?? null;
    rows.push(
      makeEventRow(n, {
        tenantId,
        organizationId: tenantId,
        creationTime: time,
        userId: n % 5 === 0 ? 'Alice@Contoso.com' : n === 77 ? HOSTILE_USER : `user${n}@contoso.com`,
        clientIp: n % 4 === 0 ? '198.51.100.4' : '203.0.113.7',
        workload: n % 6 === 0 ? 'Exchange' : 'AzureActiveDirectory',
        operation: n % 6 === 0 ? 'MailItemsAccessed' : n % 2 === 0 ? 'UserLoggedIn' : 'UserLoginFailed',
        resultStatus: n % 2 === 0 ? 'Success' : 'Failed',
        country,
        asn: n % 4 === 0 ? 64500 : 64501,
        raw: JSON.stringify({ Id: `r${n}`, Note: n === 42 ? 'The Needle in 42' : 'hay', Operation: 'x' }),
      }),
    );
  }
  return rows;
}

/** The dataset's matching ids in the search's order, computed here. */
function expected(rows: EventRow[], keep: (r: EventRow) => boolean): string[] {
  return rows
    .filter((r) => keep(r))
    .sort((a, b) => b.creationTime - a.creationTime || (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => `${r.tenantId}/${r.id}`);
}

const key = (e: EventListRow) => `${e.tenant}/${e.id}`;

async function allPages(store: Store, f: EventFilter, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await searchEvents(store, f, { limit, ...(cursor ? { cursor } : {}) });
    assert.ok(page.events.length <= limit);
    ids.push(...page.events.map(key));
    cursor = page.nextCursor;
    pages += 1;
    assert.ok(pages < 100, 'paging ends');
  } while (cursor);
  return { ids, pages };
}

function refused(err: unknown): true {
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.code, 'bad_cursor');
  assert.ok(!err.message.includes('\n'));
  assert.match(err.message, /start the search again/);
  return true;
}

export function runSearchConformance(name: string, open: () => Promise<Store>): void {
  const withData = (title: string, fn: (store: Store, rows: EventRow[]) => Promise<void>) =>
    test(`${name} search: ${title}`, async () => {
      const store = await open();
      try {
        const rows = dataset();
        await store.commitBlobs([makeBlob('s-a', rows.filter((r) => r.tenantId === 'tenant-a')), makeBlob('s-b', rows.filter((r) => r.tenantId === 'tenant-b'))]);
        await fn(store, rows);
      } finally {
        await store.close();
      }
    });

  withData('each filter selects exactly its rows, newest first', async (store, rows) => {
    const cases: [EventFilter, (r: EventRow) => boolean][] = [
      [{ from: FROM, to: TO }, () => true],
      [{ from: FROM, to: TO, user: 'ALICE@contoso.COM' }, (r) => r.userId === 'Alice@Contoso.com'],
      [{ from: FROM, to: TO, user: 'user3@contoso.com' }, (r) => r.userId === 'user3@contoso.com'],
      [{ from: FROM, to: TO, ip: '198.51.100.4' }, (r) => r.clientIp === '198.51.100.4'],
      [{ from: FROM, to: TO, operation: 'userloginfailed' }, (r) => r.operation === 'UserLoginFailed'],
      [{ from: FROM, to: TO, workload: 'exchange' }, (r) => r.workload === 'Exchange'],
      [{ from: FROM, to: TO, result: 'SUCCESS' }, (r) => r.resultStatus === 'Success'],
      [{ from: FROM, to: TO, tenantId: 'tenant-b' }, (r) => r.tenantId === 'tenant-b'],
      [{ from: FROM, to: TO, text: 'needle IN 42' }, (r) => r.raw.includes('Needle in 42')],
      [{ from: BASE_TIME - 10 * HOUR, to: BASE_TIME - 3 * HOUR }, (r) => r.creationTime >= BASE_TIME - 10 * HOUR && r.creationTime < BASE_TIME - 3 * HOUR],
      [{ from: FROM, to: TO, user: 'alice@contoso.com', ip: '198.51.100.4', tenantId: 'tenant-a' }, (r) => r.userId === 'Alice@Contoso.com' && r.clientIp === '198.51.100.4' && r.tenantId === 'tenant-a'],
    ];
    for (const [f, keep] of cases) {
      const want = expected(rows, keep);
      assert.ok(want.length > 0, `the case ${JSON.stringify(f)} selects something`);
      const page = await searchEvents(store, f, { limit: 1000 });
      assert.deepEqual(page.events.map(key), want, JSON.stringify(f));
      assert.equal(page.nextCursor, null);
    }
    const [first] = (await searchEvents(store, { from: FROM, to: TO, tenantId: 'tenant-a', user: 'alice@contoso.com' }, { limit: 1 })).events;
    const source = rows.find((r) => r.tenantId === first!.tenant && r.id === first!.id)!;
    assert.deepEqual(first, {
      id: source.id,
      tenant: 'tenant-a',
      time: new Date(source.creationTime).toISOString(),
      user: 'Alice@Contoso.com',
      ip: source.clientIp,
      country: source.country,
      asn: source.asn,
      operation: source.operation,
      workload: source.workload,
      result: source.resultStatus,
      recordType: 15,
    });
  });

  withData('pages cover every row once, across time ties and time windows', async (store, rows) => {
    for (const [f, keep] of [
      [{ from: FROM, to: TO }, () => true],
      [{ from: FROM, to: TO, ip: '203.0.113.7' }, (r: EventRow) => r.clientIp === '203.0.113.7'],
    ] as [EventFilter, (r: EventRow) => boolean][]) {
      const want = expected(rows, keep);
      for (const limit of [1, 7, 30]) {
        const got = await allPages(store, f, limit);
        assert.deepEqual(got.ids, want, `limit ${limit}`);
        assert.equal(got.pages, Math.max(1, Math.ceil(want.length / limit)));
      }
    }
  });

  withData('a changed or made-up cursor is refused in one line', async (store) => {
    const page = await searchEvents(store, { from: FROM, to: TO }, { limit: 5 });
    assert.ok(page.nextCursor);
    const c = page.nextCursor;
    const bad = [
      `${c}x`.replace(/[^A-Za-z0-9_-]/g, ''),
      c.slice(0, -3),
      `${c}=`,
      'not a cursor',
      Buffer.from('{"ms":1}').toString('base64url'),
      Buffer.from(JSON.stringify(['1', 'a', 'b'])).toString('base64url'),
      Buffer.from(JSON.stringify([1.5, 'a', 'b'])).toString('base64url'),
      Buffer.from(JSON.stringify([1, 'a'])).toString('base64url'),
      '',
    ];
    for (const cursor of bad) {
      if (cursor === '') {
        assert.throws(() => decodeCursor(cursor), refused);
        continue;
      }
      await assert.rejects(searchEvents(store, { from: FROM, to: TO }, { limit: 5, cursor }), refused, cursor);
    }
    // A well-formed cursor holding hostile text is a plain value: it pages, it does not inject.
    const hostile = encodeCursor({ ms: BASE_TIME, tenant: "tenant-a' OR '1'='1", id: "x'); DROP TABLE events; --" });
    const after = await searchEvents(store, { from: FROM, to: TO }, { limit: 1000, cursor: hostile });
    assert.ok(after.events.every((e) => Date.parse(e.time) <= BASE_TIME));
    assert.equal((await searchEvents(store, { from: FROM, to: TO }, { limit: 1000 })).events.length, 90);
  });

  withData('hostile filter values are plain values', async (store, rows) => {
    const none: EventFilter[] = [
      { from: FROM, to: TO, user: "' OR 1=1 --" },
      { from: FROM, to: TO, ip: "203.0.113.7' OR '1'='1" },
      { from: FROM, to: TO, operation: '%' },
      { from: FROM, to: TO, text: '%_%' },
      { from: FROM, to: TO, text: "\\' OR 1=1 --" },
      { from: FROM, to: TO, tenantId: '`; DROP TABLE events; --' },
      { from: FROM, to: TO, result: '\u0000\u202e' },
    ];
    for (const f of none) assert.deepEqual((await searchEvents(store, f, { limit: 10 })).events, [], JSON.stringify(f));
    const hostile = await searchEvents(store, { from: FROM, to: TO, user: HOSTILE_USER.toUpperCase() }, { limit: 10 });
    assert.deepEqual(hostile.events.map(key), expected(rows, (r) => r.userId === HOSTILE_USER));
    assert.equal(hostile.events[0]?.user, HOSTILE_USER);
  });

  withData('one event by tenant and Id, with its raw record parsed', async (store, rows) => {
    const r = rows[41]!;
    const e = await getEvent(store, r.tenantId, r.id);
    assert.ok(e);
    assert.equal(e.id, r.id);
    assert.equal(e.tenant, r.tenantId);
    assert.deepEqual(e.raw, JSON.parse(r.raw));
    assert.equal(await getEvent(store, r.tenantId === 'tenant-a' ? 'tenant-b' : 'tenant-a', r.id), null);
    assert.equal(await getEvent(store, r.tenantId, "x' OR '1'='1"), null);
  });

  withData("a user's sign-ins by country, IPs and recent events; an IP's users and operations", async (store, rows) => {
    const alice = rows.filter((r) => r.userId === 'Alice@Contoso.com');
    const u = await userAggregates(store, 'alice@CONTOSO.com', FROM, TO);
    const byCountry = new Map<string | null, { ok: number; failed: number }>();
    for (const r of alice) {
      if (r.operation !== 'UserLoggedIn' && r.operation !== 'UserLoginFailed') continue;
      const c = byCountry.get(r.country) ?? { ok: 0, failed: 0 };
      if (r.operation === 'UserLoggedIn') c.ok += 1;
      else c.failed += 1;
      byCountry.set(r.country, c);
    }
    const sortKey = (x: { country: string | null }) => x.country ?? '';
    assert.deepEqual(
      [...u.signInsByCountry].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
      [...byCountry.entries()].map(([country, c]) => ({ country, ...c })).sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    );
    assert.ok(u.signInsByCountry.some((c) => c.ok > 0) && u.signInsByCountry.some((c) => c.failed > 0));
    const ipCounts = new Map<string, number>();
    for (const r of alice) ipCounts.set(r.clientIp!, (ipCounts.get(r.clientIp!) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(u.ips.map((i) => [i.ip, i.count])), Object.fromEntries(ipCounts));
    assert.equal(u.ips.find((i) => i.ip === '198.51.100.4')?.asn, 64500);
    assert.deepEqual(u.recentEvents.map(key), expected(rows, (r) => r.userId === 'Alice@Contoso.com').slice(0, 50));

    const ip = await ipAggregates(store, '198.51.100.4', FROM, TO);
    const at = rows.filter((r) => r.clientIp === '198.51.100.4');
    assert.equal(ip.asn, 64500);
    assert.ok(ip.country === 'DE' || ip.country === 'FR');
    const users = new Map<string, number>();
    for (const r of at) users.set(r.userId, (users.get(r.userId) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(ip.users.map((x) => [x.user, x.count])), Object.fromEntries(users));
    assert.equal(ip.users[0]?.user, 'Alice@Contoso.com');
    const ops = new Map<string, number>();
    for (const r of at) ops.set(r.operation, (ops.get(r.operation) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(ip.operations.map((x) => [x.operation, x.count])), Object.fromEntries(ops));
    const nobody = await ipAggregates(store, '192.0.2.99', FROM, TO);
    assert.deepEqual(nobody, { country: null, asn: null, users: [], operations: [] });
  });
}
