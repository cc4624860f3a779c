// The Store conformance suite: every engine runs it (runStoreConformance('duckdb', open)). It checks
// each Store method and the exactly-once rules through the interface only, with portable SQL.
// `open` must return a new, empty store each call; the suite migrates and closes it. An engine whose
// blob_ledger, cursors, gaps and dead_letters live in another database than its events (ClickHouse
// with PostgreSQL) gives `stateQuery` to read them; an engine may skip a check only by naming it in
// `skips` with the reason, and the runner prints the list.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/index.js';
import { dialectFragment, raw, sql, type Sql } from '../sql/index.js';
import type { Row, Store } from '../types.js';
import { BASE_TIME, makeBlob, makeEventRow } from './rows.js';

const DAY = 86_400_000;

export interface StoreConformanceOptions {
  /** Check title → why the engine cannot pass it. */
  skips?: Record<string, string>;
  /** Reads blob_ledger, cursors, gaps and dead_letters where the engine keeps them apart from the events. */
  stateQuery?: (store: Store, q: Sql) => Promise<Row[]>;
}

const STATE_TABLES = new Set(['blob_ledger', 'cursors', 'gaps', 'dead_letters']);
const stateReaders = new WeakMap<Store, (q: Sql) => Promise<Row[]>>();

/** A read of the ingest state tables, wherever the engine keeps them. */
function stateRows(store: Store, q: Sql): Promise<Row[]> {
  return (stateReaders.get(store) ?? ((x: Sql) => store.query(x)))(q);
}

async function withStore(open: () => Promise<Store>, fn: (store: Store) => Promise<void>, options: StoreConformanceOptions = {}): Promise<void> {
  const store = await open();
  if (options.stateQuery) stateReaders.set(store, (q) => options.stateQuery!(store, q));
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close();
  }
}

async function count(store: Store, table: string, where = '1 = 1'): Promise<number> {
  const q = sql`SELECT count(*) AS n FROM ${raw(table)} WHERE ${raw(where)}`;
  const rows = STATE_TABLES.has(table) ? await stateRows(store, q) : await store.query(q);
  return Number(rows[0]?.['n']);
}

async function ids(store: Store): Promise<string[]> {
  const rows = await store.query(sql`SELECT tenant_id, id FROM events ORDER BY tenant_id, id`);
  return rows.map((r) => `${r['tenant_id']}/${r['id']}`);
}

function assertAppError(err: unknown, code: string): true {
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.ok(!err.message.includes('\n'), 'one line');
  return true;
}

const MIGRATE_TITLE = 'migrate applies every version once';
const CLOSE_TITLE = 'close is idempotent and later calls fail clearly';

