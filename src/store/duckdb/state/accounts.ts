// Local accounts in DuckDB (accounts, migration 500): the shared statements (state-accounts.ts).

import type { AccountsState } from '../../types.js';
import { accountsState } from '../../state-accounts.js';
import { msCol, type StateDb } from './db.js';

export const duckdbAccounts = (db: StateDb): AccountsState => accountsState(db, msCol);
