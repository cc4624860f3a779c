// auditwatch serve as a child process over a real DuckDB store with imported records: it serves the
// dashboard page and the API on --listen, writes the endpoint file so that other commands reach the
// store it holds (alerts list answers through it), refuses a bad --listen in one line, and on SIGTERM
// exits 0 with the endpoint file removed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { endpointFile, readEndpoint } from '../server/index.js';
import { entryPath, runCli } from './cli.testing.js';

let dir = '';
let config = '';
const store = () => join(dir, 'store.duckdb');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'aw-serve-'));
  config = join(dir, 'auditwatch.yaml');
  writeFileSync(config, `store:\n  path: ${store()}\ncollect:\n  listen: false\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('serve refuses a bad --listen, and a config with collect.listen false without --listen, in one line', async () => {
  const bad = await runCli(['serve', '--config', config, '--listen', 'not-an-address']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--listen "not-an-address" must be host:port/);
  const off = await runCli(['serve', '--config', config]);
  assert.notEqual(off.code, 0);
  assert.match(off.stderr, /collect\.listen is false .*give --listen HOST:PORT/);
  assert.equal(off.stderr.trim().split('\n').length, 1);
});

test('serve holds the store, serves the page and the API, answers other commands, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [...process.execArgv, entryPath(), 'serve', '--config', config, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 400 && !readEndpoint(store()); i++) await new Promise((r) => setTimeout(r, 50));
    const ep = readEndpoint(store());
    assert.ok(ep, `serve wrote the endpoint file; output: ${out}`);
    for (let i = 0; i < 100 && !/dashboard is at/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, new RegExp(`the dashboard is at ${ep.url.replace(/[.[\]]/g, '\\$&')}/`));
    const page = await fetch(`${ep.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<script type="module"/);
    const overview = await fetch(`${ep.url}/api/v1/overview`, { headers: { authorization: `Bearer ${ep.token}` } });
    assert.equal(overview.status, 200);
    assert.equal(((await overview.json()) as { data: { openBySeverity: Record<string, number> } }).data.openBySeverity["critical"], 0);
    const unauth = await fetch(`${ep.url}/api/v1/overview`);
    assert.equal(unauth.status, 401);
    const listed = await runCli(['alerts', 'list', '--config', config]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stderr, /held by the collect daemon|asking it/);
    assert.match(listed.stdout, /no alerts/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, out);
  assert.equal(existsSync(endpointFile(store())), false, 'the endpoint file is removed');
});
