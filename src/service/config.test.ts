// Tests of loading auditwatch.yaml: every error at once with its line, secrets by env and file (never
// echoed), relative paths, defaults, and that the example `init` writes loads.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, emulatorConfig, exampleConfig } from '../config/index.js';
import { SECTION_NAMES, loadConfig, parseConfig } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'aw-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const T1 = '11111111-1111-1111-1111-111111111111';
const T2 = '22222222-2222-2222-2222-222222222222';

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.lines();
  }
  assert.fail('expected the config to be refused');
}

describe('config', () => {
  it('collects every error at once, each with file, line, key path and fix', () => {
    const file = write(
      'bad.yaml',
      [
        'tenants:', //                                      1
        '  - name: contoso', //                             2
        '    tenantId: not-a-guid', //                      3
        `    clientId: ${T1}`, //                           4
        '    clientSecret: sup3r-s3cret-literal', //        5
        '    cloud: moon', //                               6
        '  - name: fabrikam', //                            7
        `    tenantId: ${T2}`, //                           8
        `    clientId: ${T1}`, //                           9
        '    contentTypes: [Audit.Nope]', //               10
        'store:', //                                       11
        '  retention: 2d', //                              12
        'collect:', //                                     13
        '  interval: soon', //                             14
        '  listen: nowhere', //                            15
        'colect: {}', //                                   16
        'log: { level: loud }', //                         17
      ].join('\n'),
    );
    const lines = issuesOf(() => loadConfig(file, { env: {} }));
    const expect = [
      `${file}:3: tenants[0].tenantId must be a GUID (the Directory (tenant) ID from the app registration)`,
      `${file}:6: tenants[0].cloud must be one of enterprise, gcc, gcc-high, dod`,
      `${file}:10: tenants[1].contentTypes[0] must be one of`,
      `${file}:12: store.retention must be a duration of at least 8d`,
      `${file}:14: collect.interval must be a duration like 90s, 5m, 24h or 7d`,
      `${file}:15: collect.listen must be host:port`,
      `${file}:16: colect is not a section auditwatch knows; the sections are ${SECTION_NAMES.join(', ')}`,
      `${file}:17: log.level must be one of debug, info, warn, error`,
    ];
    for (const e of expect) assert.ok(lines.some((l) => l.startsWith(e)), `missing "${e}" in:\n${lines.join('\n')}`);
    const literal = lines.find((l) => l.includes('tenants[0].clientSecret'));
    assert.ok(literal?.startsWith(`${file}:5: tenants[0].clientSecret must not be written in the config; use { env:`), literal);
    assert.ok(lines.every((l) => !l.includes('sup3r-s3cret-literal')), 'the literal secret is never echoed');
    // The second tenant misses a credential: named on its line with both ways to give one.
    assert.ok(lines.some((l) => l.startsWith(`${file}:7: tenants[1].clientSecret is missing; add clientSecret: { env: NAME } or { file: PATH }`)), lines.join('\n'));
  });

  it('refuses a request budget that would start above its ceiling, naming both keys', () => {
    const file = write('budget.yaml', 'collect:\n  requestsPerMinute: 1500\n  startRequestsPerMinute: 2000\n');
    const lines = issuesOf(() => loadConfig(file, { env: {} }));
    assert.ok(lines.some((l) => l.startsWith(`${file}:3: collect.startRequestsPerMinute is above collect.requestsPerMinute (1500), the budget's ceiling; lower it or raise the ceiling`)), lines.join('\n'));
    const ok = loadConfig(write('budget-ok.yaml', 'collect:\n  requestsPerMinute: 1500\n  startRequestsPerMinute: 1000\n'), { env: {} });
    assert.deepEqual([ok.collect.requestsPerMinute, ok.collect.startRequestsPerMinute], [1500, 1000]);
  });

  it('reports YAML syntax errors with their line', () => {
    const file = write('syntax.yaml', 'tenants:\n  - name: a\n    tenantId: [unclosed\nstore: {}\n');
    const lines = issuesOf(() => loadConfig(file, { env: {} }));
    assert.match(lines[0]!, /syntax\.yaml:\d+: is not valid YAML: .*; fix the syntax/);
  });

  it('reads secrets from environment variables and files, resolving paths against the config folder', () => {
    mkdirSync(join(dir, 'sub', 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'secrets', 'b.secret'), 'file-secret-value\n', { mode: 0o600 });
    chmodSync(join(dir, 'sub', 'secrets', 'b.secret'), 0o600);
    const file = write(
      'sub/ok.yaml',
      `tenants:
  - name: a
    tenantId: ${T1.toUpperCase()}
    clientId: ${T2}
    clientSecret: { env: AW_TEST_SECRET }
  - name: b
    tenantId: ${T2}
    clientId: ${T1}
    clientSecret: { file: secrets/b.secret }
    cloud: gcc-high
    apiUrl: http://127.0.0.1:9999/
    contentTypes: [Audit.Exchange]
store:
  path: data/x.duckdb
  retention: forever
`,
    );
    const c = loadConfig(file, { env: { AW_TEST_SECRET: 'env-secret-value' } });
    assert.equal(c.tenants.length, 2);
    const [a, b] = c.tenants;
    assert.equal(a!.tenantId, T1, 'GUIDs are lower-cased');
    assert.equal(a!.publisherId, T1, 'publisherId defaults to the tenant id');
    assert.equal(a!.credential.kind, 'secret');
    assert.equal(a!.credential.kind === 'secret' && a!.credential.secret.reveal(), 'env-secret-value');
    assert.equal(b!.credential.kind === 'secret' && b!.credential.secret.reveal(), 'file-secret-value');
    assert.equal(b!.cloud, 'gcc-high');
    assert.equal(b!.apiUrl, 'http://127.0.0.1:9999');
    assert.deepEqual(b!.contentTypes, ['Audit.Exchange']);
    assert.equal(a!.contentTypes.length, 5, 'all five content types by default');
    assert.equal(c.store.path, join(dir, 'sub', 'data', 'x.duckdb'));
    assert.equal(c.store.retention, null);
    assert.equal(c.collect.interval, 5 * 60_000);
    assert.equal(c.collect.overlap, 24 * 3_600_000);
    assert.deepEqual(c.collect.listen, { host: '127.0.0.1', port: 9464 });
    assert.equal(c.log.level, 'info');
    const printed = JSON.stringify(c) + String(c.tenants[0]!.credential.kind === 'secret' ? c.tenants[0]!.credential.secret : '');
    assert.ok(!printed.includes('env-secret-value') && !printed.includes('file-secret-value'), 'secrets print as <redacted>');
  });

  it('says which variable is unset and which file is missing, without values', () => {
    const file = write(
      'missing.yaml',
      `tenants:
  - name: a
    tenantId: ${T1}
    clientId: ${T2}
    clientSecret: { env: AW_UNSET_VAR }
  - name: b
    tenantId: ${T2}
    clientId: ${T1}
    clientSecret: { file: ./nope/b.secret }
  - name: c
    tenantId: 33333333-3333-3333-3333-333333333333
    clientId: ${T1}
    certificate: { file: ./nope/c.pem }
    privateKey: { env: AW_KEY }
`,
    );
    const lines = issuesOf(() => loadConfig(file, { env: {} }));
    assert.ok(lines.some((l) => l.startsWith(`${file}:5: tenants[0].clientSecret names the environment variable AW_UNSET_VAR, which is not set; export AW_UNSET_VAR`)), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`${file}:9: tenants[1].clientSecret names ./nope/b.secret, which does not exist`)), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`${file}:13: tenants[2].`)), lines.join('\n'));
    // readSecrets: false checks the shape only (for commands that need no credentials).
    const c = loadConfig(file, { env: {}, readSecrets: false });
    assert.equal(c.tenants.length, 3);
  });

  it('refuses duplicate tenants and a secret given both ways', () => {
    const lines = issuesOf(() =>
      parseConfig(
        `tenants:
  - name: a
    tenantId: ${T1}
    clientId: ${T2}
    clientSecret: { env: X }
    certificate: { file: c.pem }
    privateKey: { env: Y }
  - name: a
    tenantId: ${T1}
    clientId: ${T2}
    clientSecret: { env: X, file: y }
`,
        { file: join(dir, 'dup.yaml'), env: { X: 'x', Y: 'y' }, readSecrets: false },
      ),
    );
    assert.ok(lines.some((l) => /dup\.yaml:5: tenants\[0\]\.clientSecret and certificate\/privateKey are both set/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /dup\.yaml:11: tenants\[1\]\.clientSecret must be \{ env: NAME \} or \{ file: PATH \}/.test(l)), lines.join('\n'));
  });

  it('the example config loads once its secret variable is set, with every default', () => {
    const file = write('example.yaml', exampleConfig());
    const c = loadConfig(file, { env: { AUDITWATCH_CONTOSO_SECRET: 'x-secret' } });
    assert.equal(c.tenants[0]!.name, 'contoso');
    assert.equal(c.store.retention, 365 * 86_400_000);
    assert.equal(c.collect.requestsPerMinute, 2000);
    assert.equal(c.collect.maxConcurrency, 4);
    const emu = write(
      'emu.yaml',
      emulatorConfig('http://127.0.0.1:1234', [{ name: 'contoso-1', tenantId: T1, clientId: T2, secretFile: './s/contoso-1.secret' }]),
    );
    mkdirSync(join(dir, 's'), { recursive: true });
    writeFileSync(join(dir, 's', 'contoso-1.secret'), 'abc\n', { mode: 0o600 });
    const e = loadConfig(emu, { env: {} });
    assert.equal(e.tenants[0]!.apiUrl, 'http://127.0.0.1:1234');
    assert.equal(e.tenants[0]!.loginUrl, 'http://127.0.0.1:1234');
  });
});
