// auditwatch users, run through the real CLI on a real DuckDB file: add (password from stdin or an env
// var), list (never a hash), passwd, remove; bad names, roles and short passwords get one-line errors.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyPassword } from '../service/index.js';
import { openStore } from '../store/index.js';
import { runCli } from './cli.testing.js';

let dir = '';
let config = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditwatch-users-'));
  config = join(dir, 'auditwatch.yaml');
  await writeFile(config, 'store:\n  path: ./store.duckdb\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const users = (args: string[], stdin = '') => runCli(['users', ...args, '--config', config], stdin);
const PW = 'a long enough passphrase';

async function stored(name: string) {
  const store = await openStore({ engine: 'duckdb', path: join(dir, 'store.duckdb') });
  try {
    return await store.state.accounts.get(name);
  } finally {
    await store.close();
  }
}

function oneLineError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

test('users add, list, passwd, remove on a DuckDB file; the password is stored only as a hash that verifies', async () => {
  const added = await users(['add', 'Alice@Contoso.com', '--role', 'admin', '--password-stdin'], `${PW}\n`);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Added alice@contoso\.com \(admin\)/);
  const a = await stored('alice@contoso.com');
  assert.ok(a);
  assert.equal(a.role, 'admin');
  assert.match(a.passwordHash, /^scrypt\$32768\$8\$1\$/);
  assert.ok(!a.passwordHash.includes(PW));
  assert.equal(await verifyPassword(PW, a.passwordHash), true);

  process.env['AW_TEST_USER_PW'] = 'another passphrase 2';
  try {
    const bob = await users(['add', 'bob', '--role', 'viewer', '--password-env', 'AW_TEST_USER_PW']);
    assert.equal(bob.code, 0, bob.stderr);
  } finally {
    delete process.env['AW_TEST_USER_PW'];
  }
  assert.equal(await verifyPassword('another passphrase 2', (await stored('bob'))!.passwordHash), true);

  const dup = await users(['add', 'bob', '--role', 'admin', '--password-stdin'], `${PW}\n`);
  oneLineError(dup, /exists already.*users passwd bob/);
  assert.equal((await stored('bob'))!.role, 'viewer', 'a refused add changes nothing');

  const list = await users(['list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /alice@contoso\.com\s+admin/);
  assert.match(list.stdout, /bob\s+viewer/);
  const json = await users(['list', '--format', 'json']);
  const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows.map((r) => [r['name'], r['role']]), [['alice@contoso.com', 'admin'], ['bob', 'viewer']]);
  for (const out of [list.stdout, json.stdout]) assert.ok(!/scrypt|\$32768\$/.test(out), 'list never prints a hash');

  const before = (await stored('bob'))!.passwordHash;
  const pw = await users(['passwd', 'bob', '--password-stdin'], 'a brand new passphrase\r\n');
  assert.equal(pw.code, 0, pw.stderr);
  const after = (await stored('bob'))!;
  assert.notEqual(after.passwordHash, before);
  assert.equal(await verifyPassword('a brand new passphrase', after.passwordHash), true);
  assert.equal(await verifyPassword('another passphrase 2', after.passwordHash), false);

  const removed = await users(['remove', 'bob']);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(await stored('bob'), null);
  oneLineError(await users(['remove', 'bob']), /No account "bob".*users list/);
  oneLineError(await users(['passwd', 'carol', '--password-stdin'], `${PW}\n`), /No account "carol"/);
});

test('users: bad names, roles, short or missing passwords are one-line errors naming the fix; nothing is stored', async () => {
  oneLineError(await users(['add', 'carol', '--role', 'admin', '--password-stdin'], 'short\n'), /at least 12/);
  oneLineError(await users(['add', 'carol', '--role', 'admin']), /--password-stdin.*--password-env/);
  oneLineError(await users(['add', 'carol', '--role', 'admin', '--password-env', 'AW_TEST_UNSET_PW']), /AW_TEST_UNSET_PW is not set/);
  oneLineError(await users(['add', 'carol', '--role', 'root', '--password-stdin'], `${PW}\n`), /--role viewer\|analyst\|admin/);
  oneLineError(await users(['add', 'carol', '--password-stdin'], `${PW}\n`), /--role/);
  for (const bad of ['', '.hidden', 'a/b', 'a b', '<script>', 'x'.repeat(65), 'evil\u202e']) {
    oneLineError(await users(['add', bad, '--role', 'admin', '--password-stdin'], `${PW}\n`), /not valid; use 1-64 letters/);
  }
  oneLineError(await users(['frobnicate']), /add, remove, passwd or list/);
  const err = await users(['add', 'carol', '--role', 'admin', '--password-stdin'], 'Zq9#xYw\n');
  assert.ok(!err.stderr.includes('Zq9#xYw'), 'the password is never echoed');
  assert.equal(await stored('carol'), null);
});
