// auditwatch search through the real CLI on a real DuckDB file with imported NDJSON: filters, a page
// and its --cursor, json lines, CSV with formula cells neutralised, and one-line usage errors.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from './cli.testing.js';

const ORG = 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd';
let dir = '';
let config = '';

function rec(n: number, minutesAgo: number, fields: Record<string, unknown>): string {
  return JSON.stringify({
    Id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    RecordType: 15,
    CreationTime: new Date(Date.now() - minutesAgo * 60_000).toISOString().slice(0, 19),
    OrganizationId: ORG,
    UserKey: '',
    UserType: 0,
    Workload: 'AzureActiveDirectory',
    ClientIP: '203.0.113.5',
    Operation: 'UserLoginFailed',
    UserId: 'eve@contoso.com',
    ...fields,
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditwatch-search-cli-'));
  config = join(dir, 'auditwatch.yaml');
  await writeFile(config, 'store:\n  path: ./store.duckdb\n');
  const lines = [
    ...Array.from({ length: 7 }, (_, i) => rec(i + 1, 10 + i, {})),
    rec(20, 3, { Operation: 'UserLoggedIn', UserId: '=cmd|calc', ClientIP: '198.51.100.1' }),
    rec(21, 60 * 24 * 10, { UserId: 'old@contoso.com' }),
  ];
  await writeFile(join(dir, 'records.ndjson'), lines.join('\n') + '\n');
  const r = await runCli(['import', '--config', config, '--tenant', ORG, join(dir, 'records.ndjson')]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const search = (args: string[]) => runCli(['search', '--config', config, ...args]);

test('search: filters, a page and its --cursor, json lines', async () => {
  const first = await search(['--user', 'EVE@contoso.com', '--limit', '4', '--format', 'json']);
  assert.equal(first.code, 0, first.stderr);
  const rows = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 4);
  assert.ok(rows.every((r) => r.user === 'eve@contoso.com'));
  const cursor = /--cursor (\S+)/.exec(first.stderr)?.[1];
  assert.ok(cursor, first.stderr);
  const second = await search(['--user', 'eve@contoso.com', '--limit', '4', '--format', 'json', '--cursor', cursor]);
  const more = second.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(more.length, 3);
  assert.equal(new Set([...rows, ...more].map((r) => r.id)).size, 7);
  assert.doesNotMatch(second.stderr, /--cursor/);
  const table = await search(['--ip', '198.51.100.1']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^time\s+user\s+ip/);
  assert.match(table.stdout, /=cmd\|calc/);
  assert.equal(table.stdout.trim().split('\n').length, 3);
  assert.match((await search(['--since', '30d', '--user', 'old@contoso.com'])).stdout, /old@contoso\.com/);
  assert.match((await search(['--user', 'old@contoso.com'])).stdout, /\(no events\)/);
});

test('search --format csv: every match, formula cells neutralised', async () => {
  const r = await search(['--format', 'csv']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\r\n');
  assert.equal(lines.length, 1 + 8);
  assert.match(lines[0]!, /^"Time \(UTC\)"/);
  assert.ok(lines.some((l) => l.includes(`"'=cmd|calc"`)));
});

test('search: mistakes are one-line usage errors', async () => {
  for (const [args, pattern] of [
    [['--limit', '0'], /--limit must be a whole number from 1 to 1000/],
    [['--since', 'last tuesday'], /--since "last tuesday" is neither a time/],
    [['--cursor', 'bogus!'], /cursor is not one this search gave/],
    [['--format', 'csv', '--cursor', 'abc'], /--cursor pages the table and json formats/],
  ] as [string[], RegExp][]) {
    const r = await search(args);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
});
