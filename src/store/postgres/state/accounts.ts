// Local accounts in PostgreSQL (accounts, migration 10): the shared statements (state-accounts.ts).

import type { AccountsState } from '../../types.js';
import { accountsState } from '../../state-accounts.js';
import { msCol, type PgDb } from './db.js';

export const postgresAccounts = (db: PgDb): AccountsState => accountsState(db, msCol);
