// The ClickHouse store beyond the shared suites: its schema on this server (engine, partitions, key,
// both migrations), every column as this server stores it, de-duplication by the FINAL view, the order
// of a blob's writes (ClickHouse, then PostgreSQL) under a failure in between, the TabSeparated
// escapes, a transaction spanning several INSERTs (rolled back and committed), retention by month
// partitions, queryReadOnly's refusals, and connection errors as one line with nothing written.
// Real servers (clickhouse-server and PostgreSQL as nobody in temp folders); skipped only when
// clickhouse-server is not installed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { AppError, Secret } from '../../core/index.js';
import { clickhouseDetect, openStore, sql, type Sql, type Store, type StoreEngineConfig } from '../index.js';
import { BASE_TIME, makeBlob, makeEventRow } from '../conformance/rows.js';
import { startTestPostgres, type TestPostgres } from '../postgres/server.testing.js';
import { ClickHouseStore } from './index.js';
import { INSERT_LIMITS } from './ingest.js';
import { INSERT_COLUMNS } from './convert.js';
import { clickhouseSkipReason, freePort, startTestClickHouse, type TestClickHouse } from './server.testing.js';

const skip = clickhouseSkipReason();
const DAY = 86_400_000;
const AAD = 'Audit.AzureActiveDirectory';
let ch: TestClickHouse;
let pgServer: TestPostgres;

before(async () => {
  if (skip) return;
  [ch, pgServer] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
});
after(async () => {
  await Promise.all([ch?.stop(), pgServer?.stop()]);
});

type ChConfig = Extract<StoreEngineConfig, { engine: 'clickhouse' }>;

async function config(): Promise<ChConfig> {
  const [database, stateDb] = await Promise.all([ch.createDatabase(), pgServer.createDatabase()]);
  return {
    engine: 'clickhouse',
    clickhouse: { url: ch.url, database, user: ch.user, password: new Secret(ch.password) },
    stateStore: { engine: 'postgres', connection: { host: pgServer.host, port: pgServer.port, user: pgServer.user, password: new Secret(pgServer.password), database: stateDb } },
  };
}

