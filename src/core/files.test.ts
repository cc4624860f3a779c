// The file helper: private modes, exclusive creation, atomic replacement of a planted file, checked as
// another local user (`nobody`) when the tests run as root.

import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createPrivateFile, ensurePrivateDir, makePrivate, writePrivateFile } from './files.js';
import { otherUser, readableByOtherUser as readableByNobody, SKIP_OTHER_USER } from './testing-users.js';

const root = mkdtempSync(join(tmpdir(), 'aw-files-'));
chmodSync(root, 0o755); // a shared folder: only the files' own modes protect them
after(() => rmSync(root, { recursive: true, force: true }));

const mode = (p: string) => statSync(p).mode & 0o777;

test('folders created are 0700, files 0600, and another user can read neither', { skip: SKIP_OTHER_USER }, () => {
  const dir = join(root, 'a', 'b', 'c');
  ensurePrivateDir(dir);
  for (const d of [join(root, 'a'), join(root, 'a', 'b'), dir]) assert.equal(mode(d), 0o700, d);
  assert.equal(mode(root), 0o755, 'an existing folder is left as it is');
  const file = join(root, 'report.csv');
  writePrivateFile(file, 'secret rows\n');
  assert.equal(mode(file), 0o600);
  assert.equal(readFileSync(file, 'utf8'), 'secret rows\n');
  assert.equal(readableByNobody(file), false, 'nobody cannot read a private file');
  assert.equal(readableByNobody(join(root, 'a')), false, 'nobody cannot list a private folder');
  // The check itself can fail: nobody reads a world-readable file.
  const open = join(root, 'open.txt');
  writeFileSync(open, 'x', { mode: 0o644 });
  chmodSync(open, 0o644);
  assert.equal(readableByNobody(open), true);
});

test('a pre-existing file of another owner and mode is replaced, not written through', { skip: SKIP_OTHER_USER }, () => {
  const file = join(root, 'store.duckdb.daemon.json');
  writeFileSync(file, '{"planted":true}');
  chmodSync(file, 0o666);
  chownSync(file, otherUser!.uid, otherUser!.gid);
  writePrivateFile(file, '{"token":"t0ps3cret"}');
  const st = statSync(file);
  assert.equal(st.uid, process.getuid!(), 'owned by this user now');
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(readableByNobody(file), false);
  // A symlink planted at the name is replaced; its target is not touched.
  const target = join(root, 'target.txt');
  writeFileSync(target, 'original');
  const link = join(root, 'link.json');
  symlinkSync(target, link);
  writePrivateFile(link, 'new');
  assert.equal(readFileSync(target, 'utf8'), 'original');
  assert.equal(lstatSync(link).isSymbolicLink(), false);
  assert.equal(readFileSync(link, 'utf8'), 'new');
});

test('exclusive creation refuses an existing name, a symlink included, and leaves no temporary file', () => {
  const file = join(root, 'once.secret');
  createPrivateFile(file, 'one');
  assert.throws(() => createPrivateFile(file, 'two'), /EEXIST/);
  assert.equal(readFileSync(file, 'utf8'), 'one');
  const link = join(root, 'dangling');
  symlinkSync(join(root, 'would-be-created'), link);
  assert.throws(() => createPrivateFile(link, 'x'), /EEXIST/);
  assert.equal(existsSync(join(root, 'would-be-created')), false, 'a dangling symlink is not followed');
});

test('makePrivate takes group and other bits from an older file of this user', () => {
  const file = join(root, 'old.duckdb');
  writeFileSync(file, 'x');
  chmodSync(file, 0o644);
  makePrivate(file);
  assert.equal(mode(file), 0o600);
  makePrivate(join(root, 'missing'));
});
