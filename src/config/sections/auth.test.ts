// The collect.auth section: its defaults, an OIDC block read with its secret from the environment, and
// the mistakes refused in one go with the key and the fix (a literal client secret never echoed, a
// role that does not exist, a redirect URL that is not one).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../index.js';
import { parseConfig } from '../../service/index.js';

const file = '/tmp/aw-auth-config/auditwatch.yaml';

test('collect.auth defaults: 30m idle, 12h lifetime, auto secure cookies, 5/20/50 failures in 15m, no OIDC', () => {
  const c = parseConfig('store:\n  path: ./x.duckdb\n', { file, env: {} });
  assert.deepEqual(c.collect.auth, { sessionIdle: 30 * 60_000, sessionLifetime: 12 * 3_600_000, secureCookies: 'auto', login: { maxFailures: 5, maxFailuresPerIp: 20, maxFailuresPerUser: 50, window: 15 * 60_000 }, oidc: null });
});

test('an OIDC block with its secret from the environment, defaults filled', () => {
  const yaml = `collect:
  auth:
    oidc:
      issuer: https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/
      clientId: app-id
      clientSecret: { env: OIDC_SECRET }
      redirectUrl: https://aw.example.org/auth/oidc/callback
      roleMap: { AuditWatch.Admin: admin }
`;
  const c = parseConfig(yaml, { file, env: { OIDC_SECRET: 's3cret-value' }, readSecrets: true });
  const o = c.collect.auth.oidc!;
  assert.equal(o.issuer, 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0');
  assert.equal(o.clientSecret?.reveal(), 's3cret-value');
  assert.equal(String(o.clientSecret), '<redacted>');
  assert.deepEqual([o.scopes, o.label, o.usernameClaim, o.roleClaim, o.defaultRole, o.allowedTenants], [['openid', 'profile', 'email'], 'Microsoft Entra ID', 'preferred_username', 'roles', null, []]);
  assert.deepEqual(o.roleMap, { 'AuditWatch.Admin': 'admin' });
});

test('mistakes are refused together, each naming its key; a literal client secret is not echoed', () => {
  const yaml = `collect:
  auth:
    sessionIdle: 1s
    secureCookies: sometimes
    oidc:
      issuer: login.microsoftonline.com
      clientId: app-id
      clientSecret: literal-secret-value
      redirectUrl: /auth/oidc/callback
      roleMap: { AuditWatch.Admin: superuser }
`;
  try {
    parseConfig(yaml, { file, env: {} });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const text = err.lines().join('\n');
    for (const key of ['collect.auth.sessionIdle', 'collect.auth.secureCookies', 'collect.auth.oidc.issuer', 'collect.auth.oidc.clientSecret', 'collect.auth.oidc.redirectUrl', 'collect.auth.oidc.roleMap']) assert.ok(text.includes(key), `${key} in:\n${text}`);
    assert.match(text, /\{ env: AUDITWATCH_OIDC_CLIENT_SECRET \}/);
    assert.match(text, /viewer, analyst or admin/);
    assert.ok(!text.includes('literal-secret-value'));
  }
});
