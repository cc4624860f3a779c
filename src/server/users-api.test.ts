// Local accounts through the daemon's HTTP API on a real DuckDB store, with the typed client the CLI uses
// when the daemon holds the store: add, list (never a hash), passwd, remove; errors keep their code.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { AppError, silentLogger, systemClock } from '../core/index.js';
import { configuredSessions, createOperations, openConfiguredStore, parseConfig, verifyPassword } from '../service/index.js';
import type { Store } from '../store/index.js';
import { createDaemonClient, readEndpoint, startApiServer, type ApiServer } from './index.js';

let dir = '';
let store: Store;
let server: ApiServer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aw-users-api-'));
  const config = parseConfig(`store:\n  path: ${join(dir, 'store.duckdb')}\n`, { file: join(dir, 'auditwatch.yaml') });
  store = await openConfiguredStore(config);
  const operations = createOperations({ config, store, clock: systemClock, logger: silentLogger });
  server = await startApiServer({ operations, metrics: new Registry(), sessions: configuredSessions({ config, store, clock: systemClock, logger: silentLogger }) }, { listen: { host: '127.0.0.1', port: 0 }, allowedHosts: [], auth: config.collect.auth, storePath: config.store.path, logger: silentLogger, clock: systemClock });
});
after(async () => {
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('users through the API: add, list without hashes, passwd, remove; a short password and an unknown name are refused with their code', async () => {
  const ops = createDaemonClient(readEndpoint(join(dir, 'store.duckdb'))!);
  const added = await ops.usersAdd({ name: 'Dana', role: 'analyst', password: 'twelve chars ok' });
  assert.deepEqual([added.data.name, added.data.role], ['dana', 'analyst']);
  const listed = await ops.usersList({});
  assert.deepEqual(listed.data.map((a) => a.name), ['dana']);
  assert.doesNotMatch(JSON.stringify(listed), /scrypt|passwordHash|twelve/);
  assert.equal(await verifyPassword('twelve chars ok', (await store.state.accounts.get('dana'))!.passwordHash), true);
  await ops.usersPasswd({ name: 'dana', password: 'a different one!' });
  assert.equal(await verifyPassword('a different one!', (await store.state.accounts.get('dana'))!.passwordHash), true);
  await assert.rejects(ops.usersPasswd({ name: 'dana', password: 'Zq9#xYw' }), (e) => e instanceof AppError && e.code === 'password_short' && !e.message.includes('Zq9#xYw'));
  await ops.usersRemove({ name: 'dana' });
  await assert.rejects(ops.usersRemove({ name: 'dana' }), (e) => e instanceof AppError && e.code === 'account_unknown');
  assert.deepEqual((await ops.usersList({})).data, []);
});