export function runStoreConformance(name: string, open: () => Promise<Store>, options: StoreConformanceOptions = {}): void {
  const skips = options.skips ?? {};
  const titles = new Set<string>([MIGRATE_TITLE, CLOSE_TITLE]);
  const skip = (title: string) => (skips[title] === undefined ? {} : { skip: skips[title] });
  const t = (title: string, fn: (store: Store) => Promise<void>) => {
    titles.add(title);
    test(`${name} store: ${title}`, skip(title), () => withStore(open, fn, options));
  };

  test(`${name} store: ${MIGRATE_TITLE}`, skip(MIGRATE_TITLE), async () => {
    const store = await open();
    try {
      const first = await store.migrate();
      assert.ok(first.includes(100) && first.includes(104), `core versions applied: ${first.join(',')}`);
      assert.deepEqual(await store.migrate(), []);
      const rows = await store.query(sql`SELECT version, name FROM schema_migrations ORDER BY version`);
      assert.deepEqual(rows.map((r) => r['version']), first);
      assert.equal(rows[0]?.['name'], 'events');
    } finally {
      await store.close();
    }
  });

  t('commitBlobs stores rows, the ledger entry and counts', async (store) => {
    const rows = [makeEventRow(1), makeEventRow(2), makeEventRow(3)];
    const res = await store.commitBlobs([makeBlob('blob-1', rows, { rejects: [{ reason: 'Id is missing', raw: '{"x":1}' }] })]);
    assert.deepEqual(res, { inserted: 3, duplicates: 0, deadLetters: 1 });
    assert.deepEqual(await ids(store), rows.map((r) => `tenant-a/${r.id}`));
    const ledger = await stateRows(store, sql`SELECT tenant_id, content_type, content_id, record_count, inserted, duplicates, dead_letters, content_created, content_expiration, ingested_at FROM blob_ledger`);
    assert.deepEqual(ledger, [
      {
        tenant_id: 'tenant-a',
        content_type: 'Audit.AzureActiveDirectory',
        content_id: 'blob-1',
        record_count: 4,
        inserted: 3,
        duplicates: 0,
        dead_letters: 1,
        content_created: new Date(BASE_TIME).toISOString(),
        content_expiration: new Date(BASE_TIME + 7 * DAY).toISOString(),
        ingested_at: new Date(BASE_TIME + 3_600_000).toISOString(),
      },
    ]);
    const letters = await stateRows(store, sql`SELECT tenant_id, content_type, source_id, reason, raw FROM dead_letters`);
    assert.deepEqual(letters, [{ tenant_id: 'tenant-a', content_type: 'Audit.AzureActiveDirectory', source_id: 'blob-1', reason: 'Id is missing', raw: '{"x":1}' }]);
    const src = await store.query(sql`SELECT DISTINCT content_type, source_id FROM events`);
    assert.deepEqual(src, [{ content_type: 'Audit.AzureActiveDirectory', source_id: 'blob-1' }]);
  });

  t('duplicate Ids within one batch are stored once', async (store) => {
    const a = makeEventRow(1);
    const res = await store.commitBlobs([makeBlob('blob-1', [a, makeEventRow(2), { ...a }]), makeBlob('blob-2', [makeEventRow(2), makeEventRow(3)])]);
    assert.deepEqual(res, { inserted: 3, duplicates: 2, deadLetters: 0 });
    assert.equal(await count(store, 'events'), 3);
    const ledger = await stateRows(store, sql`SELECT content_id, inserted, duplicates FROM blob_ledger ORDER BY content_id`);
    assert.deepEqual(ledger, [
      { content_id: 'blob-1', inserted: 2, duplicates: 1 },
      { content_id: 'blob-2', inserted: 1, duplicates: 1 },
    ]);
  });

  t('duplicate Ids across batches are stored once', async (store) => {
    await store.commitBlobs([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2)])]);
    const again = await store.commitBlobs([makeBlob('blob-2', [makeEventRow(2), makeEventRow(1), makeEventRow(4)])]);
    assert.deepEqual(again, { inserted: 1, duplicates: 2, deadLetters: 0 });
    assert.equal(await count(store, 'events'), 3);
  });

  t('the same Id in two tenants is two rows', async (store) => {
    const res = await store.commitBlobs([
      makeBlob('blob-a', [makeEventRow(1, { tenantId: 'tenant-a' })]),
      makeBlob('blob-b', [makeEventRow(1, { tenantId: 'tenant-b' })]),
    ]);
    assert.equal(res.inserted, 2);
    const again = await store.commitBlobs([makeBlob('blob-b2', [makeEventRow(1, { tenantId: 'tenant-b' })])]);
    assert.equal(again.inserted, 0);
    assert.deepEqual(await ids(store), ['tenant-a/00000000-0000-4000-8000-000000000001', 'tenant-b/00000000-0000-4000-8000-000000000001']);
  });

  t('a failing commit leaves nothing behind and does not move the cursor', async (store) => {
    const cursor = { tenantId: 'tenant-a', contentType: 'Audit.AzureActiveDirectory', position: BASE_TIME };
    await store.commitBlobs([makeBlob('blob-0', [makeEventRow(0)])], cursor);
    const bad = makeEventRow(3, { creationTime: Number.NaN });
    await assert.rejects(
      store.commitBlobs(
        [makeBlob('blob-1', [makeEventRow(1), makeEventRow(2)], { rejects: [{ reason: 'bad', raw: 'x' }] }), makeBlob('blob-2', [makeEventRow(4), bad])],
        { ...cursor, position: BASE_TIME + DAY },
      ),
    );
    assert.deepEqual(await ids(store), ['tenant-a/00000000-0000-4000-8000-000000000000']);
    assert.equal(await count(store, 'blob_ledger'), 1);
    assert.equal(await count(store, 'dead_letters'), 0);
    assert.equal((await store.getCursor('tenant-a', 'Audit.AzureActiveDirectory'))?.position, BASE_TIME);
    // The store still works after the rollback, and the same blobs commit cleanly.
    const ok = await store.commitBlobs([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2)])], { ...cursor, position: BASE_TIME + DAY });
    assert.equal(ok.inserted, 2);
    assert.equal((await store.getCursor('tenant-a', 'Audit.AzureActiveDirectory'))?.position, BASE_TIME + DAY);
  });

  t('an ingest session: adds invisible until commit, duplicates caught across adds, one result per blob, several cursors', async (store) => {
    await store.commitBlobs([makeBlob('blob-0', [makeEventRow(1)])]);
    const session = store.openIngest();
    try {
      await session.add([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2), makeEventRow(3)], { rejects: [{ reason: 'bad', raw: 'r1' }] })]);
      await session.add([makeBlob('blob-2', [makeEventRow(3), makeEventRow(4), makeEventRow(4)]), makeBlob('blob-3', [makeEventRow(2)])]);
      assert.equal(session.pendingRows, 3);
      // Others see nothing yet, and other writes are not held up by the open transaction.
      await store.recordGap({ tenantId: 'tenant-a', contentType: 'Audit.Exchange', contentId: 'gone', windowStart: BASE_TIME, windowEnd: BASE_TIME, code: 'AF20051', reason: 'expired', detectedAt: BASE_TIME });
      assert.equal(await count(store, 'events'), 1);
      assert.equal(await count(store, 'blob_ledger'), 1);
      const results = await session.commit([
        { tenantId: 'tenant-a', contentType: 'Audit.AzureActiveDirectory', position: BASE_TIME + 1000 },
        { tenantId: 'tenant-b', contentType: 'Audit.Exchange', position: BASE_TIME + 2000 },
      ]);
      assert.deepEqual(results, [
        { inserted: 2, duplicates: 1, deadLetters: 1 },
        { inserted: 1, duplicates: 2, deadLetters: 0 },
        { inserted: 0, duplicates: 1, deadLetters: 0 },
      ]);
      assert.equal(session.pendingRows, 0);
      assert.deepEqual((await ids(store)).map((k) => k.slice(-1)), ['1', '2', '3', '4']);
      assert.equal(await count(store, 'blob_ledger'), 4);
      assert.equal(await count(store, 'dead_letters'), 1);
      assert.equal((await store.getCursor('tenant-a', 'Audit.AzureActiveDirectory'))?.position, BASE_TIME + 1000);
      assert.equal((await store.getCursor('tenant-b', 'Audit.Exchange'))?.position, BASE_TIME + 2000);
      // The next transaction of the same session de-duplicates against what it committed.
      await session.add([makeBlob('blob-4', [makeEventRow(4), makeEventRow(5)])]);
      assert.deepEqual(await session.commit(), [{ inserted: 1, duplicates: 1, deadLetters: 0 }]);
      // A cursor alone commits too; nothing at all is a no-op.
      assert.deepEqual(await session.commit([{ tenantId: 'tenant-a', contentType: 'Audit.AzureActiveDirectory', position: BASE_TIME + 5000 }]), []);
      assert.equal((await store.getCursor('tenant-a', 'Audit.AzureActiveDirectory'))?.position, BASE_TIME + 5000);
      assert.deepEqual(await session.commit(), []);
    } finally {
      await session.close();
    }
    assert.equal(await count(store, 'events'), 5);
  });

  t('an ingest session: rollback and a failed add drop everything since the last commit; the session goes on', async (store) => {
    const session = store.openIngest();
    try {
      await session.add([makeBlob('blob-1', [makeEventRow(1)])]);
      assert.deepEqual(await session.commit(), [{ inserted: 1, duplicates: 0, deadLetters: 0 }]);
      await session.add([makeBlob('blob-2', [makeEventRow(2)])]);
      await session.rollback();
      await session.add([makeBlob('blob-3', [makeEventRow(3)])]);
      await assert.rejects(session.add([makeBlob('blob-4', [makeEventRow(4, { creationTime: Number.NaN })])]));
      assert.equal(session.pendingRows, 0, 'the failed add rolled back blob-3 as well');
      // While a session holds the transaction, commitBlobs waits for it rather than interleaving.
      await session.add([makeBlob('blob-5', [makeEventRow(5)])]);
      let waited = false;
      const other = store.commitBlobs([makeBlob('blob-6', [makeEventRow(5), makeEventRow(6)])]).then((r) => {
        waited = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(waited, false, 'commitBlobs waits for the open session');
      assert.deepEqual(await session.commit(), [{ inserted: 1, duplicates: 0, deadLetters: 0 }]);
      assert.deepEqual(await other, { inserted: 1, duplicates: 1, deadLetters: 0 });
    } finally {
      await session.close();
    }
    assert.deepEqual((await ids(store)).map((k) => k.slice(-1)), ['1', '5', '6']);
    assert.deepEqual((await stateRows(store, sql`SELECT content_id FROM blob_ledger ORDER BY content_id`)).map((r) => r['content_id']), ['blob-1', 'blob-5', 'blob-6']);
  });

  t('cursors: absent, set, moved with a commit, per tenant and content type', async (store) => {
    assert.equal(await store.getCursor('tenant-a', 'Audit.Exchange'), null);
    await store.setCursor({ tenantId: 'tenant-a', contentType: 'Audit.Exchange', position: BASE_TIME });
    await store.setCursor({ tenantId: 'tenant-a', contentType: 'Audit.Exchange', position: BASE_TIME + 5000 });
    const c = await store.getCursor('tenant-a', 'Audit.Exchange');
    assert.equal(c?.position, BASE_TIME + 5000);
    assert.equal(c?.tenantId, 'tenant-a');
    assert.equal(c?.contentType, 'Audit.Exchange');
    assert.ok(typeof c?.updatedAt === 'number' && Number.isFinite(c.updatedAt));
    assert.equal(await store.getCursor('tenant-b', 'Audit.Exchange'), null);
    assert.equal(await store.getCursor('tenant-a', 'Audit.SharePoint'), null);
    await store.commitBlobs([], { tenantId: 'tenant-b', contentType: 'Audit.Exchange', position: BASE_TIME + 7 });
    assert.equal((await store.getCursor('tenant-b', 'Audit.Exchange'))?.position, BASE_TIME + 7);
  });

  t('knownBlobs lists ledger entries by tenant, content type and contentCreated', async (store) => {
    await store.commitBlobs([
      makeBlob('old', [], { contentCreated: BASE_TIME - DAY }),
      makeBlob('new', [], { contentCreated: BASE_TIME }),
      makeBlob('other-type', [], { contentType: 'Audit.Exchange' }),
      makeBlob('other-tenant', [], { tenantId: 'tenant-b' }),
    ]);
    assert.deepEqual([...(await store.knownBlobs('tenant-a', 'Audit.AzureActiveDirectory', BASE_TIME - DAY))].sort(), ['new', 'old']);
    assert.deepEqual([...(await store.knownBlobs('tenant-a', 'Audit.AzureActiveDirectory', BASE_TIME))], ['new']);
    assert.deepEqual([...(await store.knownBlobs('tenant-b', 'Audit.AzureActiveDirectory', 0))], ['other-tenant']);
    assert.equal((await store.knownBlobs('tenant-c', 'Audit.Exchange', 0)).size, 0);
  });

  t('pruneLedger removes entries expired more than a day ago', async (store) => {
    await store.commitBlobs([makeBlob('a', [], { contentCreated: BASE_TIME - 10 * DAY }), makeBlob('b', [], { contentCreated: BASE_TIME })]);
    // a expires at BASE-3d: pruned at BASE (3d > 1d); b expires at BASE+7d: kept.
    assert.equal(await store.pruneLedger(BASE_TIME - 2.5 * DAY), 0);
    assert.equal(await store.pruneLedger(BASE_TIME), 1);
    assert.deepEqual([...(await store.knownBlobs('tenant-a', 'Audit.AzureActiveDirectory', 0))], ['b']);
    assert.equal(await store.pruneLedger(BASE_TIME), 0);
  });

  t('recordGap is idempotent per content id or window', async (store) => {
    const gap = { tenantId: 'tenant-a', contentType: 'Audit.Exchange', contentId: 'blob-9', windowStart: BASE_TIME, windowEnd: BASE_TIME + 3_600_000, code: 'AF20051', reason: 'content expired', detectedAt: BASE_TIME + DAY };
    await store.recordGap(gap);
    await store.recordGap({ ...gap, detectedAt: BASE_TIME + 2 * DAY });
    await store.recordGap({ ...gap, contentId: null, code: 'expired-before-listed' });
    await store.recordGap({ ...gap, contentId: null, code: 'expired-before-listed' });
    await store.recordGap({ ...gap, contentId: null, windowStart: BASE_TIME + 3_600_000, windowEnd: BASE_TIME + 7_200_000 });
    await store.recordGap({ ...gap, tenantId: 'tenant-b' });
    assert.equal(await count(store, 'gaps'), 4);
    const rows = await stateRows(store, sql`SELECT content_id, code, reason, window_start, window_end, detected_at FROM gaps WHERE tenant_id = ${'tenant-a'} AND content_id = ${'blob-9'}`);
    assert.deepEqual(rows, [
      {
        content_id: 'blob-9',
        code: 'AF20051',
        reason: 'content expired',
        window_start: new Date(BASE_TIME).toISOString(),
        window_end: new Date(BASE_TIME + 3_600_000).toISOString(),
        detected_at: new Date(BASE_TIME + DAY).toISOString(),
      },
    ]);
  });

  t('importRecords de-duplicates against everything stored, and against itself', async (store) => {
    await store.commitBlobs([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2)])]);
    const batch = {
      tenantId: 'tenant-a',
      sourceId: 'import:audit.csv',
      rows: [makeEventRow(2), makeEventRow(3), makeEventRow(4), makeEventRow(3)],
      rejects: [{ reason: 'CreationTime is missing', raw: '{"Id":"x"}' }],
      ingestedAt: BASE_TIME + DAY,
    };
    assert.deepEqual(await store.importRecords(batch), { inserted: 2, duplicates: 2, deadLetters: 1 });
    assert.deepEqual(await store.importRecords(batch), { inserted: 0, duplicates: 4, deadLetters: 0 });
    assert.equal(await count(store, 'events'), 4);
    assert.equal(await count(store, 'dead_letters'), 1);
    const imported = await store.query(sql`SELECT id, content_type, source_id FROM events WHERE source_id = ${'import:audit.csv'} ORDER BY id`);
    assert.deepEqual(imported.map((r) => [r['content_type'], r['source_id']]), [
      [null, 'import:audit.csv'],
      [null, 'import:audit.csv'],
    ]);
    assert.equal(await count(store, 'blob_ledger'), 1);
  });

  t('applyRetention deletes events, dead letters and gaps older than the limit', async (store) => {
    const old = makeEventRow(1, { creationTime: BASE_TIME - 400 * DAY });
    const recent = makeEventRow(2);
    await store.commitBlobs([makeBlob('blob-1', [old, recent], { rejects: [{ reason: 'r', raw: 'old' }], ingestedAt: BASE_TIME - 400 * DAY })]);
    await store.commitBlobs([makeBlob('blob-2', [], { rejects: [{ reason: 'r', raw: 'new' }], ingestedAt: BASE_TIME })]);
    await store.recordGap({ tenantId: 'tenant-a', contentType: 'Audit.Exchange', contentId: null, windowStart: BASE_TIME - 401 * DAY, windowEnd: BASE_TIME - 400 * DAY, code: 'AF20051', reason: 'old', detectedAt: BASE_TIME - 399 * DAY });
    await store.recordGap({ tenantId: 'tenant-a', contentType: 'Audit.Exchange', contentId: null, windowStart: BASE_TIME - DAY, windowEnd: BASE_TIME, code: 'AF20051', reason: 'new', detectedAt: BASE_TIME });
    assert.equal(await store.applyRetention(BASE_TIME - 365 * DAY), 1);
    assert.deepEqual(await ids(store), [`tenant-a/${recent.id}`]);
    assert.deepEqual((await stateRows(store, sql`SELECT raw FROM dead_letters`)).map((r) => r['raw']), ['new']);
    assert.deepEqual((await stateRows(store, sql`SELECT reason FROM gaps`)).map((r) => r['reason']), ['new']);
    assert.equal(await store.applyRetention(BASE_TIME - 365 * DAY), 0);
  });

  t('every events column reads back as plain values', async (store) => {
    const row = makeEventRow(7, {
      userType: 2,
      userTypeName: 'Admin',
      objectId: 'obj',
      applicationId: 'app',
      errorNumber: '50126',
      logonError: 'InvalidUserNameOrPassword',
      requestType: 'OAuth2:Token',
      siteUrl: 'https://contoso.sharepoint.com/sites/x',
      fileName: 'a.docx',
      fileExtension: 'docx',
      mailboxOwnerUpn: 'boss@contoso.com',
      mailboxGuid: 'guid',
      logonType: 1,
      parameters: { Identity: 'boss', AccessRights: 'FullAccess' },
      extendedProperties: { UserAgent: 'x' },
      operationProperties: { Op: 'y' },
      deviceProperties: { OS: 'Windows' },
      modifiedProperties: { Role: { oldValue: null, newValue: 'Global Administrator' } },
      country: 'NL',
      city: 'Amsterdam',
      latitude: 52.37,
      longitude: 4.89,
      asn: 4_294_967_295,
      asOrg: 'Example AS',
      creationTime: BASE_TIME + 123,
    });
    await store.commitBlobs([makeBlob('blob-7', [row])]);
    const [r] = await store.query(sql`SELECT * FROM events`);
    assert.ok(r);
    const expected: Row = {
      id: row.id,
      tenant_id: 'tenant-a',
      creation_time: new Date(BASE_TIME + 123).toISOString(),
      record_type: 15,
      record_type_name: 'AzureActiveDirectoryStsLogon',
      operation: row.operation,
      workload: 'AzureActiveDirectory',
      organization_id: 'tenant-a',
      user_id: row.userId,
      user_key: row.userKey,
      user_type: 2,
      user_type_name: 'Admin',
      client_ip: '203.0.113.7',
      client_ip_raw: '203.0.113.7:443',
      result_status: 'Success',
      object_id: 'obj',
      application_id: 'app',
      error_number: '50126',
      logon_error: 'InvalidUserNameOrPassword',
      user_agent: 'Mozilla/5.0',
      request_type: 'OAuth2:Token',
      site_url: 'https://contoso.sharepoint.com/sites/x',
      file_name: 'a.docx',
      file_extension: 'docx',
      mailbox_owner_upn: 'boss@contoso.com',
      mailbox_guid: 'guid',
      logon_type: 1,
      parameters: JSON.stringify(row.parameters),
      extended_properties: JSON.stringify(row.extendedProperties),
      operation_properties: JSON.stringify(row.operationProperties),
      device_properties: JSON.stringify(row.deviceProperties),
      modified_properties: JSON.stringify(row.modifiedProperties),
      country: 'NL',
      city: 'Amsterdam',
      latitude: 52.37,
      longitude: 4.89,
      asn: 4_294_967_295,
      as_org: 'Example AS',
      raw: row.raw,
      content_type: 'Audit.AzureActiveDirectory',
      source_id: 'blob-7',
      ingested_at: new Date(BASE_TIME + 3_600_000).toISOString(),
    };
    assert.deepEqual(r, expected);
    const nulls = makeEventRow(8);
    await store.commitBlobs([makeBlob('blob-8', [nulls])]);
    const [n] = await store.query(sql`SELECT object_id, user_type, latitude, asn, parameters FROM events WHERE id = ${nulls.id}`);
    assert.deepEqual(n, { object_id: null, user_type: 0, latitude: null, asn: null, parameters: '{}' });
    const [j] = await store.query(sql`SELECT ${dialectFragment((d, ctx) => d.jsonString('parameters', 'AccessRights', ctx))} AS rights FROM events WHERE id = ${row.id}`);
    assert.equal(j?.['rights'], 'FullAccess');
  });

  t('hostile text round-trips unchanged', async (store) => {
    const texts = ["quote ' and \" and `", 'line\r\nbreak\ttab', 'nul\u0000byte', 'emoji 🛡️ and ü', '<script>alert(1)</script>', '=cmd|" /C calc"!A0', 'x'.repeat(1_000_000)];
    const rows = texts.map((s, i) => makeEventRow(100 + i, { userId: s, raw: JSON.stringify({ s }), parameters: { [s.slice(0, 50)]: s } }));
    await store.commitBlobs([makeBlob('blob-h', rows)]);
    const back = await store.query(sql`SELECT user_id, raw, parameters FROM events ORDER BY id`);
    assert.deepEqual(back.map((r) => r['user_id']), texts);
    assert.deepEqual(back.map((r) => JSON.parse(String(r['raw'])).s), texts);
    assert.deepEqual(back.map((r) => JSON.parse(String(r['parameters']))), rows.map((r) => r.parameters));
    const [hit] = await store.query(sql`SELECT count(*) AS n FROM events WHERE user_id = ${texts[0]!}`);
    assert.equal(hit?.['n'], 1);
  });

  t('query and execute bind typed parameters', async (store) => {
    await store.commitBlobs([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2), makeEventRow(3)])]);
    const since = dialectFragment((d, ctx) => d.timestampFromMs(ctx.param(BASE_TIME + 2000)));
    const rows = await store.query(sql`SELECT id FROM events WHERE creation_time >= ${since} AND operation = ${'UserLoginFailed'} ORDER BY id`);
    assert.deepEqual(rows.map((r) => r['id']), [makeEventRow(3).id]);
    const ms = await store.query(sql`SELECT ${dialectFragment((d) => d.msFromTimestamp('creation_time'))} AS ms FROM events WHERE id = ${makeEventRow(1).id}`);
    assert.equal(ms[0]?.['ms'], BASE_TIME + 1000);
    await store.execute(sql`DELETE FROM events WHERE user_id = ${'user2@contoso.com'}`);
    assert.equal(await count(store, 'events'), 2);
    const [v] = await store.query(sql`SELECT ${'a'} AS s, ${42} AS i, ${2.5} AS f, ${true} AS b, ${null} AS z`);
    assert.deepEqual(v, { s: 'a', i: 42, f: 2.5, b: true, z: null });
  });

  t('transaction commits together or not at all', async (store) => {
    await store.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO cursors (tenant_id, content_type, position, updated_at) VALUES (${'t1'}, ${'c'}, ${new Date(BASE_TIME)}, ${new Date(BASE_TIME)})`);
      const inside = await tx.query(sql`SELECT count(*) AS n FROM cursors`);
      assert.equal(inside[0]?.['n'], 1);
    });
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO cursors (tenant_id, content_type, position, updated_at) VALUES (${'t2'}, ${'c'}, ${new Date(BASE_TIME)}, ${new Date(BASE_TIME)})`);
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.deepEqual((await stateRows(store, sql`SELECT tenant_id FROM cursors`)).map((r) => r['tenant_id']), ['t1']);
    assert.equal(await store.transaction(async () => 7), 7);
  });

  t('queryReadOnly runs reads and refuses everything else in one line', async (store) => {
    await store.commitBlobs([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2)])]);
    assert.deepEqual(await store.queryReadOnly('SELECT count(*) AS n FROM events'), [{ n: 2 }]);
    assert.deepEqual(await store.queryReadOnly('  -- comment\n WITH x AS (SELECT id FROM events) SELECT count(*) AS n FROM x;'), [{ n: 2 }]);
    const refused = [
      'DELETE FROM events',
      'INSERT INTO events (id) VALUES (1)',
      'UPDATE events SET id = 1',
      'DROP TABLE events',
      'SELECT 1; DELETE FROM events',
      "ATTACH 'x.db'",
      "COPY events TO 'x.csv'",
      'INSTALL httpfs',
      'LOAD httpfs',
      "SET memory_limit = '1GB'",
      'CREATE TABLE x (a INT)',
      'PRAGMA enable_profiling',
      'EXPLAIN ANALYZE DELETE FROM events',
      '',
    ];
    for (const q of refused) {
      await assert.rejects(store.queryReadOnly(q), (err) => assertAppError(err, 'query_refused'), q);
    }
    await assert.rejects(store.queryReadOnly('SELECT * FROM no_such_table'), (err) => err instanceof AppError && /^query_/.test(err.code));
    assert.equal(await count(store, 'events'), 2);
    await assert.rejects(store.queryReadOnly('SELECT * FROM events', { maxRows: 1 }), (err) => assertAppError(err, 'query_too_large'));
    assert.equal((await store.queryReadOnly('SELECT * FROM events', { maxRows: 2 })).length, 2);
  });

  t('reads run while a commit is in flight', async (store) => {
    const rows = Array.from({ length: 2000 }, (_, i) => makeEventRow(i));
    const [res, , cursor] = await Promise.all([
      store.commitBlobs([makeBlob('big', rows)], { tenantId: 'tenant-a', contentType: 'Audit.AzureActiveDirectory', position: BASE_TIME }),
      store.query(sql`SELECT count(*) AS n FROM events`),
      store.getCursor('tenant-a', 'Audit.AzureActiveDirectory'),
    ]);
    assert.equal(res.inserted, 2000);
    assert.ok(cursor === null || cursor.position === BASE_TIME);
    assert.equal(await count(store, 'events'), 2000);
  });

  test(`${name} store: ${CLOSE_TITLE}`, skip(CLOSE_TITLE), async () => {
    const store = await open();
    await store.migrate();
    await store.close();
    await store.close();
    await assert.rejects(store.query(sql`SELECT 1`), (err) => assertAppError(err, 'store_closed'));
  });

  test(`${name} store: the skip list names only checks that exist`, () => {
    const unknown = Object.keys(skips).filter((k) => !titles.has(k));
    if (unknown.length > 0) throw new Error(`unknown checks in the skip list: ${unknown.join('; ')}`);
    for (const [title, reason] of Object.entries(skips)) console.log(`# ${name} store skips "${title}": ${reason}`);
  });
}
