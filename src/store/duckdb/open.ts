// Opening a DuckDB file: folders created, settings applied, and the single-writer lock turned into one
// line that names the fix instead of a stack trace.

import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError, ensurePrivateDir, errorMessage, makePrivate, restrictUmask } from '../../core/index.js';

export interface DuckDbOpenOptions {
  path: string;
  readOnly?: boolean;
  /**
   * DuckDB memory_limit, e.g. "512MB". Default 1GB: detection (identity joins, window functions) and
   * reports need more than ingest, and larger work spills to `<file>.tmp`. DuckDB's own default (80% of
   * RAM) would let its cache grow the process without bound. 128MB keeps a 1M-record ingest near
   * 400 MB RSS, but detection then fails with Out of Memory on even small stores.
   */
  memoryLimit?: string;
  /**
   * Worker threads (default: DuckDB's own, one per core). On a 2-core machine, 1 costs ~15% less CPU
   * per ingested record (the second worker mostly waits) but halves large queries' parallelism;
   * a backfill-only process can pass 1.
   */
  threads?: number;
}

export const DEFAULT_MEMORY_LIMIT = '1GB';
const CHECKPOINT_THRESHOLD = '64MB';
const ROW_GROUP_SIZE = 16_384;
/**
 * The file format written: 1.2 is the first with ZSTD for text, which `events.raw` uses (migration 106).
 * DuckDB's default for new files is still the 0.10.2 format. An older store file is upgraded in place
 * on its next writable open; any DuckDB from 1.2 on reads it.
 */
const STORAGE_VERSION = 'v1.2.0';
export const CATALOG = 'auditwatch';

const LOCK_PATTERN = /could not set lock|conflicting lock|lock on file/i;

/** True when an error from DuckDB says another process holds the file. */
export function isLockError(err: unknown): boolean {
  return LOCK_PATTERN.test(err instanceof Error ? err.message : String(err));
}

export interface OpenedDatabase {
  instance: DuckDBInstance;
  /** A new connection whose default catalog is the store file. */
  connect(): Promise<DuckDBConnection>;
}

/**
 * Opens the store file. The file is ATTACHed to an in-memory host instance rather than opened
 * directly, because only ATTACH takes ROW_GROUP_SIZE: rows of ~1 KB of raw JSON make DuckDB's default
 * 122,880-row groups ~150 MB each, which every checkpoint rewrites in memory; smaller groups keep
 * memory flat and make the creation_time zone maps used by de-duplication finer.
 */
export async function openDatabase(options: DuckDbOpenOptions): Promise<OpenedDatabase> {
  const path = options.path;
  if (path !== ':memory:') {
    try {
      // The store holds every user's activity: its folder (when created here), file, WAL and spill
      // files are private to this user (core/files.ts), and an older store's files are tightened.
      restrictUmask();
      ensurePrivateDir(dirname(resolve(path)));
      for (const p of [path, `${path}.wal`, `${resolve(path)}.tmp`]) makePrivate(p);
    } catch (err) {
      throw new AppError('store_path', `Cannot create the folder of the store ${path} (${errorMessage(err)}); fix store.path or the folder's permissions.`, { cause: err });
    }
  }
  const settings: Record<string, string> = {
    memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    // An in-memory host database would spill to ./.tmp; spill beside the store file instead.
    temp_directory: path === ':memory:' ? '' : `${resolve(path)}.tmp`,
    // Fewer, larger checkpoints (16 MB, DuckDB's default, measured ~1.5x the CPU per record).
    checkpoint_threshold: CHECKPOINT_THRESHOLD,
  };
  if (options.threads !== undefined) settings['threads'] = String(options.threads);
  const instance = await DuckDBInstance.create(':memory:', settings);
  try {
    const setup = await instance.connect();
    try {
      const mode = options.readOnly ? 'READ_ONLY' : `STORAGE_VERSION '${STORAGE_VERSION}'`;
      await setup.run(`ATTACH ${quoteLiteral(path)} AS ${CATALOG} (${mode}, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`);
      // Timestamps are UTC everywhere; TIMESTAMPTZ casts must not depend on the machine's zone.
      await setup.run(`SET GLOBAL TimeZone = 'UTC'`);
      // Nothing in the store reads or writes files besides its own; user queries must not either.
      await setup.run(`SET GLOBAL enable_external_access = false`);
    } finally {
      setup.closeSync();
    }
  } catch (err) {
    instance.closeSync();
    throw openError(err, options);
  }
  return {
    instance,
    connect: async () => {
      const conn = await instance.connect();
      await conn.run(`USE ${CATALOG}`);
      return conn;
    },
  };
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function openError(err: unknown, options: DuckDbOpenOptions): AppError {
  const path = options.path;
  if (isLockError(err)) {
    const pid = /PID (\d+)/i.exec(err instanceof Error ? err.message : '')?.[1];
    return new AppError(
      'store_locked',
      `The store ${path} is in use by another auditwatch process${pid ? ` (PID ${pid})` : ''}, probably \`auditwatch collect\`; stop it first, or use the commands that ask it through its HTTP endpoint (status, query).`,
      { cause: err, retryable: true },
    );
  }
  if (options.readOnly && /no such file|does not exist|cannot open/i.test(errorMessage(err))) {
    return new AppError('store_missing', `The store ${path} does not exist yet; run \`auditwatch collect --once\` or \`auditwatch import\` first, or fix store.path.`, { cause: err });
  }
  return new AppError('store_open', `Cannot open the store ${path}: ${errorMessage(err)}; check store.path and that the file is a DuckDB database.`, { cause: err });
}