async function withPg<T>(c: ChConfig, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const conn = c.stateStore.connection;
  const client = new pg.Client({ host: conn.host, port: conn.port, user: conn.user, password: pgServer.password, database: conn.database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const chRows = async (c: ChConfig, q: string): Promise<string> => (await ch.run(q, c.clickhouse.database)).trim();
const ids = async (store: Store) => (await store.query(sql`SELECT tenant_id, id FROM events ORDER BY tenant_id, id`)).map((r) => `${r['tenant_id']}/${r['id']}`);

test('schema: ReplacingMergeTree by month, keyed (tenant_id, creation_time, id), the FINAL view, ClickHouse migration 100 and PostgreSQL 20', { skip }, async () => {
  const c = await config();
  const store = await openStore(c);
  try {
    const create = await chRows(c, 'SHOW CREATE TABLE events_rows');
    assert.match(create, /ENGINE = ReplacingMergeTree/);
    assert.match(create, /PARTITION BY toYYYYMM\(creation_time\)/);
    assert.match(create, /ORDER BY \(tenant_id, creation_time, id\)/);
    assert.match(await chRows(c, 'SHOW CREATE TABLE events'), /FROM \S*events_rows\s+FINAL/);
    assert.equal(await chRows(c, 'SELECT arraySort(groupArray(version)) FROM schema_migrations FINAL'), '[100,101]');
    const pgVersions = await withPg(c, async (client) => (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => Number(r.version)));
    assert.ok(pgVersions.includes(20), `PostgreSQL versions ${pgVersions.join(',')}`);
    assert.deepEqual(await store.migrate(), [], 'nothing left to apply');
    assert.equal((store as ClickHouseStore).features.version, ch.version);
  } finally {
    await store.close();
  }
});

test('every events column reads back as this server stores it (whole seconds before DateTime64, ms in ingested_ms)', { skip }, async () => {
  const store = await openStore(await config());
  try {
    const features = (store as ClickHouseStore).features;
    const row = makeEventRow(7, {
      userType: 2, objectId: 'obj', logonType: 1, parameters: { Identity: 'boss', AccessRights: 'FullAccess' },
      modifiedProperties: { Role: { oldValue: null, newValue: 'Global Administrator' } }, country: 'NL', latitude: 52.37, asn: 4_294_967_295, creationTime: BASE_TIME + 123,
    });
    await store.commitBlobs([makeBlob('blob-7', [row], { ingestedAt: BASE_TIME + 3_600_456 })]);
    const [r] = await store.query(sql`SELECT * FROM events`);
    assert.ok(r);
    const seconds = (ms: number) => new Date(features.dateTime64 ? ms : Math.floor(ms / 1000) * 1000).toISOString();
    assert.equal(r['creation_time'], seconds(BASE_TIME + 123));
    assert.equal(r['ingested_at'], seconds(BASE_TIME + 3_600_456));
    assert.equal(r['ingested_ms'], BASE_TIME + 3_600_456);
    assert.deepEqual(
      { id: r['id'], user_type: r['user_type'], object_id: r['object_id'], logon_type: r['logon_type'], country: r['country'], latitude: r['latitude'], asn: r['asn'], city: r['city'], raw: r['raw'], source_id: r['source_id'], content_type: r['content_type'] },
      { id: row.id, user_type: 2, object_id: 'obj', logon_type: 1, country: 'NL', latitude: 52.37, asn: 4_294_967_295, city: null, raw: row.raw, source_id: 'blob-7', content_type: AAD },
    );
    assert.deepEqual(JSON.parse(String(r['parameters'])), row.parameters);
    assert.deepEqual(JSON.parse(String(r['modified_properties'])), row.modifiedProperties);
    const [j] = await store.query(sql`SELECT visitParamExtractString(parameters, 'AccessRights') AS rights FROM events`);
    assert.equal(j?.['rights'], 'FullAccess');
  } finally {
    await store.close();
  }
});

test('text with backslashes, a literal \\N and escape-like sequences reads back as written (TabSeparated escapes)', { skip }, async () => {
  const store = await openStore(await config());
  try {
    const texts = ['back\\slash', '\\N', 'C:\\temp\\new', '\\t and \\n, not a tab', 'ends with a backslash\\', 'tab\tnewline\ncr\r', '\\\\N'];
    const rows = texts.map((s, i) => makeEventRow(300 + i, { userId: s, objectId: s, raw: JSON.stringify({ s, path: s }), parameters: { [s]: s } }));
    await store.commitBlobs([makeBlob('blob-esc', rows)]);
    const back = await store.query(sql`SELECT user_id, object_id, raw, parameters FROM events ORDER BY id`);
    assert.deepEqual(back.map((r) => r['user_id']), texts);
    assert.deepEqual(back.map((r) => r['object_id']), texts, 'a nullable column keeps the text \\N, not NULL');
    assert.deepEqual(back.map((r) => r['raw']), rows.map((r) => r.raw));
    assert.deepEqual(back.map((r) => JSON.parse(String(r['parameters']))), rows.map((r) => r.parameters));
  } finally {
    await store.close();
  }
});

test('the duplicate probe finds stored records whose Ids hold its separator or a quote, and a new one among them is sent once', { skip }, async () => {
  const store = await openStore(await config());
  try {
    const odd = ['id,with,commas', "o'brien", 'plain-1'].map((id, i) => makeEventRow(600 + i, { id }));
    assert.deepEqual(await store.commitBlobs([makeBlob('odd-1', odd)]), { inserted: 3, duplicates: 0, deadLetters: 0 });
    // The same records in other blobs (the API re-delivers), one new each: only that one is sent. The
    // Ids go as one text the server splits, or, with a separator among them, as literals.
    assert.deepEqual(await store.commitBlobs([makeBlob('odd-2', [odd[1]!, odd[2]!, makeEventRow(610)])]), { inserted: 1, duplicates: 2, deadLetters: 0 });
    assert.deepEqual(await store.commitBlobs([makeBlob('odd-3', [odd[0]!, odd[1]!, makeEventRow(611)])]), { inserted: 1, duplicates: 2, deadLetters: 0 });
    assert.equal((await store.query(sql`SELECT count() AS n FROM events_rows`))[0]?.['n'], 5, 'nothing was sent twice');
  } finally {
    await store.close();
  }
});

test('a row whose time ClickHouse cannot store fails its whole batch before anything is sent, naming the record', { skip }, async () => {
  const store = await openStore(await config());
  try {
    const rows = [makeEventRow(700), makeEventRow(701, { creationTime: -1 }), makeEventRow(702)];
    await assert.rejects(store.commitBlobs([makeBlob('bad-time', rows)]), (err: unknown) => err instanceof AppError && err.code === 'store_row' && err.message.includes(rows[1]!.id));
    assert.equal((await store.query(sql`SELECT count() AS n FROM events_rows`))[0]?.['n'], 0);
    assert.deepEqual(await store.commitBlobs([makeBlob('good', [makeEventRow(700)])]), { inserted: 1, duplicates: 0, deadLetters: 0 }, 'the store takes the next batch');
  } finally {
    await store.close();
  }
});

test('a transaction larger than one INSERT: a rollback leaves the ended INSERTs\' rows (counted as the blob\'s own when it comes again) and none of the open one\'s', { skip }, async () => {
  const c = await config();
  const store = await openStore(c);
  const saved = { ...INSERT_LIMITS };
  INSERT_LIMITS.rows = 3;
  try {
    const rows = Array.from({ length: 7 }, (_, i) => makeEventRow(400 + i));
    const session = store.openIngest();
    try {
      await session.add([makeBlob('big', rows)]);
      await session.rollback();
    } finally {
      await session.close();
    }
    assert.equal(await chRows(c, 'SELECT count() FROM events_rows'), '6', 'two ended INSERTs of 3 rows stayed; the open one (1 row) was cancelled');
    assert.equal((await ids(store)).length, 6);
    assert.equal((await store.knownBlobs('tenant-a', AAD, 0)).has('big'), false);
    // The blob again, in a transaction of two INSERTs that commits: every row once, counts true.
    const again = store.openIngest();
    try {
      await again.add([makeBlob('big', rows)]);
      await again.add([makeBlob('more', [makeEventRow(400), ...Array.from({ length: 5 }, (_, i) => makeEventRow(500 + i))])]);
      assert.deepEqual(await again.commit(), [
        { inserted: 7, duplicates: 0, deadLetters: 0 },
        { inserted: 5, duplicates: 1, deadLetters: 0 },
      ]);
    } finally {
      await again.close();
    }
    assert.equal(await chRows(c, 'SELECT count() FROM events_rows'), '12', 'nothing stored twice');
    assert.equal((await ids(store)).length, 12);
  } finally {
    Object.assign(INSERT_LIMITS, saved);
    await store.close();
  }
});

test('the FINAL view and the rules\' and reports\' reads show each (tenant, Id) once even when a racing writer stored it twice and before any merge', { skip }, async () => {
  const c = await config();
  const store = await openStore(c);
  const [one, two] = [makeEventRow(1), makeEventRow(2)];
  try {
    await store.commitBlobs([makeBlob('b1', [one, two])]);
    const [{ w }] = (await store.query(sql`SELECT max(ingested_ms) AS w FROM events_rows`)) as [{ w: number }];
    // Another process (no shared ingest lock) storing record 1 again a minute later from another blob, as its own part.
    const cols = INSERT_COLUMNS.map((col) => (col === 'ingested_ms' ? 'ingested_ms + 60000' : col === 'source_id' ? "'b2'" : col)).join(', ');
    await ch.run(`INSERT INTO events_rows (${INSERT_COLUMNS.join(', ')}) SELECT ${cols} FROM events_rows WHERE id = '${one.id}'`, c.clickhouse.database);
    assert.equal(await chRows(c, 'SELECT count() FROM events_rows'), '3', 'two physical rows of record 1');
    assert.deepEqual(await ids(store), [`tenant-a/${one.id}`, `tenant-a/${two.id}`]);
    assert.deepEqual(await store.query(sql`SELECT count() AS n FROM events`), [{ n: 2 }]);
    assert.equal((await store.eventKeys()).length, 2);
    // What the rules and reports read (fromEvents: the rows that pass, one per (tenant, Id)): once, whichever copies pass.
    const read = (filter: Sql) => store.query(sql`SELECT id, count() AS n ${clickhouseDetect.fromEvents(filter)} GROUP BY id ORDER BY id`);
    assert.deepEqual(await read(sql`tenant_id = ${'tenant-a'}`), [{ id: one.id, n: 1 }, { id: two.id, n: 1 }].sort((a, b) => a.id.localeCompare(b.id)));
    assert.deepEqual(await read(sql`ingested_ms > ${w}`), [{ id: one.id, n: 1 }], 'only the second copy passes: the record once');
    assert.deepEqual(await read(sql`ingested_ms <= ${w} AND id = ${one.id}`), [{ id: one.id, n: 1 }], 'only the first copy passes: the record once');
    // Shaped as a rule's matches: rows, ordered, each record once.
    const rows = await store.query(sql`SELECT tenant_id, id, creation_time ${clickhouseDetect.fromEvents(sql`operation != ''`)} ORDER BY tenant_id, creation_time, id`);
    assert.deepEqual(rows.map((r) => r['id']).sort(), [one.id, two.id].sort());
    // The records ingested in a range: the newest copy of record 1, once, with its blob.
    const recent = await store.ingestedRecords({ after: w, upTo: w + 120_000 }, { limit: 10, offset: 0 });
    assert.deepEqual(recent.map((r) => r.sourceId), ['b2']);
  } finally {
    await store.close();
  }
});

test('a failure between the ClickHouse insert and the PostgreSQL commit loses nothing and shows nothing twice', { skip }, async () => {
  const c = await config();
  const cursor = { tenantId: 'tenant-a', contentType: AAD, position: BASE_TIME + DAY };
  let store = await openStore(c);
  const rows = Array.from({ length: 50 }, (_, i) => makeEventRow(i + 1));
  try {
    await store.commitBlobs([makeBlob('b0', [makeEventRow(100)])], { ...cursor, position: BASE_TIME });
    // PostgreSQL refuses this blob's ledger row: the process fails after ClickHouse stored the rows.
    await withPg(c, (client) => client.query("ALTER TABLE blob_ledger ADD CONSTRAINT fail_here CHECK (content_id <> 'crash')"));
    await assert.rejects(store.commitBlobs([makeBlob('crash', rows, { rejects: [{ reason: 'bad', raw: 'x' }] })], cursor), (err) => err instanceof AppError);
    assert.equal(await chRows(c, 'SELECT count() FROM events_rows'), '51', 'the rows reached ClickHouse');
    assert.equal((await store.getCursor('tenant-a', AAD))?.position, BASE_TIME, 'the cursor did not pass the blob');
    assert.equal((await store.knownBlobs('tenant-a', AAD, 0)).has('crash'), false, 'the ledger does not hold it, so it is fetched again');
  } finally {
    await store.close();
  }
  // Restarted: the blob comes again and commits; its rows are not stored a second time.
  await withPg(c, (client) => client.query('ALTER TABLE blob_ledger DROP CONSTRAINT fail_here'));
  store = await openStore(c);
  try {
    const again = await store.commitBlobs([makeBlob('crash', rows, { rejects: [{ reason: 'bad', raw: 'x' }] })], cursor);
    assert.deepEqual(again, { inserted: 50, duplicates: 0, deadLetters: 1 }, 'the blob\'s own rows count as inserted');
    assert.equal(await chRows(c, 'SELECT count() FROM events_rows'), '51', 'nothing was sent twice');
    assert.equal((await ids(store)).length, 51);
    assert.equal((await store.getCursor('tenant-a', AAD))?.position, BASE_TIME + DAY);
    const [ledger] = await (store as ClickHouseStore).ledgerQuery(sql`SELECT inserted, duplicates, dead_letters FROM blob_ledger WHERE content_id = ${'crash'}`);
    assert.deepEqual(ledger, { inserted: 50, duplicates: 0, dead_letters: 1 });
    // A later blob with some of the same records: those are duplicates, not the blob's own.
    assert.deepEqual(await store.commitBlobs([makeBlob('later', [makeEventRow(1), makeEventRow(200)])]), { inserted: 1, duplicates: 1, deadLetters: 0 });
  } finally {
    await store.close();
  }
});

test('retention drops whole month partitions that end before the limit and keeps the month that straddles it', { skip }, async () => {
  const c = await config();
  const store = await openStore(c);
  try {
    const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d, 12);
    await store.commitBlobs([makeBlob('b', [
      makeEventRow(1, { creationTime: at(2025, 1, 10) }),
      makeEventRow(2, { creationTime: at(2025, 1, 31) }),
      makeEventRow(3, { creationTime: at(2025, 2, 3) }),
      makeEventRow(4, { creationTime: at(2025, 2, 20) }),
      makeEventRow(5, { creationTime: at(2025, 3, 1) }),
    ])]);
    assert.equal(await store.applyRetention(at(2025, 2, 10)), 2, 'January went whole');
    assert.deepEqual((await ids(store)).map((k) => k.slice(-1)), ['3', '4', '5'], 'February straddles the limit and stays');
    assert.equal(await chRows(c, "SELECT groupUniqArray(partition) FROM system.parts WHERE database = currentDatabase() AND table = 'events_rows' AND active AND partition = '202501'"), '[]');
    assert.equal(await store.applyRetention(Date.UTC(2025, 2, 1)), 2, 'the limit at the first of March drops February');
    assert.equal(await store.applyRetention(Date.UTC(2025, 2, 1)), 0);
  } finally {
    await store.close();
  }
});

test('queryReadOnly on ClickHouse: reads answer, writes, settings, table functions and output clauses are refused in one line', { skip }, async () => {
  const c = await config();
  const store = await openStore(c);
  try {
    await store.commitBlobs([makeBlob('b', [makeEventRow(1), makeEventRow(2)])]);
    assert.deepEqual(await store.queryReadOnly('SELECT count() AS n FROM events'), [{ n: 2 }]);
    assert.deepEqual(await store.queryReadOnly('-- note\nSELECT operation, count() AS n FROM events GROUP BY operation ORDER BY operation;'), [{ operation: 'UserLoggedIn', n: 1 }, { operation: 'UserLoginFailed', n: 1 }]);
    for (const q of ['DELETE FROM events', 'ALTER TABLE events_rows DELETE WHERE 1', 'DROP TABLE events_rows', 'INSERT INTO events_rows SELECT * FROM events_rows', 'SELECT 1; DROP TABLE events_rows', 'SET readonly = 0', 'OPTIMIZE TABLE events_rows FINAL', 'SELECT * FROM events FORMAT CSV', 'SUMMARIZE events', '']) {
      await assert.rejects(store.queryReadOnly(q), (err) => err instanceof AppError && err.code === 'query_refused' && !err.message.includes('\n'), q);
    }
    // Table functions read files or the network: readonly mode refuses them.
    for (const q of ["SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')", "SELECT * FROM file('/etc/passwd', CSV, 'a String')", 'SELECT 1 SETTINGS readonly = 0']) {
      await assert.rejects(store.queryReadOnly(q), (err) => err instanceof AppError && err.code === 'query_refused' && /read-only mode/.test(err.message), q);
    }
    await assert.rejects(store.queryReadOnly('SELECT * FROM no_such_table'), (err) => err instanceof AppError && err.code === 'query_invalid' && /no_such_table doesn't exist.*; fix the SQL/.test(err.message));
    await assert.rejects(store.queryReadOnly('SELECT * FROM events', { maxRows: 1 }), (err) => err instanceof AppError && err.code === 'query_too_large');
    assert.equal((await store.queryReadOnly('SELECT * FROM events', { maxRows: 2 })).length, 2);
    assert.equal(await chRows(c, 'SELECT count() FROM events_rows'), '2', 'nothing changed');
  } finally {
    await store.close();
  }
});

/** Opening must fail with `code` in one line without the secrets, and leave both databases untouched. */
async function refusedOpen(c: ChConfig, code: string, message: RegExp, secrets: string[]): Promise<void> {
  const err = await openStore(c).then(
    async (s) => {
      await s.close();
      return null;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, message);
  assert.ok(!err.message.includes('\n'), 'one line');
  for (const s of secrets) assert.ok(!err.display().includes(s), `the secret ${s.slice(0, 3)}… is not shown`);
  const pgTables = await withPg(c, async (client) => (await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0].n);
  assert.equal(pgTables, 0, 'nothing written to PostgreSQL');
  if (c.clickhouse.database?.startsWith('aw_test_')) {
    assert.equal(await ch.run('SELECT count() FROM system.tables WHERE database = currentDatabase()', c.clickhouse.database).catch(() => '0\n'), '0\n', 'nothing written to ClickHouse');
  }
}

test('connection errors: a wrong password, user, database, URL or an unreachable server fail the open in one line naming the fix, with nothing written', { skip }, async () => {
  const good = await config();
  const fresh = async (): Promise<ChConfig> => ({ ...good, stateStore: { ...good.stateStore, connection: { ...good.stateStore.connection, database: await pgServer.createDatabase() } } });
  await refusedOpen({ ...(await fresh()), clickhouse: { ...good.clickhouse, password: new Secret('wrong-password-123') } }, 'clickhouse_auth', /refused the login of aw .*fix store\.clickhouse\.user or the password/, ['wrong-password-123', ch.password]);
  await refusedOpen({ ...(await fresh()), clickhouse: { ...good.clickhouse, user: 'nobody-here' } }, 'clickhouse_auth', /refused the login of nobody-here/, [ch.password]);
  await refusedOpen({ ...(await fresh()), clickhouse: { ...good.clickhouse, database: 'no_such_db' } }, 'clickhouse_database', /create it \(CREATE DATABASE\) or fix store\.clickhouse\.database/, [ch.password]);
  const closedPort = await freePort();
  await refusedOpen({ ...(await fresh()), clickhouse: { ...good.clickhouse, url: `http://127.0.0.1:${closedPort}` } }, 'clickhouse_unreachable', /cannot be reached \(ECONNREFUSED\); start the server or fix store\.clickhouse\.url/, [ch.password]);
  await refusedOpen({ ...(await fresh()), clickhouse: { ...good.clickhouse, url: 'postgres://127.0.0.1:5432' } }, 'clickhouse_url', /must be an http:\/\/ or https:\/\/ URL/, []);
  // A credential in the URL (from { env } or { file } in a config) is used and never shown.
  await refusedOpen({ ...(await fresh()), clickhouse: { url: new Secret(`http://aw:url-secret-pw@127.0.0.1:${ch.httpPort}`), database: good.clickhouse.database! } }, 'clickhouse_auth', /refused the login/, ['url-secret-pw']);
  // Something else answering HTTP at the URL.
  const other: Server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (other.address() as { port: number }).port;
    await refusedOpen({ ...(await fresh()), clickhouse: { ...good.clickhouse, url: `http://127.0.0.1:${port}` } }, 'clickhouse_protocol', /did not answer like a ClickHouse server.*fix store\.clickhouse\.url/, [ch.password]);
  } finally {
    await new Promise((r) => other.close(r));
  }
  // PostgreSQL wrong after a good ClickHouse: still nothing written to either.
  await refusedOpen({ ...(await fresh()), stateStore: { engine: 'postgres', connection: { ...(await fresh()).stateStore.connection, password: new Secret('pg-wrong-pw-1') } } }, 'postgres_auth', /refused the login/, ['pg-wrong-pw-1', pgServer.password]);
  // And the good settings open.
  const ok = await openStore(good);
  await ok.close();
});
