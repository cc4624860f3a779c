// auditwatch detect / rules / hunt in-process against a real DuckDB file and the built-in pack, with a
// per-rule parameter override from the config.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { packageRoot } from '../detect/index.js';
import { normalize, type EventRow } from '../records/index.js';
import { openDuckDbStore } from '../store/index.js';
import { runCli } from './cli.testing.js';

const BURST = 'ecc2c36c-9c2f-4c0a-b082-df3032b94f92';
const MFA = '60de9b57-dc4d-48b9-a6a0-b39e0469f876';
let dir: string;
let config: string;

function row(i: number, time: string, extra: Record<string, unknown>): EventRow {
  const r = normalize(
    { Id: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`, RecordType: 15, CreationTime: time, OrganizationId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd', UserKey: '', UserType: 0, Workload: 'AzureActiveDirectory', ClientIP: '203.0.113.77', ...extra },
    { tenantId: 'contoso', contentType: null, sourceId: 'import:test' },
  );
  assert.ok(r.ok);
  return r.row;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-cli-detect-'));
  config = join(dir, 'auditwatch.yaml');
  await writeFile(config, `store:\n  path: ${join(dir, 'store.duckdb')}\ndetect:\n  parameters:\n    ${BURST}: {gte: 3, timespan: 2m}\n`);
  const store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
  const rows = [
    row(1, '2026-03-02T09:00:00', { Operation: 'UserLoginFailed', UserId: 'victim@contoso.com', ErrorNumber: '50126' }),
    row(2, '2026-03-02T09:01:00', { Operation: 'UserLoginFailed', UserId: 'victim@contoso.com', ErrorNumber: '50126' }),
    row(3, '2026-03-02T09:02:00', { Operation: 'UserLoginFailed', UserId: 'victim@contoso.com', ErrorNumber: '50053' }),
    row(4, '2026-03-02T10:00:00', { RecordType: 8, Operation: 'Disable Strong Authentication.', UserId: 'admin@contoso.com' }),
  ];
  await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows, rejects: [], ingestedAt: Date.UTC(2026, 2, 2, 11) });
  await store.close();
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('detect --format json prints one object a line, stores alerts, and never repeats evidence', async () => {
  const args = ['detect', '--config', config, '--from', '2026-03-01T00:00:00Z', '--to', '2026-03-03T00:00:00Z', '--format', 'json'];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  const hits = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const burst = hits.find((h) => h['rule'] === BURST)!;
  assert.deepEqual(
    { ...burst, tags: undefined },
    {
      rule: BURST,
      title: 'Many failed sign-ins for one account',
      severity: 'medium',
      tenant: 'contoso',
      groupKey: 'UserId=victim@contoso.com',
      entities: { users: ['victim@contoso.com'], ips: ['203.0.113.77'] },
      firstSeen: '2026-03-02T09:00:00.000Z',
      lastSeen: '2026-03-02T09:02:00.000Z',
      count: 3,
      evidence: ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'],
      tags: undefined,
    },
  );
  assert.ok(hits.some((h) => h['rule'] === MFA));
  assert.equal(hits.length, 2);
  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, '');
  // Hunting shows them again and stores nothing.
  const hunt = await runCli(['hunt', join(packageRoot(), 'rules', 'sigmahq_microsoft365_disabling_mfa.yml'), '--config', config, '--since', '2026-03-01T00:00:00Z', '--to', '2026-03-03T00:00:00Z', '--format', 'json']);
  assert.equal(hunt.code, 0, hunt.stderr);
  assert.equal(JSON.parse(hunt.stdout.trim())['rule'], MFA);
});

test('rules validate names the file, line, column and field of a mistake', async () => {
  const bad = join(dir, 'bad.yml');
  await writeFile(bad, 'title: x\nlogsource: {product: m365}\ndetection:\n  sel:\n    Operation|endwith: Permission\n  condition: sel\n');
  const res = await runCli(['rules', 'validate', bad, '--config', config]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /bad\.yml:5:5: detection\.sel\.Operation\|endwith: unknown modifier "endwith"/);
  const good = await runCli(['rules', 'validate', join(packageRoot(), 'rules', 'aw_password_spray.yml'), '--config', config]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^rules OK: 1 rule in 1 file/);
});

test('rules list shows the pack with the configured parameters; rules test runs a rule\'s tests', async () => {
  const list = await runCli(['rules', 'list', '--config', config, '--format', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(rows.some((r) => r['id'] === MFA && r['enabled'] === true));
  const tests = await runCli(['rules', 'test', MFA, BURST, '--config', config]);
  assert.equal(tests.code, 0, tests.stdout + tests.stderr);
  // The config's override (gte 3) does not apply to the rule's own tests.
  assert.match(tests.stdout, /7\/7 rule tests passed in 2 files/);
});

test('rules disable|enable ID records the change with --as and a reason; rules list shows it and where it comes from', async () => {
  const off = await runCli(['rules', 'disable', MFA, '--reason', 'noisy week', '--as', 'alice', '--config', config]);
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stdout, new RegExp(`^rule ${MFA} \\(.+\\) disabled by alice: noisy week\\n$`));
  const list = await runCli(['rules', 'list', '--config', config, '--format', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const mfa = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r['id'] === MFA)!;
  assert.deepEqual([mfa['enabled'], mfa['enabledFrom'], mfa['changedBy'], mfa['reason'], mfa['source']], [false, 'store', 'alice', 'noisy week', 'builtin']);
  const table = await runCli(['rules', 'list', '--config', config]);
  assert.match(table.stdout, /from/);
  const on = await runCli(['rules', 'enable', MFA, '--actor', 'bob', '--config', config]);
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stdout, /enabled by bob\n$/);
  const unknown = await runCli(['rules', 'enable', 'no-such-rule', '--config', config]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /No rule "no-such-rule"/);
});
