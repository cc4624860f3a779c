// The DuckDB store: the shared conformance suite against real files in a temp folder, plus what only
// an embedded file has: persistence across reopen, the single-writer lock, read-only opening, and
// DuckDB-specific value conversion.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/index.js';
import { runStoreConformance } from '../conformance/suite.js';
import { makeBlob, makeEventRow } from '../conformance/rows.js';
import { openDuckDbStore, openStore, sql } from '../index.js';

let dir = '';
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditwatch-store-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
const freshPath = () => join(dir, `s${++n}`, 'auditwatch.duckdb');

runStoreConformance('duckdb', () => openDuckDbStore({ path: freshPath() }));

test('duckdb store: migration 210 keeps the evidence of a file written with the keyed detection_evidence, and drops the key', async () => {
  const path = freshPath();
  const old = await openDuckDbStore({ path });
  await old.migrate();
  // The table as migration 201 made it, with rows, and 210 not yet applied.
  await old.query(sql`DROP TABLE detection_evidence`);
  await old.query(sql`CREATE TABLE detection_evidence (rule_id VARCHAR NOT NULL, tenant_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, group_key VARCHAR NOT NULL, detected_at TIMESTAMP NOT NULL, PRIMARY KEY (rule_id, tenant_id, event_id))`);
  await old.query(sql`INSERT INTO detection_evidence VALUES ('rule-a', 't', 'e1', 'g', TIMESTAMP '2026-03-01 00:00:00'), ('rule-a', 't', 'e2', 'g', TIMESTAMP '2026-03-01 00:00:00')`);
  await old.query(sql`DELETE FROM schema_migrations WHERE version = 210`);
  await old.close();
  const store = await openDuckDbStore({ path });
  try {
    assert.deepEqual(await store.migrate(), [210]);
    assert.deepEqual(await store.query(sql`SELECT count(*) AS n FROM duckdb_constraints() WHERE table_name = 'detection_evidence' AND constraint_type = 'PRIMARY KEY'`), [{ n: 0 }]);
    assert.deepEqual((await store.state.detection.knownEvidence('rule-a', ['e1', 'e2', 'e3'])).map((e) => e.eventId).sort(), ['e1', 'e2']);
    await store.state.detection.recordEvidence('rule-a', [{ tenantId: 't', eventId: 'e2', groupKey: 'g' }, { tenantId: 't', eventId: 'e3', groupKey: 'g' }, { tenantId: 't', eventId: 'e3', groupKey: 'h' }], Date.UTC(2026, 2, 2));
    assert.deepEqual(await store.query(sql`SELECT event_id, group_key, count(*) AS n FROM detection_evidence GROUP BY ALL ORDER BY event_id`), [
      { event_id: 'e1', group_key: 'g', n: 1 },
      { event_id: 'e2', group_key: 'g', n: 1 },
      { event_id: 'e3', group_key: 'g', n: 1 },
    ]);
  } finally {
    await store.close();
  }
});

test('duckdb store: data persists across close and reopen, folders are created', async () => {
  const path = freshPath();
  const first = await openDuckDbStore({ path });
  await first.migrate();
  await first.commitBlobs([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2)])], { tenantId: 'tenant-a', contentType: 'Audit.AzureActiveDirectory', position: 12345 });
  await first.close();
  assert.ok(existsSync(path));
  const second = await openStore({ engine: 'duckdb', path });
  try {
    assert.deepEqual(await second.migrate(), []);
    assert.deepEqual(await second.query(sql`SELECT count(*) AS n FROM events`), [{ n: 2 }]);
    assert.equal((await second.getCursor('tenant-a', 'Audit.AzureActiveDirectory'))?.position, 12345);
    const again = await second.commitBlobs([makeBlob('blob-2', [makeEventRow(2), makeEventRow(3)])]);
    assert.equal(again.inserted, 1);
  } finally {
    await second.close();
  }
});

test('duckdb store: read-only opening reads and refuses writes', async () => {
  const path = freshPath();
  const w = await openStore({ engine: 'duckdb', path });
  await w.commitBlobs([makeBlob('blob-1', [makeEventRow(1)])]);
  await w.close();
  const r = await openStore({ engine: 'duckdb', path }, { readOnly: true });
  try {
    assert.deepEqual(await r.queryReadOnly('SELECT count(*) AS n FROM events'), [{ n: 1 }]);
    await assert.rejects(r.commitBlobs([makeBlob('blob-2', [makeEventRow(2)])]));
  } finally {
    await r.close();
  }
  await assert.rejects(openDuckDbStore({ path: join(dir, 'missing', 'x.duckdb'), readOnly: true }), (err) => err instanceof AppError);
});

test('duckdb store: a file held by another process fails with one line naming the fix', async () => {
  const path = freshPath();
  const seed = await openStore({ engine: 'duckdb', path });
  await seed.close();
  const api = createRequire(import.meta.url).resolve('@duckdb/node-api');
  const code = `const { DuckDBInstance } = require(${JSON.stringify(api)});
DuckDBInstance.create(${JSON.stringify(path)}).then(() => { process.stdout.write('held\\n'); setInterval(() => {}, 1000); }, (e) => { console.error(e.message); process.exit(3); });`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => (d.toString().includes('held') ? resolve() : undefined));
      child.on('exit', (c) => reject(new Error(`holder exited with ${c}`)));
    });
    await assert.rejects(openDuckDbStore({ path }), (err) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'store_locked');
      assert.ok(err.message.includes(path), err.message);
      assert.match(err.message, /in use by another auditwatch process/);
      assert.match(err.message, /stop it/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  }
  const reopened = await openDuckDbStore({ path });
  await reopened.close();
});

