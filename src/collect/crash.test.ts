// Crash safety: a backfill in a child process, killed with SIGKILL at 20+ random points (between and
// during store transactions) and started again each time, ends with exactly the emulator's records in
// the DuckDB file: none missing, none twice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, systemClock } from '../core/index.js';
import { startEmulator } from '../emulator/index.js';
import { openDuckDbStore } from '../store/index.js';
import { crashSource, difference, expectedKeys, storedKeys } from './harness.testing.js';

const HERE = fileURLToPath(import.meta.url);
const CHILD = join(HERE, '..', `crash-child.testing${HERE.endsWith('.ts') ? '.ts' : '.js'}`);

interface ChildRun {
  killed: boolean;
  commits: number;
  code: number | null;
  out: string;
}

/** Runs the child; kills it after `killAfterCommits` commits plus `delayMs` (or never, when null). */
function runChild(env: Record<string, string>, kill: { afterCommits: number; delayMs: number } | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
    const child = spawn(process.execPath, [...execArgv, CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { killed: false, commits: 0, code: null, out: '' };
    let ready = false;
    const killNow = () => {
      if (run.killed || child.exitCode !== null) return;
      setTimeout(() => {
        if (child.exitCode === null) {
          run.killed = true;
          child.kill('SIGKILL');
        }
      }, kill!.delayMs);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      run.out += chunk;
      for (const line of chunk.split('\n')) {
        if (line === 'ready') {
          ready = true;
          if (kill && kill.afterCommits === 0) killNow();
        }
        if (line === 'commit') {
          run.commits++;
          if (kill && ready && run.commits >= kill.afterCommits) killNow();
        }
      }
    });
    child.stderr.on('data', (c: Buffer) => (run.out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      run.code = code;
      resolve(run);
    });
  });
}

test('killed with SIGKILL at 20+ random points and restarted, the backfill ends with the exact set', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-crash-'));
  const emu = await startEmulator({ source: crashSource(), clock: systemClock, pageSize: 25, throttlePerMinute: 0 });
  try {
    const db = join(dir, 'crash.duckdb');
    const env = {
      AW_EMULATOR_URL: emu.url,
      AW_DB: db,
      AW_SINCE: String(Date.now() - 2 * 86_400_000 - 3_600_000),
      AW_BATCH: '30',
      AW_TENANTS: JSON.stringify(emu.tenants.map((t) => ({ tenantId: t.tenantId, clientId: t.clientId, clientSecret: t.clientSecret }))),
    };
    const rng = new Rng('crash-test');
    let kills = 0;
    let killsWithProgress = 0;
    for (let i = 0; kills < 20 && i < 60; i++) {
      const run = await runChild(env, { afterCommits: rng.int(0, 3), delayMs: rng.int(0, 25) });
      if (run.killed) {
        kills++;
        if (run.commits > 0) killsWithProgress++;
      } else {
        assert.equal(run.code, 0, `a child run failed: ${run.out.slice(-500)}`);
        break; // finished before the kill: the backfill is complete
      }
    }
    assert.ok(kills >= 20, `only ${kills} kills landed before the backfill finished`);
    assert.ok(killsWithProgress >= 10, `only ${killsWithProgress} kills came after a commit`);
    const last = await runChild(env, null);
    assert.equal(last.code, 0, `the final run failed: ${last.out.slice(-500)}`);

    const store = await openDuckDbStore({ path: db });
    try {
      const expected = expectedKeys(emu.control.groundTruth());
      const { keys, rows } = await storedKeys(store);
      assert.ok(expected.size > 1000, `a backfill worth killing (${expected.size} records)`);
      assert.equal(rows, keys.size, 'no record stored twice');
      assert.deepEqual(difference(expected, keys), { missing: [], extra: [] });
    } finally {
      await store.close();
    }
  } finally {
    await emu.close();
    await rm(dir, { recursive: true, force: true });
  }
});
