// The events- and analytics-port conformance suites on DuckDB: a new store file in a temp folder per
// check. No skips. (A second engine adds its own file with one runner call per suite.)

import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../index.js';
import { runAnalyticsConformance } from './analytics.js';
import { runEventsConformance } from './events.js';

let dir = '';
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auditwatch-events-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const engine = {
  async open() {
    const store = await openStore({ engine: 'duckdb', path: join(dir, `s${++n}`, 'auditwatch.duckdb') });
    return { events: store, analytics: store, close: () => store.close() };
  },
};

runEventsConformance('duckdb', engine);
runAnalyticsConformance('duckdb', engine);
