// First-seen rule state in PostgreSQL (baseline_terms, baseline_learning, migration 60): the shared
// statements (state-baselines.ts) with lists as array parameters.

import { sql } from '../../sql/index.js';
import type { BaselineState } from '../../types.js';
import { baselineState } from '../../state-baselines.js';
import type { PgDb } from './db.js';

export const postgresBaselines = (db: PgDb): BaselineState =>
  baselineState(db, {
    text: (values) => sql`unnest(${[...values]}::text[])`,
    int: (values) => sql`unnest(${[...values]}::bigint[])`,
  });
