// The outbox worker in a child process, killed with SIGKILL at chosen points and restarted: every
// notification arrives exactly once, counted as raw arrivals at the receiver (which de-duplicates
// nothing). Kill points: before a send, right after a row is marked delivered — no duplicate is
// possible there. And, to be honest about the at-least-once window, one kill while the receiver holds
// a request it has not acknowledged: that alert arrives twice, with the same idempotency key, which is
// what lets a receiver drop the repeat.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ManualClock } from '../core/index.js';
import { outboxRows } from './outbox.js';
import { createAlertService } from './service.js';
import { hit, httpReceiver, T0, tempStore, type HttpReceiver } from './alerts.testing.js';

const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const CHILD = fileURLToPath(new URL(`./outbox-child.testing.${ext}`, import.meta.url));
// Keep the loader flags (tsx under `npx tsx --test`), drop the test runner's own.
const LOADER_ARGS = process.execArgv.filter((a, i, all) => /^--(import|require|loader|experimental-loader)/.test(a) || /^--(import|require|loader|experimental-loader)$/.test(all[i - 1] ?? ''));

let ctx: Awaited<ReturnType<typeof tempStore>>;
let rx: HttpReceiver;
const children: ChildProcess[] = [];
before(async () => {
  ctx = await tempStore();
  rx = await httpReceiver();
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rx.close();
  await ctx.cleanup().catch(() => {});
});

/** Runs the child until it prints PAUSED (then kills it), until `killWhen` says so, or to DONE. */
function runChild(pauseAt: string, killWhen?: () => Promise<void>): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...LOADER_ARGS, CHILD, ctx.path, rx.url, pauseAt], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const lines: string[] = [];
    let err = '';
    let killed = false;
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts) {
        lines.push(l);
        if (l === 'PAUSED') {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    killWhen?.().then(() => {
      killed = true;
      child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve({ lines, killed });
      else if (code === 0) resolve({ lines, killed: false });
      else reject(new Error(`child exited ${code ?? signal}: ${err.slice(0, 500)}`));
    });
  });
}

test('SIGKILL mid-delivery and restart: every notification arrives once; the unacknowledged one carries the same key', async () => {
  const service = createAlertService({ store: ctx.store, clock: new ManualClock(T0), config: { destinations: [{ name: 'hook' }] } });
  await service.ingestHits(Array.from({ length: 6 }, (_, i) => hit({ groupKey: `crash-${i}`, evidence: [`c${i}`] })));
  const keys = (await outboxRows(ctx.store)).map((r) => r.idempotencyKey);
  assert.equal(keys.length, 6);
  await ctx.store.close();

  // 1. Killed before its 3rd send: rows 1-2 delivered and marked.
  const r1 = await runChild('sending:3');
  assert.equal(r1.killed, true);
  assert.equal(rx.received.length, 2);
  // 2. Killed right after marking its 1st row delivered (row 3).
  const r2 = await runChild('delivered:1');
  assert.equal(r2.killed, true);
  assert.equal(rx.received.length, 3);
  // 3. Killed while the receiver holds row 4 without answering: the at-least-once window.
  rx.respond = () => 'hold';
  await runChild('', () => rx.waitFor(4));
  rx.respond = () => 200;
  assert.equal(rx.received.length, 4);
  // 4. Restarted to the end.
  const r4 = await runChild('');
  assert.equal(r4.killed, false);
  assert.ok(r4.lines.includes('DONE'));

  const arrived = rx.received.map((r) => String(r.headers['idempotency-key']));
  const counts = new Map<string, number>();
  for (const k of arrived) counts.set(k, (counts.get(k) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort(), [...keys].sort(), 'every notification arrived');
  assert.deepEqual(keys.map((k) => counts.get(k)), [1, 1, 1, 2, 1, 1], 'once each, except the one killed in the window, repeated with its key');
  const ids = rx.received.map((r) => (JSON.parse(r.body) as { id: string }).id);
  assert.equal(new Set(ids).size, 6);

  const { openDuckDbStore } = await import('../store/index.js');
  ctx.store = await openDuckDbStore({ path: ctx.path, threads: 1 });
  const rows = await outboxRows(ctx.store);
  assert.ok(rows.every((r) => r.status === 'delivered'));
  await ctx.store.close();
});
