// Names for the numeric enums of the audit schema: RecordType (record-types.ts), UserType and LogonType
// (ual-schema.md §3). Numbers are what is stored; names are looked up, never parsed.

import { RECORD_TYPES } from './record-types.js';

export { RECORD_TYPES };

/** UserType (ual-schema.md §3.2). */
export const USER_TYPES: ReadonlyMap<number, string> = new Map<number, string>([
  [0, 'Regular'],
  [1, 'Reserved'],
  [2, 'Admin'],
  [3, 'DCAdmin'],
  [4, 'System'],
  [5, 'Application'],
  [6, 'ServicePrincipal'],
  [7, 'CustomPolicy'],
  [8, 'SystemPolicy'],
  [9, 'PartnerTechnician'],
  [10, 'Guest'],
]);

/** Exchange mailbox LogonType (ual-schema.md §3.3). */
export const LOGON_TYPES: ReadonlyMap<number, string> = new Map<number, string>([
  [0, 'Owner'],
  [1, 'Admin'],
  [2, 'Delegated'],
  [3, 'Transport'],
  [4, 'SystemService'],
  [5, 'BestAccess'],
  [6, 'DelegatedAdmin'],
]);

/** The RecordType's name, or "Unknown(N)" for a number with no assigned name. */
export function recordTypeName(n: number): string {
  return RECORD_TYPES.get(n) ?? `Unknown(${n})`;
}

/** The UserType's name, or "Unknown(N)" for a number with no assigned name. */
export function userTypeName(n: number): string {
  return USER_TYPES.get(n) ?? `Unknown(${n})`;
}

/** The LogonType's name, or "Unknown(N)". */
export function logonTypeName(n: number): string {
  return LOGON_TYPES.get(n) ?? `Unknown(${n})`;
}
