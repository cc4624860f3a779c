// Signed-in sessions in PostgreSQL (sessions, migration 13): the shared statements (state-sessions.ts).

import type { SessionsState } from '../../types.js';
import { sessionsState } from '../../state-sessions.js';
import { msCol, type PgDb } from './db.js';

export const postgresSessions = (db: PgDb): SessionsState => sessionsState(db, msCol);
