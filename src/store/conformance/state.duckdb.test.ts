// The state-port conformance suite on DuckDB: a new store file in a temp folder per check. DuckDB has
// no second handle on a file (one process holds it), so the races run on the one store. No skips.

import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../index.js';
import { runStateConformance } from './state.js';

let dir = '';
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditwatch-state-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

runStateConformance('duckdb', {
  async open() {
    const store = await openStore({ engine: 'duckdb', path: join(dir, `s${++n}`, 'auditwatch.duckdb') });
    return { state: store.state, close: () => store.close() };
  },
});
