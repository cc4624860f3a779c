// Rule isolation from the command line, on a real DuckDB store: a user folder with a broken rule and a
// valid one. detect and hunt run the valid rules (built-in ones too) and name the broken rule with its
// file:line on stderr; status shows it as a warning until it is fixed.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './cli.testing.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'auditwatch-isolation-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rules = path.join(dir, 'rules');
mkdirSync(rules);
writeFileSync(
  path.join(rules, 'broken.yml'),
  `title: Broken
id: broken-rule
logsource: {product: m365, service: sharepoint}
detection:
  s:
    Operation|nosuchmodifier: FileDownloaded
  condition: s
level: high
`,
);
const valid = `title: Payroll downloaded
id: payroll-downloaded
logsource: {product: m365, service: sharepoint}
detection:
  s:
    Operation: FileDownloaded
    ObjectId|contains: payroll
  condition: s
level: high
`;
writeFileSync(path.join(rules, 'valid.yml'), valid);
// The same id as a built-in rule: the user's rule replaces it, with a notice.
const BUILTIN_ID = '98374f75-442d-4097-a6dc-08da2851cf88';
writeFileSync(path.join(rules, 'override.yml'), valid.replace('id: payroll-downloaded', `id: ${BUILTIN_ID}`).replace('Payroll downloaded', 'My own lockout rule'));
const cfg = path.join(dir, 'auditwatch.yaml');
writeFileSync(cfg, `store:\n  path: ${JSON.stringify(path.join(dir, 'store.duckdb'))}\ndetect:\n  ruleDirs: [${JSON.stringify(rules)}]\n`);
const records = path.join(dir, 'records.ndjson');
const rec = (n: number) => ({
  CreationTime: '2026-01-02T03:04:05',
  Id: `0000000${n}-1111-4222-8333-444455556666`,
  Operation: 'FileDownloaded',
  OrganizationId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd',
  RecordType: 6,
  UserKey: 'k',
  UserType: 0,
  Workload: 'SharePoint',
  UserId: 'mallory@contoso.com',
  ClientIP: '198.51.100.1',
  ObjectId: 'https://contoso.sharepoint.com/sites/hr/payroll.xlsx',
});
writeFileSync(records, `${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`);

test('detect, hunt and status: the broken rule is named with file:line and skipped, the others run', async () => {
  assert.equal((await runCli(['import', '--config', cfg, records])).code, 0);

  const detect = await runCli(['detect', '--config', cfg, '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-03T00:00:00Z', '--format', 'json']);
  assert.equal(detect.code, 0, detect.stderr);
  assert.match(detect.stderr, /broken\.yml:6.*nosuchmodifier/);
  assert.match(detect.stderr, /1 rule error\(s\): those rules are skipped, the others run/);
  assert.match(detect.stdout, /"rule":"payroll-downloaded"/);
  assert.match(detect.stderr, new RegExp(`notice: .*override\\.yml:1: rule ${BUILTIN_ID} replaces the one with that id in .*aw_account_lockout\\.yml`));
  assert.match(detect.stdout, /"title":"My own lockout rule"/, 'the user\'s rule runs in place of the built-in one');

  const huntFile = path.join(dir, 'hunt.yml');
  writeFileSync(huntFile, `${valid.replace('payroll-downloaded', 'hunt-payroll')}---\ntitle: Also broken\nid: hunt-broken\nlogsource: {product: m365, service: sharepoint}\ndetection:\n  s: {NoSuch.Field: 1}\n  condition: s\n`);
  const hunt = await runCli(['hunt', '--config', cfg, '--since', '2025-12-01T00:00:00Z', '--format', 'json', huntFile]);
  assert.equal(hunt.code, 0, hunt.stderr);
  assert.match(hunt.stderr, /hunt\.yml:\d+/);
  assert.match(hunt.stdout, /"rule":"hunt-payroll"/);

  const validate = await runCli(['validate', '--config', cfg]);
  assert.equal(validate.code, 1, 'validate fails on a broken rule folder');
  assert.match(validate.stderr, /broken\.yml:6/);
  assert.match(validate.stderr, /1 rule error in the rule folders/);

  const status = await runCli(['status', '--config', cfg]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /warning: rule at .*broken\.yml:6 is skipped \(it does not load\).*detect\.disabled/);
});
