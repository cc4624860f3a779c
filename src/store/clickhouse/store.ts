// The ClickHouse Store: the events in ClickHouse (over HTTP with @clickhouse/client), everything
// transactional in PostgreSQL — the blob ledger, cursors, gaps and dead letters (postgres/state/
// ledger.ts) and the whole state port (alerts, outbox, detection state, identities, …). What each
// engine guarantees is written in ports/events.ts; the order of a blob's writes in ingest.ts; the
// layout on one node or a cluster in cluster.ts.

import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { AppError, errorMessage, oneLine, type Logger } from '../../core/index.js';
import type { Enrichment } from '../../records/index.js';
import type { PostgresStateStore } from '../postgres/index.js';
import { checkReadOnlyText, refusal } from '../readonly-guard.js';
import { clickhouseDialectFor, qualifyIdent, sql, type Dialect, type Sql } from '../sql/index.js';
import { copiedItems } from '../copy-events.js';
import type { BlobCommit, CopyPort, CollectionStats, CollectionStatsOptions, CommitResult, Cursor, Gap, ImportBatch, IngestSession, LeasesPort, QueryReadOnlyOptions, Row, StatePort, Store, StoredRecord } from '../types.js';
import { Mutex } from '../duckdb/mutex.js';
import type { ClickHouseNode, Layout } from './cluster.js';
import { clickhouseError, serverCode, type ClickHouseConnection } from './connect.js';
import { rowsOf, type JsonResult } from './convert.js';
import { ClickHouseIngestSession, queryParams, type IngestItem } from './ingest.js';
import { syncIdentities } from './identities.js';
import * as reads from './reads.js';
import { CLICKHOUSE_MIGRATIONS, MIGRATIONS_TABLE, retentionTtl, type ServerFeatures } from './schema.js';

const DAY = 86_400_000;
/** The table compiled rules join for identities (detect/compile's IDENTITIES_TABLE; migration 101 here). */
const IDENTITIES_COPY = 'identities';
/** The events port's tables that this store keeps in PostgreSQL (postgres/state/ledger.ts). */
const LEDGER_TABLES = new Set(['blob_ledger', 'cursors', 'gaps', 'dead_letters']);
const DEFAULT_MAX_ROWS = 1_000_000;

