// The events-port conformance suite: the methods that suite.ts (ingest, ledger, cursors, gaps, import,
// retention, exactly-once) leaves to the port's readers — the commit watermark incremental detection
// reads, ingested records by page, event keys, client-IP enrichment, dead letters, and the collection
// statistics of status and reports. Written once, run by each engine (runEventsConformance('duckdb',
// engine)); it talks to the ports only. `engine.open()` returns a new, empty, migrated store each call.
// An engine may skip a check only by naming it in `skips` with the reason; the runner prints the list.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyticsPort, EventsPort } from '../types.js';
import { BASE_TIME, makeBlob, makeEventRow } from './rows.js';

export interface EventsHandle {
  readonly events: EventsPort;
  readonly analytics: AnalyticsPort;
  close(): Promise<void>;
}

export interface EventsEngine {
  open(): Promise<EventsHandle>;
  /** Check title → why the engine cannot pass it. Every skip is printed. */
  skips?: Record<string, string>;
}

export interface EventsCheck {
  title: string;
  run(h: EventsHandle): Promise<void>;
}

const HOUR = 3_600_000;
const AAD = 'Audit.AzureActiveDirectory';
const EXO = 'Audit.Exchange';

export const EVENTS_CHECKS: readonly EventsCheck[] = [
  {
    title: 'commitWatermark: null when empty, then the newest ingest time of any commit or import',
    async run({ events }) {
      assert.equal(await events.commitWatermark(), null);
      await events.commitBlobs([makeBlob('b1', [makeEventRow(1)], { ingestedAt: BASE_TIME + HOUR })]);
      assert.equal(await events.commitWatermark(), BASE_TIME + HOUR);
      await events.importRecords({ tenantId: 'tenant-a', sourceId: 'file.json', rows: [makeEventRow(2)], rejects: [], ingestedAt: BASE_TIME + 2 * HOUR });
      assert.equal(await events.commitWatermark(), BASE_TIME + 2 * HOUR);
      // A duplicate stores nothing, so the watermark stays.
      await events.commitBlobs([makeBlob('b2', [makeEventRow(1)], { ingestedAt: BASE_TIME + 3 * HOUR })]);
      assert.equal(await events.commitWatermark(), BASE_TIME + 2 * HOUR);
    },
  },
  {
    title: 'ingestedRecords: exactly the records in (after, upTo], in ingest-time, tenant and Id order, by page',
    async run({ events }) {
      await events.commitBlobs([makeBlob('b1', [makeEventRow(3), makeEventRow(1)], { ingestedAt: BASE_TIME + HOUR })]);
      await events.commitBlobs([makeBlob('b2', [makeEventRow(2, { tenantId: 'tenant-b' }), makeEventRow(2)], { tenantId: 'tenant-b', contentType: EXO, ingestedAt: BASE_TIME + 2 * HOUR })]);
      await events.commitBlobs([makeBlob('b3', [makeEventRow(4)], { ingestedAt: BASE_TIME + 3 * HOUR })]);
      const range = { after: BASE_TIME + HOUR - 1, upTo: BASE_TIME + 2 * HOUR };
      const all = await events.ingestedRecords(range, { limit: 10, offset: 0 });
      assert.deepEqual(all.map((r) => [r.tenantId, JSON.parse(r.raw).Id]), [
        ['tenant-a', makeEventRow(1).id], ['tenant-a', makeEventRow(3).id], ['tenant-a', makeEventRow(2).id], ['tenant-b', makeEventRow(2).id],
      ]);
      assert.equal(all[0]!.contentType, AAD);
      assert.equal(all[0]!.sourceId, 'b1');
      const pages = [...(await events.ingestedRecords(range, { limit: 3, offset: 0 })), ...(await events.ingestedRecords(range, { limit: 3, offset: 3 }))];
      assert.deepEqual(pages, all);
      assert.deepEqual(await events.ingestedRecords({ after: BASE_TIME + 2 * HOUR, upTo: BASE_TIME + 2 * HOUR }, { limit: 10, offset: 0 }), []);
    },
  },
  {
    title: 'eventKeys: every stored (tenant, Id), or those among the ids asked for',
    async run({ events }) {
      await events.commitBlobs([makeBlob('b1', [makeEventRow(1), makeEventRow(2)])]);
      await events.commitBlobs([makeBlob('b2', [makeEventRow(1, { tenantId: 'tenant-b' })], { tenantId: 'tenant-b' })]);
      const key = (r: { tenantId: string; id: string }) => `${r.tenantId} ${r.id}`;
      assert.deepEqual((await events.eventKeys()).map(key).sort(), [`tenant-a ${makeEventRow(1).id}`, `tenant-a ${makeEventRow(2).id}`, `tenant-b ${makeEventRow(1).id}`]);
      assert.deepEqual((await events.eventKeys([makeEventRow(1).id, 'no-such-id'])).map(key).sort(), [`tenant-a ${makeEventRow(1).id}`, `tenant-b ${makeEventRow(1).id}`]);
      assert.deepEqual(await events.eventKeys([]), []);
    },
  },
  {
    title: 'enrichment: unenriched client IPs are listed, enrichClientIp fills only records without it',
    async run({ events }) {
      const geo = { country: 'NL', city: 'Amsterdam', latitude: 52.37, longitude: 4.89, asn: 64500, asOrg: 'Example Net' };
      await events.commitBlobs([makeBlob('b1', [
        makeEventRow(1, { clientIp: '198.51.100.1' }),
        makeEventRow(2, { clientIp: '198.51.100.1' }),
        makeEventRow(3, { clientIp: '198.51.100.2', ...geo }),
        makeEventRow(4, { clientIp: null }),
      ])]);
      assert.deepEqual((await events.unenrichedClientIps()).sort(), ['198.51.100.1']);
      assert.equal(await events.enrichClientIp('198.51.100.1', geo), 2);
      assert.deepEqual(await events.unenrichedClientIps(), []);
      assert.equal(await events.enrichClientIp('198.51.100.1', geo), 0);
    },
  },
  {
    title: 'collectionStats: records, today, newest times, ledger, gaps and dead letters per tenant and content type',
    async run({ events }) {
      const today = BASE_TIME + 2 * HOUR;
      await events.commitBlobs([makeBlob('b1', [makeEventRow(1), makeEventRow(2)], { ingestedAt: BASE_TIME + HOUR, rejects: [{ reason: 'no Id', raw: '{"Operation":"x"}' }] })]);
      await events.commitBlobs([makeBlob('b2', [makeEventRow(3)], { ingestedAt: BASE_TIME + 3 * HOUR, contentCreated: BASE_TIME + HOUR })]);
      await events.commitBlobs([makeBlob('b3', [makeEventRow(4, { tenantId: 'tenant-b' })], { tenantId: 'tenant-b', contentType: EXO, ingestedAt: BASE_TIME + 3 * HOUR })]);
      await events.importRecords({ tenantId: 'tenant-a', sourceId: 'f.json', rows: [makeEventRow(5)], rejects: [{ reason: 'not JSON', raw: '{' }], ingestedAt: BASE_TIME + 4 * HOUR });
      await events.recordGap({ tenantId: 'tenant-a', contentType: AAD, contentId: 'lost', windowStart: BASE_TIME, windowEnd: BASE_TIME + HOUR, code: 'AF20051', reason: 'content expired', detectedAt: BASE_TIME + HOUR });
      const stats = await events.collectionStats({ today, ledgerSince: BASE_TIME + HOUR });
      const ev = (t: string, c: string | null) => stats.events.find((e) => e.tenantId === t && e.contentType === c);
      assert.deepEqual(ev('tenant-a', AAD), { tenantId: 'tenant-a', contentType: AAD, records: 3, recordsToday: 1, newestEvent: makeEventRow(3).creationTime, newestIngest: BASE_TIME + 3 * HOUR });
      assert.equal(ev('tenant-b', EXO)?.records, 1);
      assert.equal(ev('tenant-a', null)?.records, 1, 'imported records have no content type');
      assert.equal(stats.events.length, 3);
      const ledgerA = stats.ledger.find((l) => l.tenantId === 'tenant-a' && l.contentType === AAD);
      assert.equal(ledgerA?.blobs, 1, 'only blobs created at or after ledgerSince');
      assert.equal(ledgerA?.blobsToday, 1);
      assert.deepEqual(stats.gaps.map((g) => [g.tenantId, g.contentType, g.code, g.count]), [['tenant-a', AAD, 'AF20051', 1]]);
      const dead = stats.deadLetters.reduce((n, d) => n + d.count, 0);
      assert.equal(dead, 2);
      assert.ok(stats.deadLetters.some((d) => d.tenantId === 'tenant-a' && d.contentType === AAD && d.count === 1));
      const light = await events.collectionStats({ today, ledgerSince: BASE_TIME + HOUR, events: false });
      assert.deepEqual(light.events, [], 'events: false leaves out the record counts');
      assert.deepEqual({ ...light, events: stats.events }, stats, 'and answers the ledger, gaps and dead letters the same');
    },
  },
];

export function runEventsConformance(name: string, engine: EventsEngine): void {
  const skips = engine.skips ?? {};
  const titles = new Set(EVENTS_CHECKS.map((c) => c.title));
  test(`${name} events: the skip list names only checks that exist`, () => {
    const unknown = Object.keys(skips).filter((s) => !titles.has(s));
    if (unknown.length > 0) throw new Error(`unknown checks in the skip list: ${unknown.join('; ')}`);
    for (const [title, reason] of Object.entries(skips)) console.log(`# ${name} events skips "${title}": ${reason}`);
  });
  for (const check of EVENTS_CHECKS) {
    const reason = skips[check.title];
    test(`${name} events: ${check.title}`, reason === undefined ? {} : { skip: reason }, async () => {
      const h = await engine.open();
      try {
        await check.run(h);
      } finally {
        await h.close();
      }
    });
  }
}
