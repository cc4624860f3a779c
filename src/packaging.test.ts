// The published package holds the program, the rules and the README: `npm pack --dry-run` lists no
// test file (*.test.*), no test helper (*.testing.*) and no benchmark.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const exec = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

test('npm pack --dry-run lists no test file, test helper or benchmark, and the program and rules', { timeout: 120_000 }, async () => {
  const { stdout } = await exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
  const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  const unwanted = files.filter((f) => /\.(test|testing)\.|^dist\/bench\//.test(f));
  assert.deepEqual(unwanted, [], 'left out of the package by "files" in package.json');
  for (const needed of ['bin/auditwatch.js', 'dist/cli/entry.js', 'README.md']) assert.ok(files.includes(needed), `${needed} is in the package`);
  assert.ok(files.some((f) => /^rules\/aw_.*\.yml$/.test(f)), 'the built-in rules are in the package');
  assert.ok(files.some((f) => f.endsWith('.tests.yml')), "the rules' test records ship (auditwatch rules test runs them)");
});
