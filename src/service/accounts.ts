// Local accounts: add, remove, set a password, list — names and passwords checked, passwords stored
// only as scrypt hashes (passwords.ts). What `auditwatch users` does, in-process or through the API.

import { AppError, safeLine, type Clock } from '../core/index.js';
import type { AccountRecord, AccountRole, Store } from '../store/index.js';
import { hashPassword } from './passwords.js';

export const ACCOUNT_ROLES: readonly AccountRole[] = ['viewer', 'analyst', 'admin'];
export const MIN_PASSWORD = 12;
const MAX_PASSWORD = 1024;
const NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

/** An account as the operations answer it: never its hash; times ISO. */
export interface AccountInfo {
  name: string;
  role: AccountRole;
  createdAt: string;
  changedAt: string;
}

const info = (a: AccountRecord): AccountInfo => ({ name: a.name, role: a.role, createdAt: new Date(a.createdAt).toISOString(), changedAt: new Date(a.changedAt).toISOString() });

/** The account name, lower-cased, or a one-line error naming what a name may hold. */
export function accountName(name: string): string {
  const n = typeof name === 'string' ? name.trim().toLowerCase() : '';
  if (!NAME.test(n)) {
    throw new AppError('usage', `The account name "${safeLine(String(name), 40)}" is not valid; use 1-64 letters, digits and . _ @ - (starting with a letter or digit).`);
  }
  return n;
}

export function accountRole(role: string): AccountRole {
  if (!(ACCOUNT_ROLES as readonly string[]).includes(role)) throw new AppError('usage', `The role "${safeLine(String(role), 20)}" is not one of ${ACCOUNT_ROLES.join(', ')}; give --role viewer, analyst or admin.`);
  return role as AccountRole;
}

/** A password long enough; never echoed back. */
export function checkPassword(password: string): string {
  const length = [...(typeof password === 'string' ? password : '')].length;
  if (length < MIN_PASSWORD) throw new AppError('password_short', `The password has ${length} characters; give one of at least ${MIN_PASSWORD}.`);
  if (length > MAX_PASSWORD) throw new AppError('password_long', `The password is longer than ${MAX_PASSWORD} characters; give a shorter one.`);
  return password;
}

export function accountOperations(store: Store, clock: Clock) {
  const accounts = store.state.accounts;
  return {
    async add(input: { name: string; role: string; password: string }): Promise<AccountInfo> {
      const name = accountName(input.name);
      const role = accountRole(input.role);
      const passwordHash = await hashPassword(checkPassword(input.password));
      if (await accounts.get(name)) throw new AppError('account_exists', `An account "${name}" exists already; change its password with "auditwatch users passwd ${name}", or remove it first.`);
      const now = clock.now();
      const a: AccountRecord = { name, role, passwordHash, createdAt: now, changedAt: now };
      if (!(await accounts.put(a))) throw new AppError('account_exists', `An account "${name}" was added meanwhile; run the command again to see it.`);
      return info(a);
    },
    async remove(input: { name: string }): Promise<{ name: string }> {
      const name = accountName(input.name);
      if (!(await accounts.remove(name))) throw unknown(name);
      return { name };
    },
    async passwd(input: { name: string; password: string }): Promise<AccountInfo> {
      const name = accountName(input.name);
      const passwordHash = await hashPassword(checkPassword(input.password));
      if (!(await accounts.setPassword(name, passwordHash, clock.now()))) throw unknown(name);
      const a = await accounts.get(name);
      if (!a) throw unknown(name);
      return info(a);
    },
    list: async (): Promise<AccountInfo[]> => (await accounts.list()).map(info),
  };
}

const unknown = (name: string) => new AppError('account_unknown', `No account "${name}"; see "auditwatch users list".`);
