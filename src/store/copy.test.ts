// The copy port (ports/copy.ts) on real engines: every table paged one row at a time (so each key's
// "after" predicate is used) from a DuckDB store and written into a PostgreSQL state store and another
// DuckDB file gives back the same rows — hostile text (U+0000, U+FFFF, quotes), nulls, booleans and
// millisecond times included; writing a page twice leaves the rows once, and a row written again with
// new values replaces the old one. Events read back hold exactly what ingest wrote, column by column.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Secret } from '../core/index.js';
import { COPY_TABLES, EVENT_COLUMNS, openDuckDbStore, openPostgresState, type CopyRow, type CopyTable, type Store } from './index.js';
import { BASE_TIME, makeBlob, makeEventRow } from './conformance/rows.js';
import { HOSTILE, makeAlert, outboxRow } from './conformance/state-rows.js';
import { startTestPostgres, type TestPostgres } from './postgres/server.testing.js';

const dir = mkdtempSync(join(tmpdir(), 'aw-copyport-'));
let server: TestPostgres;
let source: Store;

before(async () => {
  server = await startTestPostgres();
  source = await openDuckDbStore({ path: join(dir, 'source.duckdb') });
  await source.migrate();
  const rows = HOSTILE.map((text, i) => makeEventRow(i + 1, { userId: text, tenantId: i % 2 ? 'tenant-b' : 'tenant-a' }));
  await source.commitBlobs([makeBlob('blob-1', rows, { tenantId: 'tenant-a' })], { tenantId: 'tenant-a', contentType: 'Audit.AzureActiveDirectory', position: BASE_TIME + 123 });
  await source.recordGap({ tenantId: 'tenant-a', contentType: 'Audit.Exchange', contentId: null, windowStart: BASE_TIME, windowEnd: BASE_TIME + 60_000, code: 'AF20051', reason: HOSTILE[2]!, detectedAt: BASE_TIME + 7 });
  const s = source.state;
  for (const [i, text] of HOSTILE.entries()) {
    const alert = makeAlert(i + 1, { title: text, assignee: i % 2 ? null : text });
    await s.alerts.insert(alert);
    await s.alerts.appendHistory(alert.id, { at: BASE_TIME + i, actor: text, action: 'open', from: null, to: 'new', detail: i % 2 ? null : text });
    await s.alerts.appendHistory(alert.id, { at: BASE_TIME + i + 1, actor: 'ann', action: 'ack', from: 'new', to: 'acknowledged', detail: null });
    await s.alerts.addEvidence(alert.id, [`rec-${i}`, `rec-${i + 1}`]);
    await s.outbox.enqueue([outboxRow(alert.id, 'hook', 1, BASE_TIME + i), outboxRow(alert.id, 'mail', 2, BASE_TIME + i)]);
  }
  await s.suppressions.insert({ id: 'sup-1', ruleId: null, tenantId: 'tenant-a', entities: ['users:a'], reason: HOSTILE[0]!, createdBy: 'ann', createdAt: BASE_TIME, expiresAt: null });
  await s.suppressions.remove('sup-1', BASE_TIME + 5);
  await s.rules.set({ ruleId: 'rule-1', enabled: false, changedBy: 'ann', changedAt: BASE_TIME + 3, reason: null });
  await s.rules.set({ ruleId: 'rule-1', enabled: true, changedBy: 'bob', changedAt: BASE_TIME + 4, reason: HOSTILE[1]! });
  await s.detection.setWatermarks(['rule-1', 'rule-2'], BASE_TIME + 999, BASE_TIME);
  await s.detection.recordEvidence('rule-1', [{ tenantId: 'tenant-a', eventId: 'e1', groupKey: HOSTILE[3]! }], BASE_TIME);
  await s.reportRuns.claim({ schedule: 'daily', dueAt: BASE_TIME, report: 'self-grants', status: 'baseline', at: BASE_TIME });
  await s.accounts.put({ name: 'ann', role: 'admin', passwordHash: 'scrypt$x', createdAt: BASE_TIME, changedAt: BASE_TIME });
  await s.identities.apply('tenant-a', { add: [{ value: 'ann@contoso.com', kind: 'upn', personId: 'p1' }], relabel: [], ambiguous: [] }, BASE_TIME);
  await s.collector.save([{ tenantId: 'tenant-a', contentType: 'Audit.Exchange', subscription: 'enabled', lastError: { code: 'AF1', message: HOSTILE[4]!, at: BASE_TIME }, lastSuccess: null }], BASE_TIME);
});
after(async () => {
  await source?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function allRows(copy: { readTable: Store['copy']['readTable'] }, table: CopyTable, limit: number): Promise<CopyRow[]> {
  const rows: CopyRow[] = [];
  for (let from: CopyRow | null = null, page: CopyRow[]; (page = await copy.readTable(table, from, limit)).length > 0; from = page[page.length - 1]!) rows.push(...page);
  return rows;
}

test('every table, paged one row at a time, written into PostgreSQL and into DuckDB (twice), reads back the same', async () => {
  const pgStore = await openPostgresState({ host: '127.0.0.1', port: server.port, database: await server.createDatabase(), user: server.user, password: new Secret(server.password) });
  const duck = await openDuckDbStore({ path: join(dir, 'target.duckdb') });
  await duck.migrate();
  try {
    for (const table of COPY_TABLES) {
      const rows = await allRows(source.copy, table, 1);
      assert.deepEqual(rows, await allRows(source.copy, table, 1000), `${table}: pages of one row give the same rows as one page`);
      for (const target of [pgStore.copy, duck.copy]) {
        await target.writeTable(table, rows);
        await target.writeTable(table, rows);
        assert.deepEqual(await allRows(target, table, 1000), rows, table);
        assert.equal(await target.countTable(table), rows.length, `${table}: each row once`);
      }
    }
    assert.ok((await allRows(source.copy, 'alerts', 1000)).length === HOSTILE.length);
    // A row written again with new values replaces the one with its key.
    const [first] = await allRows(source.copy, 'alerts', 1);
    await pgStore.copy.writeTable('alerts', [{ ...first!, status: 'resolved' }]);
    assert.equal((await pgStore.state.alerts.get(String(first!['id'])))?.status, 'resolved');
    // PostgreSQL numbers the next history entry of a copied alert after the copied ones.
    assert.equal(await pgStore.state.alerts.appendHistory(String(first!['id']), { at: BASE_TIME + 50, actor: 'bob', action: 'resolve', from: 'acknowledged', to: 'resolved', detail: null }), 3);
    assert.deepEqual((await pgStore.state.alerts.history(String(first!['id']))).map((h) => h.action), ['open', 'ack', 'resolve']);
    assert.equal(await duck.state.alerts.appendHistory(String(first!['id']), { at: BASE_TIME + 50, actor: 'bob', action: 'resolve', from: 'acknowledged', to: 'resolved', detail: null }), 3);
  } finally {
    await pgStore.close();
    await duck.close();
  }
});

test('events read for a copy hold what ingest wrote, column by column, and a page written twice is stored once', async () => {
  const days = await source.copy.eventDays();
  assert.deepEqual(days.map((d) => d.tenantId), ['tenant-a', 'tenant-b']);
  const events = [];
  for (const day of days) {
    for (let from: { creationTime: number; id: string } | null = null, page; (page = await source.copy.readEvents(day, from, 2)).length > 0; ) {
      events.push(...page);
      const last = page[page.length - 1]!.row;
      from = { creationTime: last.creationTime, id: last.id };
    }
  }
  assert.equal(events.length, HOSTILE.length);
  for (const e of events) {
    const original = makeEventRow(Number.parseInt(e.row.id.slice(-12), 16), { userId: e.row.userId, tenantId: e.row.tenantId });
    for (const c of EVENT_COLUMNS) {
      if (c.name === 'content_type' || c.name === 'source_id' || c.name === 'ingested_at') continue;
      assert.deepEqual(c.get(e.row, e), c.get(original, e), `${e.row.id} ${c.name}`);
    }
    assert.equal(e.contentType, 'Audit.AzureActiveDirectory');
    assert.equal(e.sourceId, 'blob-1');
  }
  const target = await openDuckDbStore({ path: join(dir, 'events.duckdb') });
  await target.migrate();
  try {
    assert.equal((await target.copy.writeEvents(events)).inserted, HOSTILE.length);
    assert.equal((await target.copy.writeEvents(events)).inserted, 0, 'a page written again is not doubled');
    assert.equal(await target.copy.countEvents(), HOSTILE.length);
    assert.deepEqual((await target.eventKeys()).sort((a, b) => (a.id < b.id ? -1 : 1)), (await source.eventKeys()).sort((a, b) => (a.id < b.id ? -1 : 1)));
    assert.equal(await target.commitWatermark(), await source.commitWatermark(), 'ingest times kept');
  } finally {
    await target.close();
  }
});

test('the copy progress round-trips and resets', async () => {
  await source.copy.saveProgress({ step: 'events', source: 'x', position: '{"a":1}', copied: 5, done: false, updatedAt: BASE_TIME });
  await source.copy.saveProgress({ step: 'events', source: 'x', position: '{"a":2}', copied: 9, done: true, updatedAt: BASE_TIME + 1 });
  assert.deepEqual(await source.copy.loadProgress(), [{ step: 'events', source: 'x', position: '{"a":2}', copied: 9, done: true, updatedAt: BASE_TIME + 1 }]);
  await source.copy.resetProgress();
  assert.deepEqual(await source.copy.loadProgress(), []);
  assert.match(await source.copy.identity(), /^duckdb store created \d+$/);
});
