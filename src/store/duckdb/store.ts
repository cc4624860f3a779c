// The DuckDB Store: one file, one writer connection (ingest, migrations, transactions) and one reader
// connection (queries, status), each used by one caller at a time. DuckDB's MVCC lets the reader see
// every committed write while a commit runs on the writer.

import { StatementType, type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api';
import { AppError, errorMessage, oneLine, type Logger } from '../../core/index.js';
import { duckdbDialect, join, sql, type Sql } from '../sql/index.js';
import type { BlobCommit, CommitResult, Cursor, Gap, ImportBatch, QueryReadOnlyOptions, Row, Store } from '../types.js';
import type { Rejection } from '../../records/index.js';
import { checkReadOnlyText, refusal } from '../readonly-guard.js';
import { runMigrations } from '../migrations/runner.js';
import { rowsFrom } from './convert.js';
import { execSql, runSql, runText } from './exec.js';
import { dedupeBatch, insertNewRows, type StagedRow } from './ingest.js';
import { Mutex } from './mutex.js';

const DAY = 86_400_000;
const CHUNK = 500;
const DEFAULT_MAX_ROWS = 1_000_000;

interface DeadLetter extends Rejection {
  tenantId: string | null;
  contentType: string | null;
  sourceId: string;
  receivedAt: number;
}

type Tx = Pick<Store, 'query' | 'execute'>;

export class DuckDbStore implements Store {
  readonly kind = 'duckdb' as const;
  readonly dialect = duckdbDialect;
  private readonly writeLock = new Mutex();
  private readonly readLock = new Mutex();
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
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

  commitBlobs(blobs: BlobCommit[], cursor?: Omit<Cursor, 'updatedAt'>): Promise<CommitResult> {
    return this.write(async (conn) => {
      return this.atomically(conn, async () => {
        const staged: StagedRow[] = [];
        const letters: DeadLetter[] = [];
        for (const b of blobs) {
          const source = { contentType: b.blob.contentType, sourceId: b.blob.contentId, ingestedAt: b.ingestedAt };
          for (const row of b.rows) staged.push({ row, source });
          for (const r of b.rejects) {
            letters.push({ ...r, tenantId: b.blob.tenantId, contentType: b.blob.contentType, sourceId: b.blob.contentId, receivedAt: b.ingestedAt });
          }
        }
        const { kept } = dedupeBatch(staged);
        const perSource = await insertNewRows(conn, kept);
        let inserted = 0;
        for (const n of perSource.values()) inserted += n;
        const deadLetters = await insertDeadLetters(conn, letters);
        const ledger = blobs.map((b) => {
          const key = `${b.blob.tenantId}\u0000${b.blob.contentId}`;
          const mine = perSource.get(key) ?? 0;
          perSource.delete(key);
          return sql`(${b.blob.tenantId}, ${b.blob.contentType}, ${b.blob.contentId}, ${new Date(b.blob.contentCreated)}, ${new Date(b.blob.contentExpiration)}, ${b.rows.length + b.rejects.length}, ${mine}, ${b.rows.length - mine}, ${b.rejects.length}, ${new Date(b.ingestedAt)})`;
        });
        for (let i = 0; i < ledger.length; i += CHUNK) {
          await execSql(
            conn,
            sql`INSERT INTO blob_ledger (tenant_id, content_type, content_id, content_created, content_expiration, record_count, inserted, duplicates, dead_letters, ingested_at) VALUES ${join(ledger.slice(i, i + CHUNK))} ON CONFLICT DO NOTHING`,
          );
        }
        if (cursor) await upsertCursor(conn, cursor, this.options.now());
        return { inserted, duplicates: staged.length - inserted, deadLetters };
      });
    });
  }

  importRecords(batch: ImportBatch): Promise<CommitResult> {
    return this.write(async (conn) => {
      return this.atomically(conn, async () => {
        const source = { contentType: null, sourceId: batch.sourceId, ingestedAt: batch.ingestedAt };
        const staged: StagedRow[] = batch.rows.map((row) => ({ row, source }));
        const { kept } = dedupeBatch(staged);
        const perSource = await insertNewRows(conn, kept);
        let inserted = 0;
        for (const n of perSource.values()) inserted += n;
        const letters: DeadLetter[] = batch.rejects.map((r) => ({ ...r, tenantId: batch.tenantId, contentType: null, sourceId: batch.sourceId, receivedAt: batch.ingestedAt }));
        const deadLetters = await insertDeadLetters(conn, letters);
        return { inserted, duplicates: staged.length - inserted, deadLetters };
      });
    });
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeLock.use(async () => {
      await this.readLock.use(async () => {
        try {
          if (!this.options.readOnly) await this.writer.run('CHECKPOINT');
        } catch (err) {
          this.options.logger.warn('The store could not checkpoint on close; DuckDB replays its WAL on the next open.', { error: errorMessage(err) });
        } finally {
          this.reader.closeSync();
          this.writer.closeSync();
          this.instance.closeSync();
        }
      });
    });
  }
}

async function upsertCursor(conn: DuckDBConnection, cursor: Omit<Cursor, 'updatedAt'>, now: number): Promise<void> {
  await execSql(
    conn,
    sql`INSERT INTO cursors (tenant_id, content_type, position, updated_at) VALUES (${cursor.tenantId}, ${cursor.contentType}, ${new Date(cursor.position)}, ${new Date(now)})
ON CONFLICT (tenant_id, content_type) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  );
}

/** Stores rejections; the same raw text from the same source and tenant is kept once. Returns how many were new. */
async function insertDeadLetters(conn: DuckDBConnection, letters: DeadLetter[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < letters.length; i += CHUNK) {
    const values = letters.slice(i, i + CHUNK).map(
      (d) => sql`(md5(concat_ws(chr(0), coalesce(${d.tenantId}, ''), ${d.sourceId}, ${d.raw})), ${d.tenantId}, ${d.contentType}, ${d.sourceId}, ${d.reason}, ${d.raw}, ${new Date(d.receivedAt)})`,
    );
    added += await execSql(conn, sql`INSERT INTO dead_letters (id, tenant_id, content_type, source_id, reason, raw, received_at) VALUES ${join(values)} ON CONFLICT DO NOTHING`);
  }
  return added;
}

function firstLine(err: unknown): string {
  return oneLine((err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '', 300);
}
