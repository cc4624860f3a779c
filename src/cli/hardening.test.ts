// What a hostile-input probe found, reproduced through the CLI on a real DuckDB file: terminal escapes
// in audit fields must not reach a terminal or a CSV file raw (query, report); JSON output escapes bidi,
// line separators and C1 controls; an import with bad lines exits 3, names each line and the
// dead_letters table, and keeps every rejected record (deep ones included) with its original text; the
// daemon's endpoint file replaces a planted one instead of keeping its owner and mode.

import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasActiveControl } from '../core/index.js';
import { otherUser, readableByOtherUser, SKIP_OTHER_USER } from '../core/testing-users.js';
import { endpointFile, readEndpoint, writeEndpoint } from './shared/control.js';
import { runCli } from './testing.js';

const root = mkdtempSync(join(tmpdir(), 'aw-hardening-'));
const cfg = join(root, 'auditwatch.yaml');
const TENANT = '11111111-2222-4333-8444-555555555555';
// ESC [2J clears the screen, OSC 0 sets the window title, OSC 8 makes a link, U+009B is a one-byte CSI,
// U+202E reverses the text, U+2028 breaks the line in some viewers.
const HOSTILE = 'mallory\u001b[2J\u001b]0;pwned\u0007\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\\u009b31m\u202etxt.exe\u2028\u2029\u0085end';
const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19);
const record = (id: string, extra: object = {}) => ({ Id: id, CreationTime: day, RecordType: 1, Operation: `Set-Mailbox${HOSTILE}`, Workload: 'Exchange', OrganizationId: TENANT, UserId: HOSTILE, UserType: 2, ResultStatus: 'True', ...extra });
const deep = (leaf: string) => `{"Id":"00000000-0000-4000-8000-00000000000${leaf}","CreationTime":"${day}","RecordType":1,"OrganizationId":"${TENANT}","X":${'{"a":'.repeat(5000)}${leaf}${'}'.repeat(5000)}}`;
const lines = [JSON.stringify(record('aaaaaaaa-0000-4000-8000-000000000001')), 'not json', deep('1'), deep('2'), '42', '42'];
const file = join(root, 'hostile.ndjson');

before(() => {
  writeFileSync(cfg, 'store:\n  path: ./data/store.duckdb\nreports:\n  folder: ./reports\n');
  writeFileSync(file, `${lines.join('\n')}\n`);
});
after(() => rmSync(root, { recursive: true, force: true }));

const noActive = (text: string, what: string) => assert.equal(hasActiveControl(text, { newline: true }), false, `${what} carries a raw control: ${JSON.stringify(text.slice(0, 400))}`);

