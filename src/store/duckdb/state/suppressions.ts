// Suppression rules in DuckDB (alert_suppressions, migration 300): the shared statements (state-suppressions.ts).

import type { SuppressionsState } from '../../types.js';
import { suppressionsState } from '../../state-suppressions.js';
import { msCol, type StateDb } from './db.js';

export const duckdbSuppressions = (db: StateDb): SuppressionsState => suppressionsState(db, msCol);
