// Suppression rules in PostgreSQL (alert_suppressions, migration 1): the shared statements (state-suppressions.ts).

import type { SuppressionsState } from '../../types.js';
import { suppressionsState } from '../../state-suppressions.js';
import { msCol, type PgDb } from './db.js';

export const postgresSuppressions = (db: PgDb): SuppressionsState => suppressionsState(db, msCol);
