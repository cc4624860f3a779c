// The store's files are private: a new store's folder, its DuckDB file, the WAL and the spill folder
// are not readable by another local user (checked as `nobody`), even in a folder others can list.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readableByOtherUser, SKIP_OTHER_USER } from '../../core/testing-users.js';
import { openDuckDbStore } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'aw-private-'));
chmodSync(root, 0o755);
after(() => rmSync(root, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

test('a new store: folder 0700; file, WAL 0600 and spill folder 0700, none readable by nobody', { skip: SKIP_OTHER_USER }, async () => {
  const shared = join(root, 'shared');
  const path = join(shared, 'new', 'auditwatch.duckdb');
  const store = await openDuckDbStore({ path, memoryLimit: '32MB', threads: 1 });
  try {
    await store.migrate();
    // A sort larger than the memory limit spills to <file>.tmp while the WAL still holds the migrations.
    await store.queryReadOnly('SELECT count(*) AS n FROM (SELECT md5(range::VARCHAR) || md5((range + 1)::VARCHAR) AS s FROM range(1500000) ORDER BY s LIMIT 10 OFFSET 1000000)');
    assert.equal(mode(join(shared, 'new')), 0o700, 'the folder made for the store');
    chmodSync(join(shared, 'new'), 0o755); // from here on only the files' own modes protect them
    for (const p of [path, `${path}.wal`, `${path}.tmp`]) {
      assert.ok(existsSync(p), `${p} exists`);
      assert.equal(mode(p) & 0o077, 0, `${p} has no group or other permission`);
      assert.equal(readableByOtherUser(p), false, `nobody cannot read ${p}`);
    }
  } finally {
    await store.close();
  }
});

test('an older store made readable by others is tightened when opened', { skip: SKIP_OTHER_USER }, async () => {
  const path = join(root, 'old.duckdb');
  const first = await openDuckDbStore({ path });
  await first.migrate();
  await first.close();
  chmodSync(path, 0o644);
  assert.equal(readableByOtherUser(path), true, 'the check can fail');
  const again = await openDuckDbStore({ path });
  await again.close();
  assert.equal(mode(path), 0o600);
  assert.equal(readableByOtherUser(path), false);
});
