// The analytics-port conformance suite: every construct of the engine's dialect table that compiled
// rules and report sections are built from (store/sql/dialect.ts), run on stored records through
// `analytics.query`, must give the same answer on every engine; and the user's read-only query. The
// dialect comes from the port (`analytics.dialect`), so the suite needs no engine name. Constructs an
// engine's release lacks (capabilities) are skipped with the reason and listed. Run per engine
// (runAnalyticsConformance('duckdb', engine)) with the events suite's engine (conformance/events.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/index.js';
import { DETECT_DIALECTS, ident, join, sql, type DetectDialect, type Sql } from '../sql/index.js';
import type { Capabilities } from '../sql/index.js';
import type { EventsHandle, EventsEngine } from './events.js';
import { BASE_TIME, makeBlob, makeEventRow } from './rows.js';

interface AnalyticsCheck {
  title: string;
  /** The capabilities the check needs; without them it is skipped with the reason. */
  needs?: (keyof Capabilities)[];
  run(h: EventsHandle, d: DetectDialect): Promise<void>;
}

const DAY = 86_400_000;
const col = ident;

/** Five records with the values the predicates below tell apart. */
async function seed(h: EventsHandle): Promise<void> {
  await h.events.commitBlobs([makeBlob('b1', [
    makeEventRow(1, { operation: 'Add-MailboxPermission', parameters: { AccessRights: 'FullAccess', User: 'Eve@Contoso.com' }, clientIp: '10.0.0.1', errorNumber: null }),
    makeEventRow(2, { operation: 'Set-Mailbox', parameters: { ForwardingSmtpAddress: 'smtp:x@evil.example' }, clientIp: '192.168.1.20', creationTime: BASE_TIME + DAY }),
    makeEventRow(3, { operation: 'UserLoginFailed', errorNumber: '50126', clientIp: '2001:db8::1', modifiedProperties: { 'Role.DisplayName': { oldValue: null, newValue: 'Global Administrator' } } }),
    makeEventRow(4, { operation: "O'Brien \\ test", clientIp: null }),
    makeEventRow(5, { operation: 'userloggedin', errorNumber: '0', creationTime: BASE_TIME + DAY + 1000 }),
  ])]);
}

/** The record numbers (1..5, from the Id's tail) whose row satisfies `where`. */
async function which(h: EventsHandle, where: Sql): Promise<number[]> {
  const rows = await h.analytics.query(sql`SELECT ${col('id')} AS id FROM ${col('events')} WHERE coalesce(${where}, ${sql`1 = 0`}) ORDER BY ${col('id')}`);
  return rows.map((r) => parseInt(String(r['id']).slice(-12), 16));
}