test('duckdb store: DuckDB types come back as plain JS values', async () => {
  const store = await openDuckDbStore({ path: freshPath() });
  try {
    const [r] = await store.query(sql`SELECT
      CAST(42 AS BIGINT) AS big, CAST(9007199254740993 AS BIGINT) AS huge, CAST(2 AS HUGEINT) AS hi,
      CAST(12.34 AS DECIMAL(10, 2)) AS dec, CAST(1.5 AS FLOAT) AS fl,
      TIMESTAMP '2026-01-01 10:00:00.123' AS ts, TIMESTAMPTZ '2026-01-01 10:00:00+02' AS tstz, DATE '2026-01-02' AS d,
      [1, 2, 3] AS list, {'a': 1, 'b': 'x'} AS st, MAP {'k': 'v'} AS m, CAST('{"a":[1]}' AS JSON) AS j,
      ${['a', 'b']} AS plist, ${[1, 2]} AS pnums, ${new Date(Date.UTC(2026, 0, 1))} AS pdate, ${[] as string[]} AS pempty,
      true AS b, NULL AS z`);
    assert.deepEqual(r, {
      big: 42,
      huge: '9007199254740993',
      hi: 2,
      dec: 12.34,
      fl: 1.5,
      ts: '2026-01-01T10:00:00.123Z',
      tstz: '2026-01-01T08:00:00.000Z',
      d: '2026-01-02',
      list: '[1,2,3]',
      st: '{"a":1,"b":"x"}',
      m: '[{"key":"k","value":"v"}]',
      j: '{"a":[1]}',
      plist: '["a","b"]',
      pnums: '[1,2]',
      pdate: '2026-01-01T00:00:00.000Z',
      pempty: '[]',
      b: true,
      z: null,
    });
    const [inList] = await store.query(sql`SELECT count(*) AS n FROM (SELECT unnest(${['x', 'y']}) AS v) WHERE v IN (SELECT unnest(${['y', 'z']}))`);
    assert.equal(inList?.['n'], 1);
  } finally {
    await store.close();
  }
});

test('duckdb store: the file cannot be used to read other files', async () => {
  const store = await openStore({ engine: 'duckdb', path: freshPath() });
  try {
    await assert.rejects(store.query(sql`SELECT * FROM read_csv(${'/etc/hostname'})`), /disabled|Permission/i);
  } finally {
    await store.close();
  }
});

test('openStore: unknown engines are refused with the list of engines', async () => {
  await assert.rejects(openStore({ engine: 'sqlite' } as never), (err) => err instanceof AppError && /duckdb/.test(err.message));
});

/** Runs statements on the store file with a DuckDB of its own (the store closed): as an older auditwatch or a user's DuckDB would. */
async function onFile(path: string, statements: string[], storage = ''): Promise<unknown[][]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(`ATTACH '${path}' AS f${storage}`);
    await conn.run('USE f');
    let rows: unknown[][] = [];
    for (const s of statements) rows = (await conn.runAndReadAll(s)).getRows();
    return rows;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const rawCompression = (path: string) =>
  onFile(path, [`SELECT DISTINCT compression FROM pragma_storage_info('events') WHERE column_name = 'raw' AND segment_type = 'VARCHAR'`]);

test('duckdb store: events.raw is stored with ZSTD; an older store is upgraded with its rows kept', async () => {
  // A file in DuckDB's default (0.10) format, as earlier versions wrote it, opens and takes every migration.
  const path = freshPath();
  await mkdir(join(path, '..'), { recursive: true });
  await onFile(path, ['CREATE TABLE unrelated (x INTEGER)']);
  const first = await openDuckDbStore({ path });
  await first.migrate();
  await first.commitBlobs([makeBlob('blob-1', [makeEventRow(1), makeEventRow(2), makeEventRow(3)])]);
  await first.close();
  assert.deepEqual(await rawCompression(path), [['ZSTD']]);

  // events as migration 100 made it before 106: DuckDB's own choice for raw.
  await onFile(path, [
    'CREATE TABLE events_plain AS SELECT * FROM events',
    'DROP TABLE events',
    'ALTER TABLE events_plain RENAME TO events',
    'DELETE FROM schema_migrations WHERE version = 106',
    'CHECKPOINT',
  ]);
  const [before] = await rawCompression(path);
  assert.notEqual(before?.[0], 'ZSTD');
  const second = await openDuckDbStore({ path });
  try {
    assert.deepEqual(await second.migrate(), [106]);
    assert.deepEqual(await second.query(sql`SELECT count(*) AS n, count(DISTINCT raw) AS raws FROM events`), [{ n: 3, raws: 3 }]);
    const again = await second.commitBlobs([makeBlob('blob-2', [makeEventRow(3), makeEventRow(4)])]);
    assert.equal(again.inserted, 1, 'de-duplication still sees the rebuilt rows');
  } finally {
    await second.close();
  }
  assert.deepEqual(await rawCompression(path), [['ZSTD']]);
});
