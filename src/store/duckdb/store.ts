// The DuckDB Store: one file and four connections, each used by one caller at a time: the writer
// (migrations, transactions, cursors, gaps), the reader (queries, status), and for ingest (ingest.ts) a
// transaction connection and its duplicate probe. DuckDB's MVCC lets the reader see every committed
// write while a commit runs, and lets other writes commit while a long ingest transaction is open.

import { StatementType, type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api';
import { AppError, errorMessage, oneLine, type Logger } from '../../core/index.js';
import { duckdbDialect, sql, type Sql } from '../sql/index.js';
import type { Enrichment } from '../../records/index.js';
import type { BlobCommit, CopyPort, CollectionStats, CollectionStatsOptions, CommitResult, Cursor, Gap, ImportBatch, IngestSession, QueryReadOnlyOptions, Row, StatePort, Store, StoredRecord } from '../types.js';
import { checkReadOnlyText, refusal } from '../readonly-guard.js';
import { runMigrations } from '../migrations/runner.js';
import { rowsFrom } from './convert.js';
import { execSql, runSql, runText } from './exec.js';
import { DuckDbIngestSession, upsertCursor, type IngestItem } from './ingest.js';
import { Mutex } from './mutex.js';
import * as reads from './events-reads.js';
import { duckdbStatePort, type StateDb } from './state/index.js';
import { duckdbCopy } from './copy.js';
import { copiedItems } from '../copy-events.js';
import { leaseLostError, localLeases } from '../local-leases.js';

const DAY = 86_400_000;
const DEFAULT_MAX_ROWS = 1_000_000;

type Tx = Pick<Store, 'query' | 'execute'>;

export class DuckDbStore implements Store {
  readonly kind = 'duckdb' as const;
  readonly dialect = duckdbDialect;
  private readonly writeLock = new Mutex();
  private readonly readLock = new Mutex();
  private readonly ingestLock = new Mutex();
  private readonly sessions = new Set<DuckDbIngestSession>();
  private closed = false;
  /** Reads on the reader, writes on the writer, `atomic` as a transaction on the writer. */
  private readonly db: StateDb = {
    read: (q) => this.read((conn) => runSql(conn, q)),
    write: (q) => this.write((conn) => execSql(conn, q)),
    atomic: (fn) => this.write((conn) => this.atomically(conn, () => fn(transactionDb(conn)))),
  };
  readonly state: StatePort = duckdbStatePort(this.db);
  readonly copy: CopyPort = duckdbCopy(this.db, (events) => this.ingestOnce(copiedItems(events), []));
  /** In-process: the file lock admits one process (store/local-leases.ts). */
  readonly leases = localLeases();

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly ingest: { conn: DuckDBConnection; probe: DuckDBConnection },
    private readonly options: { path: string; readOnly: boolean; logger: Logger; now: () => number },
  ) {}

  private check(): void {
    if (this.closed) throw new AppError('store_closed', `The store ${this.options.path} is closed; open it again.`);
  }

  private async write<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.check();
    return this.writeLock.use(() => fn(this.writer));
  }

  private async read<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    this.check();
    return this.readLock.use(() => fn(this.reader));
  }

  /** BEGIN … COMMIT on the writer, ROLLBACK on any failure. Caller holds the write lock. */
  private async atomically<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
    await conn.run('BEGIN TRANSACTION');
    try {
      const result = await fn();
      await conn.run('COMMIT');
      return result;
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  migrate(): Promise<number[]> {
    return this.write(async (conn) => {
      const applied = await runMigrations({
        dialect: duckdbDialect,
        appliedVersions: async () => {
          const exists = await runText(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'schema_migrations'`);
          if (Number(exists[0]?.['n'] ?? 0) === 0) {
            if (this.options.readOnly) return new Set<number>();
            await conn.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
          }
          const rows = await runText(conn, 'SELECT version FROM schema_migrations');
          return new Set(rows.map((r) => Number(r['version'])));
        },
        apply: async (m, statements) => {
          if (this.options.readOnly) {
            throw new AppError('store_outdated', `The store ${this.options.path} needs schema migration ${m.version} (${m.name}); open it once without read-only (e.g. run \`auditwatch collect --once\`).`);
          }
          try {
            await this.atomically(conn, async () => {
              for (const s of statements) await conn.run(s);
              await execSql(conn, sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, ${m.name}, ${new Date(this.options.now())})`);
            });
          } catch (err) {
            throw new AppError('store_migration', `Schema migration ${m.version} (${m.name}) failed and was rolled back: ${errorMessage(err)}; the store is unchanged, report this with the message.`, { cause: err });
          }
          this.options.logger.info('Applied a schema migration.', { version: m.version, name: m.name });
        },
      });
      return applied;
    });
  }

  query<T extends Row = Row>(q: Sql): Promise<T[]> {
    return this.read(async (conn) => (await runSql(conn, q)) as T[]);
  }

  execute(q: Sql): Promise<void> {
    return this.write(async (conn) => {
      await execSql(conn, q);
    });
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.write((conn) =>
      this.atomically(conn, () =>
        fn({
          query: async <R extends Row = Row>(q: Sql) => (await runSql(conn, q)) as R[],
          execute: async (q: Sql) => {
            await execSql(conn, q);
          },
        }),
      ),
    );
  }

  async queryReadOnly(text: string, options: QueryReadOnlyOptions = {}): Promise<Row[]> {
    const statement = checkReadOnlyText(text);
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    return this.read(async (conn) => {
      await conn.run('BEGIN TRANSACTION READ ONLY');
      try {
        let prepared;
        try {
          prepared = await conn.prepare(statement);
        } catch (err) {
          throw new AppError('query_invalid', `The query is not valid: ${firstLine(err)}; fix the SQL (tables: events, blob_ledger, cursors, gaps, dead_letters).`, { cause: err });
        }
        const type = prepared.statementType;
        const isTableInfo = type === StatementType.PRAGMA && /^PRAGMA\s+(table_info|show)\s*\(/i.test(statement);
        if (type !== StatementType.SELECT && type !== StatementType.EXPLAIN && !isTableInfo) {
          throw refusal(`the statement is a ${StatementType[type] ?? 'non-SELECT'} statement`);
        }
        let reader;
        try {
          reader = await prepared.streamAndReadUntil(maxRows + 1);
        } catch (err) {
          throw new AppError('query_failed', `The query failed: ${firstLine(err)}; fix the SQL.`, { cause: err });
        }
        if (reader.currentRowCount > maxRows) {
          throw new AppError('query_too_large', `The query returns more than ${maxRows} rows; add a LIMIT, a WHERE or an aggregate.`);
        }
        return rowsFrom(reader.deduplicatedColumnNames(), reader.columnTypes(), reader.getColumns());
      } finally {
        await conn.run('ROLLBACK').catch(() => undefined);
      }
    });
  }

  private newSession(): DuckDbIngestSession {
    this.check();
    return new DuckDbIngestSession({ ...this.ingest, lock: this.ingestLock, check: () => this.check(), now: this.options.now });
  }

  openIngest(): IngestSession {
    const session = this.newSession();
    this.sessions.add(session);
    return {
      get pendingRows() {
        return session.pendingRows;
      },
      add: (blobs) => session.add(blobs.map(blobItem)),
      commit: async (cursors, fences = []) => {
        const lost = fences.filter((f) => !this.leases.holds(f));
        if (lost.length > 0) {
          await session.rollback();
          throw leaseLostError(lost);
        }
        return session.commit(cursors);
      },
      rollback: () => session.rollback(),
      close: async () => {
        await session.rollback();
        this.sessions.delete(session);
      },
    };
  }

  commitBlobs(blobs: BlobCommit[], cursor?: Omit<Cursor, 'updatedAt'>): Promise<CommitResult> {
    return this.ingestOnce(blobs.map(blobItem), cursor ? [cursor] : []);
  }

  importRecords(batch: ImportBatch): Promise<CommitResult> {
    return this.ingestOnce([{ tenantId: batch.tenantId, contentType: null, sourceId: batch.sourceId, blob: null, rows: batch.rows, rejects: batch.rejects, ingestedAt: batch.ingestedAt }], []);
  }

  /** One ingest transaction for `items`, summed. */
  private async ingestOnce(items: IngestItem[], cursors: Omit<Cursor, 'updatedAt'>[]): Promise<CommitResult> {
    const session = this.newSession();
    await session.add(items);
    const results = await session.commit(cursors);
    const sum: CommitResult = { inserted: 0, duplicates: 0, deadLetters: 0 };
    for (const r of results) {
      sum.inserted += r.inserted;
      sum.duplicates += r.duplicates;
      sum.deadLetters += r.deadLetters;
    }
    return sum;
  }

  knownBlobs(tenantId: string, contentType: string, since: number): Promise<Set<string>> {
    return this.read(async (conn) => {
      const rows = await runSql(conn, sql`SELECT content_id FROM blob_ledger WHERE tenant_id = ${tenantId} AND content_type = ${contentType} AND content_created >= ${new Date(since)}`);
      return new Set(rows.map((r) => String(r['content_id'])));
    });
  }

  getCursor(tenantId: string, contentType: string): Promise<Cursor | null> {
    return this.read(async (conn) => {
      const rows = await runSql(conn, sql`SELECT epoch_ms(position) AS position, epoch_ms(updated_at) AS updated_at FROM cursors WHERE tenant_id = ${tenantId} AND content_type = ${contentType}`);
      const r = rows[0];
      return r ? { tenantId, contentType, position: Number(r['position']), updatedAt: Number(r['updated_at']) } : null;
    });
  }

  setCursor(cursor: Omit<Cursor, 'updatedAt'>): Promise<void> {
    return this.write((conn) => upsertCursor(conn, cursor, this.options.now()));
  }

  recordGap(gap: Gap): Promise<void> {
    const key = gap.contentId ?? `window:${gap.windowStart}-${gap.windowEnd}`;
    return this.write(async (conn) => {
      await execSql(
        conn,
        sql`INSERT INTO gaps (tenant_id, content_type, gap_key, content_id, window_start, window_end, code, reason, detected_at)
VALUES (${gap.tenantId}, ${gap.contentType}, ${key}, ${gap.contentId}, ${new Date(gap.windowStart)}, ${new Date(gap.windowEnd)}, ${gap.code}, ${gap.reason}, ${new Date(gap.detectedAt)})
ON CONFLICT DO NOTHING`,
      );
    });
  }

  pruneLedger(now: number): Promise<number> {
    return this.write((conn) => execSql(conn, sql`DELETE FROM blob_ledger WHERE content_expiration < ${new Date(now - DAY)}`));
  }

  applyRetention(olderThan: number): Promise<number> {
    const before = new Date(olderThan);
    return this.write((conn) =>
      this.atomically(conn, async () => {
        const events = await execSql(conn, sql`DELETE FROM events WHERE creation_time < ${before}`);
        await execSql(conn, sql`DELETE FROM dead_letters WHERE received_at < ${before}`);
        await execSql(conn, sql`DELETE FROM gaps WHERE window_end < ${before}`);
        return events;
      }),
    );
  }

  commitWatermark(): Promise<number | null> {
    return reads.commitWatermark(this.db);
  }

  ingestedRecords(range: { after: number; upTo: number }, page: { limit: number; offset: number }): Promise<StoredRecord[]> {
    return reads.ingestedRecords(this.db, range, page);
  }

  eventKeys(ids?: readonly string[]): Promise<{ tenantId: string; id: string }[]> {
    return reads.eventKeys(this.db, ids);
  }

  unenrichedClientIps(): Promise<string[]> {
    return reads.unenrichedClientIps(this.db);
  }

  enrichClientIp(ip: string, enrichment: Enrichment): Promise<number> {
    return reads.enrichClientIp(this.db, ip, enrichment);
  }

  collectionStats(options: CollectionStatsOptions): Promise<CollectionStats> {
    return reads.collectionStats(this.db, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const session of this.sessions) {
      if (session.open) this.options.logger.warn('The store was closed with an ingest transaction open; it was rolled back (its blobs are fetched again).');
      await session.rollback();
    }
    this.closed = true;
    // Waits for an ingest transaction that commitBlobs or importRecords has open.
    await this.ingestLock.use(async () => undefined);
    await this.writeLock.use(async () => {
      await this.readLock.use(async () => {
        try {
          if (!this.options.readOnly) await this.writer.run('CHECKPOINT');
        } catch (err) {
          this.options.logger.warn('The store could not checkpoint on close; DuckDB replays its WAL on the next open.', { error: errorMessage(err) });
        } finally {
          this.reader.closeSync();
          this.ingest.probe.closeSync();
          this.ingest.conn.closeSync();
          this.writer.closeSync();
          this.instance.closeSync();
        }
      });
    });
  }
}

/** The StateDb of a transaction open on `conn`: nested atomic steps run inside it. */
function transactionDb(conn: DuckDBConnection): StateDb {
  const db: StateDb = {
    read: (q) => runSql(conn, q),
    write: (q) => execSql(conn, q),
    atomic: (fn) => fn(db),
  };
  return db;
}

function blobItem(b: BlobCommit): IngestItem {
  return { tenantId: b.blob.tenantId, contentType: b.blob.contentType, sourceId: b.blob.contentId, blob: b.blob, rows: b.rows, rejects: b.rejects, ingestedAt: b.ingestedAt };
}

function firstLine(err: unknown): string {
  return oneLine((err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '', 300);
}
