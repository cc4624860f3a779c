// Signed-in sessions (sessions), the same SQL on every state engine (DuckDB migration 513, PostgreSQL
// migration 13); each engine passes its handle and how it reads epoch ms. Only id hashes are stored.

import { sql, type Sql } from './sql/index.js';
import type { AccountRole, SessionRecord, SessionsState } from './types.js';
import { at, str, type StateHandle } from './state-values.js';

function toSession(r: Record<string, unknown>): SessionRecord {
  return {
    idHash: str(r['id_hash']),
    user: str(r['user_name']),
    role: str(r['role']) as AccountRole,
    method: str(r['method']),
    csrfToken: str(r['csrf_token']),
    createdAt: Number(r['created_at']),
    lastSeenAt: Number(r['last_seen_at']),
    expiresAt: Number(r['expires_at']),
  };
}

/** Sessions over any state engine's handle; `msCol` reads a timestamp column as epoch ms. */
export function sessionsState(db: StateHandle, msCol: (column: string) => Sql): SessionsState {
  const SELECT = sql`id_hash, user_name, role, method, csrf_token, ${msCol('created_at')}, ${msCol('last_seen_at')}, ${msCol('expires_at')}`;
  return {
    async put(s) {
      await db.write(sql`INSERT INTO sessions (id_hash, user_name, role, method, csrf_token, created_at, last_seen_at, expires_at)
        VALUES (${s.idHash}, ${s.user}, ${s.role}, ${s.method}, ${s.csrfToken}, ${at(s.createdAt)}, ${at(s.lastSeenAt)}, ${at(s.expiresAt)})`);
    },
    async get(idHash) {
      const rows = await db.read(sql`SELECT ${SELECT} FROM sessions WHERE id_hash = ${idHash}`);
      return rows[0] === undefined ? null : toSession(rows[0]);
    },
    async touch(idHash, when) {
      const found = await db.read(sql`SELECT id_hash FROM sessions WHERE id_hash = ${idHash}`);
      if (found.length === 0) return false;
      await db.write(sql`UPDATE sessions SET last_seen_at = ${at(when)} WHERE id_hash = ${idHash} AND last_seen_at < ${at(when)}`);
      return true;
    },
    async remove(idHash) {
      return (await db.write(sql`DELETE FROM sessions WHERE id_hash = ${idHash}`)) > 0;
    },
    async removeUser(user) {
      return db.write(sql`DELETE FROM sessions WHERE user_name = ${user}`);
    },
    async purge(when, idleBefore) {
      return db.write(sql`DELETE FROM sessions WHERE expires_at <= ${at(when)} OR last_seen_at <= ${at(idleBefore)}`);
    },
  };
}
