// Applies the registered migrations in version order, each once. The engine supplies how to read the
// applied versions and how to run one migration atomically together with its schema_migrations row.

import { AppError } from '../../core/index.js';
import type { Dialect } from '../sql/index.js';
import { MIGRATIONS, type Migration } from './index.js';

export interface MigrationTarget {
  readonly dialect: Dialect;
  /** The versions recorded in schema_migrations (creating the table when missing). */
  appliedVersions(): Promise<Set<number>>;
  /** Runs the statements and records (version, name, applied_at) in one unit. */
  apply(migration: Migration, statements: string[]): Promise<void>;
}

export function checkRegistry(migrations: readonly Migration[]): void {
  const seen = new Map<number, string>();
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= 0) throw new AppError('migration_registry', `Migration "${m.name}" has an invalid version ${m.version}; use a positive integer in its part's range.`);
    const other = seen.get(m.version);
    if (other !== undefined) throw new AppError('migration_registry', `Migrations "${other}" and "${m.name}" share version ${m.version}; give each a version of its own.`);
    seen.set(m.version, m.name);
  }
}

/** Applies pending migrations; returns the versions applied now. */
export async function runMigrations(target: MigrationTarget, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  checkRegistry(migrations);
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const applied = await target.appliedVersions();
  const known = new Set(ordered.map((m) => m.version));
  const newest = Math.max(0, ...ordered.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v) && v > newest);
  if (unknown.length > 0) {
    throw new AppError('store_newer', `The store was written by a newer auditwatch (schema version ${Math.max(...unknown)}); upgrade auditwatch, or point store.path at another file.`);
  }
  const done: number[] = [];
  for (const m of ordered) {
    if (applied.has(m.version)) continue;
    await target.apply(m, m.up(target.dialect));
    done.push(m.version);
  }
  return done;
}