describe('hostile input through the CLI', () => {
  it('import with bad lines exits 3, names every rejected line and the dead_letters table', async () => {
    const r = await runCli(['import', '--config', cfg, file]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /hostile\.ndjson: 6 read, 1 inserted, 0 duplicates, 5 rejected/);
    for (const [line, why] of [[2, 'not valid JSON'], [3, 'nested too deeply'], [4, 'nested too deeply'], [5, 'a number, not a JSON object'], [6, 'a number, not a JSON object']] as const) {
      assert.match(r.stdout, new RegExp(`rejected: .*hostile\\.ndjson: line ${line}: .*${why}`), `line ${line}`);
    }
    assert.match(r.stdout, /5 records were rejected and kept .* in the dead_letters table: auditwatch query "SELECT reason, raw FROM dead_letters WHERE source_id IN \('import:.*hostile\.ndjson'\)"/);
    noActive(r.stdout, 'import output');
    const again = await runCli(['import', '--config', cfg, file]);
    assert.equal(again.code, 3);
    assert.match(again.stdout, /6 read, 0 inserted, 1 duplicates, 5 rejected/);
  });

  it('dead letters keep each rejected record once, with its original text, deep ones included', async () => {
    const r = await runCli(['query', '--config', cfg, '--format', 'json', 'SELECT reason, raw FROM dead_letters ORDER BY reason']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { reason: string; raw: string });
    assert.equal(rows.length, 5, 'five rejected lines, five dead letters, after two imports');
    const raws = rows.map((x) => x.raw).sort();
    assert.deepEqual(raws, [lines[1], lines[2], lines[3], lines[4], lines[5]].sort());
    assert.ok(!raws.includes('[object Object]'));
    assert.ok(rows.every((x) => /^.*hostile\.ndjson: line \d: /.test(x.reason)), 'each reason names its line');
  });

  it('query --format csv and table carry no raw terminal control; csv keeps the value as visible escapes', async () => {
    const c = await runCli(['query', '--config', cfg, '--format', 'csv', 'SELECT user_id, operation FROM events']);
    assert.equal(c.code, 0, c.stderr);
    noActive(c.stdout, 'query csv');
    assert.ok(c.stdout.includes('mallory\\u001b[2J\\u001b]0;pwned\\u0007'), c.stdout);
    const t = await runCli(['query', '--config', cfg, 'SELECT user_id FROM events']);
    noActive(t.stdout, 'query table');
  });

  it('query --format json escapes bidi overrides, U+2028/U+2029 and C1 controls, and parses back to the value', async () => {
    const j = await runCli(['query', '--config', cfg, '--format', 'json', 'SELECT user_id FROM events']);
    assert.equal(j.code, 0, j.stderr);
    noActive(j.stdout, 'query json');
    assert.match(j.stdout, /\\u202e/);
    assert.match(j.stdout, /\\u2028\\u2029\\u0085/);
    assert.equal((JSON.parse(j.stdout) as { user_id: string }).user_id, HOSTILE, 'lossless');
  });

  it('report NAME prints CSV to stdout with no raw control, and --out writes a private file without any', async () => {
    const r = await runCli(['report', 'admin-activity', '--config', cfg, '--from', '30d']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('mallory'), r.stdout);
    noActive(r.stdout, 'report csv on stdout');
    const out = join(root, 'reports-out', 'admin.csv');
    const w = await runCli(['report', 'admin-activity', '--config', cfg, '--from', '30d', '--out', out]);
    assert.equal(w.code, 0, w.stderr);
    const text = readFileSync(out, 'utf8');
    assert.ok(text.includes('mallory'));
    noActive(text, 'report csv file');
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const j = await runCli(['report', 'admin-activity', '--config', cfg, '--from', '30d', '--format', 'json']);
    noActive(j.stdout, 'report json');
    const h = await runCli(['report', 'admin-activity', '--config', cfg, '--from', '30d', '--format', 'html']);
    noActive(h.stdout, 'report html');
  });

  it('the store made by these commands is not readable by another user', { skip: SKIP_OTHER_USER }, () => {
    const store = join(root, 'data', 'store.duckdb');
    assert.equal(readableByOtherUser(store), false);
    chmodSync(join(root, 'data'), 0o755);
    assert.equal(readableByOtherUser(store), false, 'the file itself is 0600');
    chmodSync(join(root, 'data'), 0o700);
  });

  it('a pre-existing <store>.daemon.json of another user is replaced: owner, mode 0600, unreadable by nobody', { skip: SKIP_OTHER_USER }, () => {
    const store = join(root, 'shared', 'store.duckdb');
    const ep = endpointFile(store);
    mkdirSync(join(root, 'shared'));
    chmodSync(join(root, 'shared'), 0o755); // a plain shared folder, as /var/lib/auditwatch often is
    chmodSync(root, 0o755);
    // nobody planted a world-readable file where the daemon writes its bearer token.
    writeFileSync(ep, '{}');
    chmodSync(ep, 0o666);
    chownSync(ep, otherUser!.uid, otherUser!.gid);
    writeEndpoint(store, { pid: process.pid, url: 'http://127.0.0.1:1', token: 'bearer-token-value-123', startedAt: new Date().toISOString() });
    const st = statSync(ep);
    assert.equal(st.uid, 0);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(readableByOtherUser(ep), false);
    assert.equal(readEndpoint(store)?.token, 'bearer-token-value-123');
  });
});
