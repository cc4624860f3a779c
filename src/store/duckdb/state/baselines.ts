// First-seen rule state in DuckDB (baseline_terms, baseline_learning, migration 800): the shared
// statements (state-baselines.ts) with lists as DuckDB list parameters.

import { sql } from '../../sql/index.js';
import type { BaselineState } from '../../types.js';
import { baselineState } from '../../state-baselines.js';
import type { StateDb } from './db.js';

export const duckdbBaselines = (db: StateDb): BaselineState =>
  baselineState(db, {
    text: (values) => sql`unnest(${[...values]}::VARCHAR[])`,
    int: (values) => sql`unnest(${[...values]}::BIGINT[])`,
  });
