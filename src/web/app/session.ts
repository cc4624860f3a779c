// Who is signed in, for every page: the session from /api/v1/session and what its role may do. The
// API enforces roles on every request; the page only hides what the role cannot do.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Role, Session } from './types.js';

const RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

/** Whether the signed-in role includes `need`. */
export function useCan(need: Role): boolean {
  const s = useContext(SessionContext);
  return !!s && RANK[s.role] >= RANK[need];
}
