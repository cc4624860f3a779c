// Tests of static.ts in-process: index.html for / and every dashboard path (with the strict CSP of
// every answer), the bundled assets with their content types, nothing else from the folder (no path
// reaches the file system), and a clear error when the bundle was not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Hono } from 'hono';
import { AppError } from '../core/index.js';
import { CONTENT_SECURITY_POLICY, securityHeaders, webStatic } from './index.js';

test('serves the page for dashboard paths and the bundle under /assets, nothing else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aw-static-'));
  try {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>aw</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(dir, 'secret.txt'), 'not served');
    const app = new Hono();
    app.use('*', securityHeaders());
    app.use('*', webStatic(dir));
    app.notFound((c) => c.text('none', 404));
    for (const path of ['/', '/login', '/alerts', '/alerts/a1', '/search', '/users/x%40y.com', '/ips/1.2.3.4', '/reports', '/rules']) {
      const r = await app.request(path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
      assert.match(await r.text(), /<title>aw<\/title>/);
    }
    const js = await app.request('/assets/app.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match((await app.request('/assets/app.css')).headers.get('content-type') ?? '', /^text\/css/);
    for (const path of ['/secret.txt', '/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/index.html/x', '/alerts/a/b', '/assets/nope.js']) {
      assert.equal((await app.request(path)).status, 404, path);
    }
    assert.equal((await app.request('/alerts', { method: 'POST' })).status, 404);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a folder without the bundle, naming the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aw-static-'));
  try {
    assert.throws(() => webStatic(dir), (e: unknown) => e instanceof AppError && e.code === 'web_missing' && /npm run build/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