const CHECKS: readonly AnalyticsCheck[] = [
  {
    title: 'rule constructs: case folding, contains, starts/ends with, LIKE, regex, numbers',
    async run(h, d) {
      await seed(h);
      const op = d.lower(col('operation'));
      assert.deepEqual(await which(h, sql`${op} = ${'userloggedin'}`), [5]);
      assert.deepEqual(await which(h, d.contains(op, sql`${'mailbox'}`)), [1, 2]);
      assert.deepEqual(await which(h, d.startsWith(op, sql`${'set-'}`)), [2]);
      assert.deepEqual(await which(h, d.endsWith(op, sql`${'failed'}`)), [3]);
      assert.deepEqual(await which(h, d.like(col('operation'), sql`${"O'Brien \\\\%"}`)), [4]);
      assert.deepEqual(await which(h, d.regex(col('operation'), sql`${'(?i)^user(logged|login)'}`)), [3, 5]);
      assert.deepEqual(await which(h, sql`${d.number(col('error_number'))} > ${50000}`), [3]);
      assert.deepEqual(await which(h, sql`${d.coalesce(col('client_ip'), sql`${'none'}`)} = ${'none'}`), [4]);
    },
  },
  {
    title: 'rule constructs: JSON fields, flat and nested',
    async run(h, d) {
      await seed(h);
      assert.deepEqual(await which(h, sql`${d.json('parameters', ['AccessRights'])} = ${'FullAccess'}`), [1]);
      assert.deepEqual(await which(h, sql`${d.lower(d.json('parameters', ['User']))} = ${'eve@contoso.com'}`), [1]);
      assert.deepEqual(await which(h, sql`${d.json('modified_properties', ['Role.DisplayName', 'newValue'])} = ${'Global Administrator'}`), [3]);
    },
  },
  {
    title: 'rule and report constructs: member names, e-mail domains, trimming, non-null values joined',
    async run(h, d) {
      await seed(h);
      assert.deepEqual(await which(h, d.anyOf(d.jsonNames('parameters'), (x) => sql`${d.lower(x)} = ${'accessrights'}`)), [1]);
      assert.deepEqual(await which(h, d.sameEmailDomain(d.json('parameters', ['User']), sql`${'boss@contoso.com'}`)), [1]);
      assert.deepEqual(await which(h, sql`${d.trim(sql`${'  x '}`)} = ${'x'}`), [1, 2, 3, 4, 5]);
      const rows = await h.analytics.query(sql`SELECT ${d.concatNonNull('; ', [d.json('parameters', ['User']), d.json('parameters', ['AccessRights'])])} AS j FROM ${col('events')} ORDER BY ${col('id')}`);
      assert.deepEqual(rows.map((r) => r['j']), ['Eve@Contoso.com; FullAccess', '', '', '', '']);
    },
  },
  {
    title: 'rule constructs: IPv4 numbers and IPv6 hex',
    async run(h, d) {
      await seed(h);
      assert.deepEqual(await which(h, sql`${d.ipv4Number(col('client_ip'))} BETWEEN ${167772160} AND ${184549375}`), [1]);
      assert.deepEqual(await which(h, sql`${d.ipv6Hex(col('client_ip'))} = ${'20010db8000000000000000000000001'}`), [3]);
    },
  },
  {
    title: 'report constructs: period filter, day buckets, distinct counts and value lists',
    async run(h, d) {
      await seed(h);
      const day = d.truncate('day', col('creation_time'));
      const rows = await h.analytics.query(sql`SELECT ${d.ms(day)} AS day, count(*) AS n, ${d.countDistinct(col('operation'))} AS ops, ${d.listOf(d.lower(col('operation')), 2)} AS list
        FROM ${col('events')} WHERE ${col('creation_time')} >= ${d.timestamp(BASE_TIME)} AND ${col('creation_time')} < ${d.timestamp(BASE_TIME + 2 * DAY)}
        GROUP BY day ORDER BY day`);
      const start = Math.floor(BASE_TIME / DAY) * DAY;
      assert.deepEqual(rows.map((r) => [Number(r['day']), Number(r['n']), Number(r['ops']), r['list']]), [
        [start, 3, 3, "add-mailboxpermission; o'brien \\ test"],
        [start + DAY, 2, 2, 'set-mailbox; userloggedin'],
      ]);
    },
  },
  {
    title: 'correlation constructs: distinct counts over a window and the previous row',
    needs: ['windowFunctions'],
    async run(h, d) {
      await seed(h);
      const over = sql`ORDER BY ${col('creation_time')}, ${col('id')} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`;
      const rows = await h.analytics.query(sql`SELECT ${d.countDistinctWindow(d.lower(col('workload')), over)} AS n, ${d.ms(col('creation_time'))} AS ms FROM ${col('events')} ORDER BY ms, ${col('id')}`);
      assert.deepEqual(rows.map((r) => Number(r['n'])), [1, 1, 1, 1, 1]);
      assert.deepEqual(rows.map((r) => Number(r['ms'])), [BASE_TIME + 1000, BASE_TIME + 3000, BASE_TIME + 4000, BASE_TIME + DAY, BASE_TIME + DAY + 1000]);
    },
  },
  {
    title: 'values travel intact: hostile text, lists and numbers as parameters or literals',
    async run(h, d) {
      await seed(h);
      const hostile = ["O'Brien \\ test", 'x\'); DROP TABLE events; --'];
      assert.deepEqual(await which(h, sql`${col('operation')} IN (${join(hostile.map((v) => sql`${v}`))})`), [4]);
      assert.deepEqual(await which(h, sql`${d.text(col('record_type'))} = ${'15'} AND ${col('record_type')} = ${15}`), [1, 2, 3, 4, 5]);
    },
  },
  {
    title: 'queryReadOnly: a read answers, a write is refused in one line and changes nothing',
    async run(h) {
      await seed(h);
      assert.deepEqual((await h.analytics.queryReadOnly('SELECT count(*) AS n FROM events')).map((r) => Number(r['n'])), [5]);
      await assert.rejects(h.analytics.queryReadOnly('DELETE FROM events'), (err) => err instanceof AppError && err.code === 'query_refused' && !err.message.includes('\n'));
      assert.deepEqual((await h.analytics.queryReadOnly('SELECT count(*) AS n FROM events')).map((r) => Number(r['n'])), [5]);
    },
  },
];

export const ANALYTICS_CHECKS: readonly { title: string; needs?: readonly string[] }[] = CHECKS;

export function runAnalyticsConformance(name: string, engine: EventsEngine): void {
  const skips = engine.skips ?? {};
  for (const check of CHECKS) {
    test(`${name} analytics: ${check.title}`, async (t) => {
      const h = await engine.open();
      try {
        const missing = (check.needs ?? []).filter((c) => !h.analytics.dialect.capabilities[c]);
        const reason = skips[check.title] ?? (missing.length ? `the engine's release lacks ${missing.join(', ')}` : undefined);
        if (reason !== undefined) {
          console.log(`# ${name} analytics skips "${check.title}": ${reason}`);
          t.skip(reason);
          return;
        }
        await check.run(h, DETECT_DIALECTS[h.analytics.dialect.name]);
      } finally {
        await h.close();
      }
    });
  }
}
