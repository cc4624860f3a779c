// Local accounts (accounts), the same SQL on every state engine (DuckDB migration 500, PostgreSQL
// migration 10); each engine passes its handle and how it reads epoch ms. Only hashes are stored.

import { sql, type Sql } from './sql/index.js';
import type { AccountRecord, AccountRole, AccountsState } from './types.js';
import { at, str, type StateHandle } from './state-values.js';

function toAccount(r: Record<string, unknown>): AccountRecord {
  return {
    name: str(r['name']),
    role: str(r['role']) as AccountRole,
    passwordHash: str(r['password_hash']),
    createdAt: Number(r['created_at']),
    changedAt: Number(r['changed_at']),
  };
}

/** Accounts over any state engine's handle; `msCol` reads a timestamp column as epoch ms. */
export function accountsState(db: StateHandle, msCol: (column: string) => Sql): AccountsState {
  const SELECT = sql`name, role, password_hash, ${msCol('created_at')}, ${msCol('changed_at')}`;
  return {
    async put(a) {
      // Insert-if-absent, then replace: of racing adders exactly one creates the account.
      return db.atomic(async (tx) => {
        const inserted = await tx.write(sql`INSERT INTO accounts (name, role, password_hash, created_at, changed_at)
          VALUES (${a.name}, ${a.role}, ${a.passwordHash}, ${at(a.createdAt)}, ${at(a.changedAt)}) ON CONFLICT (name) DO NOTHING`);
        if (inserted > 0) return true;
        await tx.write(sql`UPDATE accounts SET role = ${a.role}, password_hash = ${a.passwordHash}, changed_at = ${at(a.changedAt)} WHERE name = ${a.name}`);
        return false;
      });
    },
    async get(name) {
      const rows = await db.read(sql`SELECT ${SELECT} FROM accounts WHERE name = ${name}`);
      return rows[0] === undefined ? null : toAccount(rows[0]);
    },
    async list() {
      return (await db.read(sql`SELECT ${SELECT} FROM accounts ORDER BY name`)).map(toAccount);
    },
    async remove(name) {
      return (await db.write(sql`DELETE FROM accounts WHERE name = ${name}`)) > 0;
    },
    async setPassword(name, passwordHash, when) {
      return (await db.write(sql`UPDATE accounts SET password_hash = ${passwordHash}, changed_at = ${at(when)} WHERE name = ${name}`)) > 0;
    },
  };
}
