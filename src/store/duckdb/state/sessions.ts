// Signed-in sessions in DuckDB (sessions, migration 513): the shared statements (state-sessions.ts).

import type { SessionsState } from '../../types.js';
import { sessionsState } from '../../state-sessions.js';
import { msCol, type StateDb } from './db.js';

export const duckdbSessions = (db: StateDb): SessionsState => sessionsState(db, msCol);