export class ClickHouseStore implements Store {
  readonly kind = 'clickhouse' as const;
  readonly dialect: Dialect;
  readonly state: StatePort;
  readonly copy: CopyPort;
  readonly leases: LeasesPort;
  private readonly ingestLock = new Mutex();
  private readonly sessions = new Set<ClickHouseIngestSession>();
  private closed = false;
  private ttlDays: number | null = null;
  private readonly db: reads.ChDb;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly pg: PostgresStateStore,
    readonly features: ServerFeatures,
    readonly layout: Layout,
    private readonly options: { connection: ClickHouseConnection; readOnly: boolean; logger: Logger; now: () => number },
  ) {
    this.dialect = clickhouseDialectFor(features.version);
    this.state = pg.state;
    this.leases = pg.leases;
    this.db = {
      dialect: this.dialect,
      features,
      read: (q) => this.query(q),
      command: (q) => this.command(q),
      local: layout.local,
      nodes: layout.nodes.map((n) => ({
        read: (q) => this.onNode(n, 'a read', async () => {
          const { text, params } = q.render(this.dialect);
          const result = await n.client.query({ query: text, format: 'JSON', ...queryParams(params) });
          return rowsOf(await result.json<unknown>() as unknown as JsonResult);
        }),
        command: (q) => this.onNode(n, 'a write', () => this.send(n.client, q)),
      })),
    };
    this.copy = {
      ...pg.copy,
      // Asked of the source first: a ClickHouse source stops the copy before it writes anything.
      identity: () => Promise.reject(notACopySource()),
      eventDays: () => Promise.reject(notACopySource()),
      readEvents: () => Promise.reject(notACopySource()),
      writeEvents: (events) => this.ingestOnce(copiedItems(events), []),
      countEvents: async () => Number((await this.query(sql`SELECT count() AS n FROM events`))[0]?.['n'] ?? 0),
    };
  }

  /** Like guard, for one node of the layout (its address in the message). */
  private onNode<T>(node: ClickHouseNode, doing: string, fn: () => Promise<T>): Promise<T> {
    return this.guardAt(node.connection, doing, fn);
  }

  private async send(client: ClickHouseClient, q: Sql | string): Promise<void> {
    const text = typeof q === 'string' ? q : q.render(this.dialect).text;
    const params = typeof q === 'string' ? [] : q.render(this.dialect).params;
    await client.command({ query: text, ...queryParams(params) });
  }

  private check(): void {
    if (this.closed) throw new AppError('store_closed', 'The ClickHouse store is closed; open it again.');
  }

  private guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    return this.guardAt(this.options.connection, doing, fn);
  }

  private async guardAt<T>(connection: ClickHouseConnection, doing: string, fn: () => Promise<T>): Promise<T> {
    this.check();
    try {
      return await fn();
    } catch (err) {
      throw clickhouseError(err, connection, doing);
    }
  }

  private command(q: Sql | string): Promise<void> {
    return this.guard('a write', () => this.send(this.client, q));
  }

  /**
   * Brings every node's schema up to date: each node keeps its own schema_migrations (one node: the
   * only one). Returns the versions applied (on any node).
   */
  async migrate(): Promise<number[]> {
    await this.pg.migrate();
    if (this.options.readOnly) return [];
    const done = new Set<number>();
    for (const node of this.layout.nodes) await this.checkLayout(node);
    for (const node of this.layout.nodes) {
      for (const v of await this.migrateNode(node)) done.add(v);
    }
    return [...done].sort((a, b) => a - b);
  }

  /** A database set up for the other layout (one node against a cluster) is refused, not mixed. */
  private async checkLayout(node: ClickHouseNode): Promise<void> {
    const engine = await this.onNode(node, 'reading the schema', async () => {
      const r = await node.client.query({ query: "SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = 'events_rows'", format: 'JSONEachRow' });
      return (await r.json<{ engine: string }>())[0]?.engine;
    });
    if (engine === undefined) return;
    const where = `The ClickHouse database ${this.options.connection.database ?? 'default'} on ${node.name}`;
    if (this.layout.cluster === null && engine === 'Distributed') {
      throw new AppError('clickhouse_layout', `${where} holds the tables of a cluster (events_rows is Distributed); set store.clickhouse.cluster to its cluster, or use another database.`);
    }
    if (this.layout.cluster !== null && engine !== 'Distributed') {
      throw new AppError('clickhouse_layout', `${where} holds the tables of one node (events_rows is ${oneLine(engine, 40)}), not of cluster ${this.layout.cluster}; give the cluster another database (on every node), or remove store.clickhouse.cluster.`);
    }
  }

  private async migrateNode(node: ClickHouseNode): Promise<number[]> {
    const on = <T>(doing: string, fn: () => Promise<T>) => this.onNode(node, doing, fn);
    const applied = await on('reading the schema version', async () => {
      await node.client.command({ query: MIGRATIONS_TABLE });
      const r = await node.client.query({ query: 'SELECT version FROM schema_migrations FINAL', format: 'JSONEachRow' });
      return new Set((await r.json<{ version: number | string }>()).map((x) => Number(x.version)));
    });
    const newest = Math.max(...CLICKHOUSE_MIGRATIONS.map((m) => m.version));
    const ahead = [...applied].filter((v) => v > newest);
    if (ahead.length > 0) {
      throw new AppError('store_newer', `The ClickHouse database on ${node.name} was written by a newer auditwatch (schema version ${Math.max(...ahead)}); upgrade auditwatch, or point store.clickhouse at another database.`);
    }
    const placement = { cluster: this.layout.cluster, database: this.options.connection.database ?? 'default' };
    const done: number[] = [];
    for (const m of CLICKHOUSE_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      // DDL is idempotent (IF NOT EXISTS): a process that dies half-way, or two starting together, repeat it harmlessly.
      for (const statement of m.statements(this.features, placement)) {
        await on(`schema migration ${m.version} (${m.name})`, () => node.client.command({ query: statement }));
      }
      await on('recording a schema migration', () =>
        node.client.insert({ table: 'schema_migrations', values: [{ version: m.version, name: m.name, applied_at: Math.floor(this.options.now() / 1000) }], format: 'JSONEachRow' }),
      );
      this.options.logger.info('Applied a ClickHouse schema migration.', { version: m.version, name: m.name, node: node.name });
      done.push(m.version);
    }
    return done;
  }

  query<T extends Row = Row>(q: Sql): Promise<T[]> {
    // The collector's tables live in PostgreSQL: a read of them (the collection report's) is answered there.
    if (q.parts.some((p) => p.kind === 'ident' && LEDGER_TABLES.has(p.name))) return this.ledgerQuery(q) as Promise<T[]>;
    const identities = q.parts.some((p) => p.kind === 'ident' && p.name === IDENTITIES_COPY);
    // On a cluster the rule's subquery runs on every shard against its own copy, in the shard's own
    // session (database `default`): the copy is named with the store's database.
    const { text, params } = (identities && this.layout.cluster !== null ? qualifyIdent(q, IDENTITIES_COPY, this.options.connection.database ?? 'default') : q).render(this.dialect);
    return this.guard('a read', async () => {
      // A "same person" rule reads the identities copy: bring it up to date with PostgreSQL first, on every node.
      if (!this.options.readOnly && identities) {
        for (const node of this.layout.nodes) await syncIdentities(node.client, this.pg);
      }
      const result = await this.client.query({ query: text, format: 'JSON', ...queryParams(params) });
      return rowsOf(await result.json<unknown>() as unknown as JsonResult) as T[];
    });
  }

  /** TRANSITIONAL: a write statement (ClickHouse runs it alone; there is no transaction). */
  execute(q: Sql): Promise<void> {
    return this.command(q);
  }

  /** TRANSITIONAL: ClickHouse has no transactions; the state port's unit of work is PostgreSQL's. */
  transaction<T>(): Promise<T> {
    return Promise.reject(new AppError('store_engine', 'ClickHouse has no transactions: write state through the state port (its unit of work runs in PostgreSQL).'));
  }

  async queryReadOnly(text: string, options: QueryReadOnlyOptions = {}): Promise<Row[]> {
    const statement = checkReadOnlyText(text);
    const first = (statement.replace(/^\(+\s*/, '').split(/[\s(]+/, 1)[0] ?? '').toUpperCase();
    if (first === 'PRAGMA' || first === 'SUMMARIZE' || first === 'FROM' || first === 'VALUES' || first === 'TABLE') {
      throw refusal(`${first} is DuckDB's; on ClickHouse use SELECT, WITH (on servers that have it), DESCRIBE, SHOW or EXPLAIN`);
    }
    if (/\bFORMAT\s+\w+\s*$/i.test(statement) || /\bINTO\s+OUTFILE\b/i.test(statement)) throw refusal('the query names an output format or file; leave FORMAT and INTO OUTFILE out');
    const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
    this.check();
    let result: JsonResult;
    try {
      const r = await this.client.query({
        query: statement,
        format: 'JSON',
        // readonly last: the settings before it are applied first, then nothing may write or change settings
        // (readonly 1 also refuses table functions such as url() and file()).
        clickhouse_settings: { max_result_rows: String(maxRows + 1), result_overflow_mode: 'break', readonly: '1' },
      });
      result = (await r.json<unknown>()) as unknown as JsonResult;
    } catch (err) {
      const code = serverCode(err);
      if (code === 164) throw refusal('ClickHouse refused it in read-only mode');
      if (code === 62 || code === 46 || code === 47 || code === 60 || code === 16 || code === 81) {
        throw new AppError('query_invalid', `The query is not valid: ${firstLine(err)}; fix the SQL (tables: events; blob_ledger, cursors, gaps and dead_letters are in PostgreSQL).`, { cause: err });
      }
      if (code !== undefined) throw new AppError('query_failed', `The query failed: ${firstLine(err)}; fix the SQL.`, { cause: err });
      throw clickhouseError(err, this.options.connection, 'a query');
    }
    if (result.data.length > maxRows) throw new AppError('query_too_large', `The query returns more than ${maxRows} rows; add a LIMIT, a WHERE or an aggregate.`);
    return rowsOf(result);
  }

  private newSession(): ClickHouseIngestSession {
    this.check();
    if (this.options.readOnly) throw new AppError('store_readonly', 'The ClickHouse store was opened read-only; open it for writing to ingest.');
    return new ClickHouseIngestSession({
      client: this.client,
      features: this.features,
      ledger: this.pg.ledger,
      lock: this.ingestLock,
      check: () => this.check(),
      now: this.options.now,
      guard: (doing, fn) => this.guard(doing, fn),
    });
  }

  openIngest(): IngestSession {
    const session = this.newSession();
    this.sessions.add(session);
    return {
      get pendingRows() {
        return session.pendingRows;
      },
      add: (blobs) => session.add(blobs.map(blobItem)),
      commit: (cursors, fences) => session.commit(cursors, fences),
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
    this.check();
    return this.pg.ledger.knownBlobs(tenantId, contentType, since);
  }

  getCursor(tenantId: string, contentType: string): Promise<Cursor | null> {
    this.check();
    return this.pg.ledger.getCursor(tenantId, contentType);
  }

  setCursor(cursor: Omit<Cursor, 'updatedAt'>): Promise<void> {
    this.check();
    return this.pg.ledger.setCursor(cursor, this.options.now());
  }

  recordGap(gap: Gap): Promise<void> {
    this.check();
    return this.pg.ledger.recordGap(gap);
  }

  pruneLedger(now: number): Promise<number> {
    this.check();
    return this.pg.ledger.pruneLedger(now);
  }

  async applyRetention(olderThan: number): Promise<number> {
    this.check();
    if (this.features.ttl) {
      // Newer servers also drop expired rows by themselves; the TTL follows the configured retention.
      const days = Math.max(1, Math.ceil((this.options.now() - olderThan) / DAY));
      if (days !== this.ttlDays) {
        for (const node of this.db.nodes) await node.command(retentionTtl(days, this.layout.local));
        this.ttlDays = days;
      }
    }
    const dropped = await reads.dropOldPartitions(this.db, olderThan);
    await this.pg.ledger.applyRetention(olderThan);
    return dropped;
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

  async collectionStats(options: CollectionStatsOptions): Promise<CollectionStats> {
    const events = options.events === false ? [] : await reads.eventStats(this.db, options.today);
    const rest = await this.pg.ledger.stats(options);
    return { events, ...rest };
  }

  /** Streams TabSeparated text (lines of `columns`) into a table in one INSERT; for the benches. */
  async insertTabSeparated(table: string, columns: readonly string[], text: AsyncIterable<string>): Promise<void> {
    await this.guard('an insert', () => this.client.insert({ table, columns: [...columns] as [string, ...string[]], values: Readable.from(text, { objectMode: false }), format: 'TabSeparated' }));
  }

  /** The PostgreSQL tables of this store (blob_ledger, cursors, gaps, dead_letters), for tests and the collection report. */
  ledgerQuery(q: Sql): Promise<Row[]> {
    this.check();
    return this.pg.ledger.read(q);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const session of this.sessions) {
      if (session.open) this.options.logger.warn('The store was closed with an ingest transaction open; it was rolled back (its blobs are fetched again).');
      await session.rollback();
    }
    this.closed = true;
    await this.ingestLock.use(async () => undefined);
    try {
      await this.pg.close();
    } finally {
      const clients = [this.client, ...this.layout.nodes.map((n) => n.client).filter((c) => c !== this.client)];
      await Promise.all(clients.map((c) => c.close().catch((err: unknown) => this.options.logger.warn('The ClickHouse client did not close cleanly.', { error: errorMessage(err) }))));
    }
  }
}

/** ClickHouse is the target of a move, not its source (ports/copy.ts). */
function notACopySource(): AppError {
  return new AppError('copy_source', 'auditwatch store copy reads the events of a DuckDB store; point --config at the DuckDB store to copy from.');
}

function blobItem(b: BlobCommit): IngestItem {
  return { tenantId: b.blob.tenantId, contentType: b.blob.contentType, sourceId: b.blob.contentId, blob: b.blob, rows: b.rows, rejects: b.rejects, ingestedAt: b.ingestedAt };
}

/** The server's message without 18.16's "Code: N, e.displayText() = DB::Exception:" wrapping. */
function firstLine(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return oneLine(text.replace(/^Code: \d+, e\.displayText\(\) = DB::Exception: /, '').replace(/,? e\.what\(\) = DB::Exception$/, ''), 300);
}
