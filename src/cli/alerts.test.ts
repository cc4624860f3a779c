// auditwatch alerts and notify test, run in-process against a config file, a DuckDB file and a webhook.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock } from '../core/index.js';
import { createAlertService } from '../alerts/index.js';
import { hit, httpReceiver, T0, tempStore, type HttpReceiver } from '../alerts/alerts.testing.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
let rx: HttpReceiver;
let config: string;
before(async () => {
  ctx = await tempStore();
  rx = await httpReceiver();
  const svc = createAlertService({ store: ctx.store, clock: new ManualClock(T0), config: { destinations: [{ name: 'hook' }] } });
  await svc.ingestHits([hit({ groupKey: 'cli-1', evidence: ['c1'] }), hit({ groupKey: 'cli-2', severity: 'low', title: 'Low <b>\u001b[31m', evidence: ['c2'] })]);
  await ctx.store.close();
  config = join(ctx.dir, 'auditwatch.yaml');
  await writeFile(
    config,
    `store:\n  path: ./store.duckdb\nalerts:\n  destinations:\n    - name: hook\n      type: webhook\n      url: ${rx.url}\n      secret: { env: AW_TEST_HOOK }\n`,
  );
});
after(async () => {
  await rx.close();
  await ctx.cleanup();
});

const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const CHILD = fileURLToPath(new URL(`../alerts/cli-child.testing.${ext}`, import.meta.url));
const LOADER_ARGS = process.execArgv.filter((a, i, all) => /^--(import|require|loader|experimental-loader)/.test(a) || /^--(import|require|loader|experimental-loader)$/.test(all[i - 1] ?? ''));

function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...LOADER_ARGS, CHILD, ...args, '--config', config], { env: { ...process.env, AW_TEST_HOOK: 'cli-hook-secret-123' } }, (error, out, err) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

test('alerts list --format json prints one object per alert with the detect fields plus id, status, assignee', async () => {
  const r = await cli('alerts', 'list', '--format', 'json');
  assert.equal(r.code, 0);
  const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.length, 2);
  for (const k of ['rule', 'title', 'severity', 'entities', 'firstSeen', 'lastSeen', 'count', 'evidence', 'id', 'status', 'assignee']) assert.ok(k in rows[0]!, k);
  const high = await cli('alerts', 'list', '--format', 'json', '--severity', 'high');
  assert.equal(high.out.trim().split('\n').length, 1);
  const tableOut = await cli('alerts', 'list');
  assert.ok(!tableOut.out.includes('\u001b'), 'control characters are escaped in the table');
});

test('ack, assign, comment, resolve through the CLI; show prints the history with the actor', async () => {
  const id = (JSON.parse((await cli('alerts', 'list', '--format', 'json', '--severity', 'high')).out.trim()) as { id: string }).id;
  assert.equal((await cli('alerts', 'ack', id, '--as', 'ann')).code, 0);
  assert.equal((await cli('alerts', 'assign', id, 'bob', '--as', 'ann')).code, 0);
  assert.equal((await cli('alerts', 'comment', id, 'looked', 'at', 'it', '--as', 'bob')).code, 0);
  assert.equal((await cli('alerts', 'resolve', id, '--false-positive', '--comment', 'test account', '--as', 'bob')).code, 0);
  assert.equal((await cli('alerts', 'ack', id, '--as', 'ann')).code, 1);
  const show = JSON.parse((await cli('alerts', 'show', id, '--format', 'json')).out) as { status: string; assignee: string; history: { actor: string; action: string; detail: string | null }[] };
  assert.equal(show.status, 'false_positive');
  assert.equal(show.assignee, 'bob');
  assert.deepEqual(show.history.map((h) => `${h.actor}:${h.action}`), ['system:open', 'ann:ack', 'ann:assign', 'bob:comment', 'bob:false_positive']);
  assert.equal(show.history[3]!.detail, 'looked at it');
});

test('alerts suppress add / list / remove', async () => {
  const add = await cli('alerts', 'suppress', 'add', '--rule', 'm365-*', '--entity', 'users:svc@contoso.com', '--reason', 'service account', '--expires', '7d', '--as', 'ann');
  assert.equal(add.code, 0);
  const id = /^(sup-[0-9a-f]+)/.exec(add.out)![1]!;
  const list = await cli('alerts', 'suppress', 'list', '--format', 'json');
  assert.ok(list.out.includes(id));
  assert.equal((await cli('alerts', 'suppress', 'remove', id)).code, 0);
  assert.ok(!(await cli('alerts', 'suppress', 'list', '--format', 'json')).out.includes(id));
  assert.equal((await cli('alerts', 'suppress', 'add', '--reason', 'x')).code, 2);
});

test('notify test DESTINATION sends the sample alert now and prints the outcome; the secret stays out', async () => {
  const before = rx.received.length;
  const ok = await cli('notify', 'test', 'hook');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /hook \(webhook\): delivered the sample alert/);
  assert.equal(rx.received.length, before + 1);
  assert.equal((JSON.parse(rx.received.at(-1)!.body) as { rule: string }).rule, 'auditwatch-test');
  rx.respond = () => 500;
  const bad = await cli('notify', 'test', 'hook');
  rx.respond = () => 200;
  assert.equal(bad.code, 1);
  assert.match(bad.out, /not delivered \(retryable/);
  assert.ok(!bad.out.includes('cli-hook-secret-123') && !bad.err.includes('cli-hook-secret-123'));
  assert.equal((await cli('notify', 'test', 'nope')).code, 2);
});
