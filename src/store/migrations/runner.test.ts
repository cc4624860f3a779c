// The migration runner: order, once-only, registry mistakes and stores written by a newer build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../core/index.js';
import { duckdbDialect } from '../sql/index.js';
import type { Migration } from './index.js';
import { MIGRATIONS } from './index.js';
import { runMigrations, type MigrationTarget } from './runner.js';

function memoryTarget(applied: number[] = []): MigrationTarget & { log: number[] } {
  const done = new Set(applied);
  const log: number[] = [];
  return {
    dialect: duckdbDialect,
    log,
    appliedVersions: async () => new Set(done),
    apply: async (m) => {
      log.push(m.version);
      done.add(m.version);
    },
  };
}

const m = (version: number, name = `m${version}`): Migration => ({ version, name, up: () => [`-- ${name}`] });

test('pending migrations run in version order, each once', async () => {
  const target = memoryTarget([101]);
  assert.deepEqual(await runMigrations(target, [m(300), m(100), m(101), m(200)]), [100, 200, 300]);
  assert.deepEqual(await runMigrations(target, [m(300), m(100), m(101), m(200)]), []);
  assert.deepEqual(target.log, [100, 200, 300]);
});

test('two migrations with one version are a registry error', async () => {
  await assert.rejects(runMigrations(memoryTarget(), [m(100, 'a'), m(100, 'b')]), (err) => err instanceof AppError && err.code === 'migration_registry' && /"a" and "b"/.test(err.message));
});

test('a store from a newer build is refused with the fix', async () => {
  await assert.rejects(runMigrations(memoryTarget([100, 999]), [m(100)]), (err) => err instanceof AppError && err.code === 'store_newer' && /upgrade/.test(err.message));
});

test('the registered migrations have unique versions and the core ones are 100-199', () => {
  const versions = MIGRATIONS.map((x) => x.version);
  assert.equal(new Set(versions).size, versions.length);
  assert.ok(versions.filter((v) => v >= 100 && v < 200).length >= 5);
});
