// The leases-port conformance suite on the in-process leases of the DuckDB store (store/local-leases.ts):
// two handles on one table stand for two workers of the process. No skips.

import { localLeases } from '../local-leases.js';
import type { Lease } from '../types.js';
import { runLeasesConformance } from './leases.js';

runLeasesConformance('local (duckdb)', async () => {
  const table = new Map<string, Lease>();
  return { a: localLeases(table), b: localLeases(table), close: async () => {} };
});
