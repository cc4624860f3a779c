// The event-search conformance suite on DuckDB: real files in a temp folder, one per check.

import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbStore } from '../index.js';
import { runSearchConformance } from './search.js';

let dir = '';
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditwatch-search-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

runSearchConformance('duckdb', async () => {
  const store = await openDuckDbStore({ path: join(dir, `s${++n}`, 'auditwatch.duckdb') });
  await store.migrate();
  return store;
});
