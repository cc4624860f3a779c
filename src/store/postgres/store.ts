// The PostgreSQL state store: a pool, the state port over it, its migrations, and close. A unit of work
// (and every method that writes several rows) is one transaction on one pooled connection.

import pg from 'pg';
import { AppError, silentLogger, type Logger } from '../../core/index.js';
import { sql } from '../sql/index.js';
import type { LeasesPort, StatePort } from '../types.js';
import { pgError, poolConfig, type PostgresConnection } from './connect.js';
import { checkMigrations, POSTGRES_STATE_MIGRATIONS } from './migrations.js';
import { clientDb, postgresStatePort, runQuery, type PgDb } from './state/index.js';
import { postgresLeases } from './state/leases.js';
import { postgresIngestLedger, type IngestLedger } from './state/ledger.js';
import { postgresTableCopy } from './state/copy.js';
import type { TableCopy } from '../copy-tables.js';
import { identityChanges, type IdentityRevision } from './state/identities.js';

/** The advisory lock that serialises migrations of one database across processes. */
const MIGRATION_LOCK = 0x6177_0000;

export interface PostgresStateStore {
  readonly kind: 'postgres';
  readonly state: StatePort;
  /** Leases per tenant × content type for processes sharing this database (ports/leases.ts). */
  readonly leases: LeasesPort;
  /** Blob ledger, cursors, gaps and dead letters of a ClickHouse events store (state/ledger.ts). */
  readonly ledger: IngestLedger;
  /** Every state table as rows and the copy's progress, for `auditwatch store copy` (copy-tables.ts). */
  readonly copy: TableCopy;
  /** The identity rows written after revision `after` (the ClickHouse copy's feed; state/identities.ts). */
  identityChanges(after: number, limit: number): Promise<IdentityRevision[]>;
  /** Applies pending migrations (all in one transaction); returns the versions applied now. */
  migrate(): Promise<number[]>;
  close(): Promise<void>;
}

export class PgStateStore implements PostgresStateStore {
  readonly kind = 'postgres' as const;
  private closed = false;
  private readonly db: PgDb = {
    read: (q) => this.use('a read', async () => (await runQuery(this.pool, q)).rows),
    write: (q) => this.use('a write', async () => (await runQuery(this.pool, q)).rowCount ?? 0),
    atomic: (fn) => this.transaction((client) => fn(clientDb(client))),
  };
  readonly state: StatePort = postgresStatePort(this.db);
  readonly leases: LeasesPort = postgresLeases(this.db);
  readonly ledger: IngestLedger = postgresIngestLedger(this.db);
  readonly copy: TableCopy = postgresTableCopy(this.db);
  identityChanges = (after: number, limit: number): Promise<IdentityRevision[]> => identityChanges(this.db, after, limit);

  constructor(
    private readonly pool: pg.Pool,
    private readonly connection: PostgresConnection,
    private readonly logger: Logger = silentLogger,
  ) {
    // An idle connection the server drops must not crash the process; the next use reconnects.
    pool.on('error', (err) => this.logger.warn('A PostgreSQL state store connection failed while idle.', { error: pgError(err, connection, 'an idle connection').message }));
  }

  private check(): void {
    if (this.closed) throw new AppError('store_closed', 'The PostgreSQL state store is closed; open it again.');
  }

  private async use<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    this.check();
    try {
      return await fn();
    } catch (err) {
      throw pgError(err, this.connection, doing);
    }
  }

  /** BEGIN … COMMIT on one connection; ROLLBACK when `fn` throws (its error is rethrown as it is). */
  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.check();
    const client = await this.pool.connect().catch((err: unknown) => {
      throw pgError(err, this.connection, 'connecting');
    });
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
      throw isPgError(err) ? pgError(err, this.connection, 'a unit of work') : err;
    } finally {
      // A connection whose rollback failed is discarded rather than handed out again mid-transaction.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  migrate(): Promise<number[]> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)');
      checkMigrations(POSTGRES_STATE_MIGRATIONS);
      const applied = new Set((await runQuery(client, sql`SELECT version FROM schema_migrations`)).rows.map((r) => Number(r['version'])));
      const newest = Math.max(...POSTGRES_STATE_MIGRATIONS.map((m) => m.version));
      const ahead = [...applied].filter((v) => v > newest);
      if (ahead.length > 0) {
        throw new AppError('store_newer', `The PostgreSQL state database was written by a newer auditwatch (schema version ${Math.max(...ahead)}); upgrade auditwatch, or point store.postgres at another database.`);
      }
      const done: number[] = [];
      for (const m of [...POSTGRES_STATE_MIGRATIONS].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        for (const statement of m.statements) await client.query(statement);
        await runQuery(client, sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, now())`);
        done.push(m.version);
      }
      return done;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

const isPgError = (err: unknown): boolean => err instanceof Error && !(err instanceof AppError) && typeof (err as { code?: unknown }).code === 'string';

/**
 * Connects (checking the login and the database at once, so a wrong URL, password or database fails
 * here in one line) and, unless `migrate` is false, applies pending migrations.
 */
export async function openPostgresState(connection: PostgresConnection, ctx: { logger?: Logger; migrate?: boolean } = {}): Promise<PostgresStateStore> {
  const pool = new pg.Pool(poolConfig(connection));
  const store = new PgStateStore(pool, connection, ctx.logger);
  try {
    const client = await pool.connect();
    client.release();
    if (ctx.migrate !== false) await store.migrate();
    return store;
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw pgError(err, connection, 'opening the state store');
  }
}
