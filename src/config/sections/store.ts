// The `store` section: which analytical store holds the events, where, and for how long; and where the
// state (alerts, outbox, suppressions, detection state, report runs, collector state) lives: beside the
// events (duckdb, the default) or in PostgreSQL (`state: postgres` with a `postgres` connection).
// `engine: clickhouse` keeps the events in ClickHouse (`clickhouse`: url, database, user, password) and
// needs `state: postgres`: the blob ledger, cursors, gaps, dead letters and the state live there.

import { z } from 'zod';
import { duration, fileContent, filePathOr, literalUrlProblem, secretRef, textOrSecret } from '../fields.js';

const PG_URL_EXAMPLE = 'AUDITWATCH_POSTGRES_URL';
/** The store's credentials are read by every command that opens the store, also those loading the config without secrets. */
const STORE = { store: true };

/** What is wrong with a PostgreSQL URL written in the config: not postgres://, or carrying a password. */
function literalPostgresUrl(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `must be a postgres:// URL like postgres://auditwatch@db.example.com:5432/auditwatch, or { env: ${PG_URL_EXAMPLE} } / { file: PATH } holding one`;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return 'must be a postgres:// or postgresql:// URL';
  if (u.password) return `carries a password; a credential must not be written in the config: give it as password: { env: AUDITWATCH_POSTGRES_PASSWORD }, or put the whole URL in { env: ${PG_URL_EXAMPLE} } or { file: ./auditwatch.secrets/postgres.url }`;
  return null;
}

const port = z
  .number({ error: 'must be a port number from 1 to 65535' })
  .int({ error: 'must be a port number from 1 to 65535' })
  .min(1, { error: 'must be a port number from 1 to 65535' })
  .max(65535, { error: 'must be a port number from 1 to 65535' });

/** The PostgreSQL connection of the state store. */
export const postgresSection = z
  .strictObject({
    /** postgres://user@host:port/database (a password in it only from { env } or { file }); or the fields below. */
    url: textOrSecret(PG_URL_EXAMPLE, literalPostgresUrl, (v) => (/^postgres(ql)?:\/\//.test(v) ? null : 'must hold a postgres:// or postgresql:// URL'), STORE).optional(),
    host: z.string({ error: 'must be a host name or address' }).min(1, { error: 'must not be empty' }).optional(),
    port: port.optional(),
    database: z.string({ error: 'must be a database name' }).min(1, { error: 'must not be empty' }).optional(),
    user: z.string({ error: 'must be a user name' }).min(1, { error: 'must not be empty' }).optional(),
    /** Only { env } or { file }. */
    password: secretRef('AUDITWATCH_POSTGRES_PASSWORD', undefined, STORE).optional(),
    /** false (default): plain TCP; true: TLS verifying the server against the system CAs; or { ca: { file }, rejectUnauthorized }. */
    ssl: z
      .union([z.boolean(), z.strictObject({ ca: fileContent('the CA certificate of the PostgreSQL server, PEM').optional(), rejectUnauthorized: z.boolean().default(true) })], {
        error: 'must be true, false, or { ca: { file: PATH }, rejectUnauthorized: true }',
      })
      .default(false),
    /** Connections per process (default 8). */
    poolSize: z.number({ error: 'must be a whole number from 1 to 100' }).int().min(1).max(100).optional(),
  })
  .refine((p) => p.url !== undefined || p.host !== undefined, { error: 'needs url or host (with database, user and password)' });

const CH_URL_EXAMPLE = 'AUDITWATCH_CLICKHOUSE_URL';
const name = (what: string) =>
  z
    .string({ error: `must be a ${what}` })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: `must be a ${what}: letters, digits and _, not starting with a digit` });

/** The ClickHouse connection of the events (store.engine: clickhouse). */
export const clickhouseSection = z.strictObject({
  /** The HTTP interface, http(s)://host:8123; a URL with user:password@ only from { env } or { file }. */
  url: textOrSecret(
    CH_URL_EXAMPLE,
    literalUrlProblem('the HTTP interface of ClickHouse, e.g. http://clickhouse.example.com:8123', CH_URL_EXAMPLE),
    (v) => (/^https?:\/\//.test(v) ? null : 'must hold an http:// or https:// URL (the HTTP interface of ClickHouse)'),
    STORE,
  ),
  /** The database of auditwatch's tables; it must exist (default: default). */
  database: name('database name').default('default'),
  user: z.string({ error: 'must be a user name' }).min(1, { error: 'must not be empty' }).optional(),
  /** Only { env } or { file }. */
  password: secretRef('AUDITWATCH_CLICKHOUSE_PASSWORD', undefined, STORE).optional(),
  /** A cluster of the server's <remote_servers>: the events are sharded by tenant over its nodes. */
  cluster: name('cluster name (one of the server\'s <remote_servers>)').optional(),
});

export const storeSection = z
  .strictObject({
    engine: z.enum(['duckdb', 'clickhouse'], { error: 'must be duckdb (the embedded store) or clickhouse (store.clickhouse, with state: postgres)' }).default('duckdb'),
    /** The DuckDB file; relative paths start at the config file's folder (with clickhouse: where the daemon's endpoint file lives). */
    path: filePathOr('./data/auditwatch.duckdb'),
    /** Events older than this (event time) are deleted by the daemon; `forever` keeps everything. */
    retention: z
      .union([z.string(), z.number()], { error: 'must be a duration of at least 8d like 365d, or forever' })
      .default('365d')
      .transform((v, ctx): number | null => {
        if (v === 'forever') return null;
        const parsed = duration('365d', { min: '8d' }).safeParse(v);
        if (parsed.success) return parsed.data;
        ctx.issues.push({ code: 'custom', input: v, message: 'must be a duration of at least 8d like 365d, or forever' });
        return z.NEVER;
      }),
    /** DuckDB memory limit, e.g. 512MB (default: DuckDB's own, 80% of RAM). */
    memoryLimit: z
      .string({ error: 'must be a size like 512MB or 2GB' })
      .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, { error: 'must be a size like 512MB or 2GB' })
      .optional(),
    /** DuckDB worker threads (default: one per core). */
    threads: z
      .number({ error: 'must be a whole number from 1 to 256' })
      .int({ error: 'must be a whole number from 1 to 256' })
      .min(1, { error: 'must be a whole number from 1 to 256' })
      .max(256, { error: 'must be a whole number from 1 to 256' })
      .optional(),
    /** Where the state lives: duckdb (in the store file, the default) or postgres (store.postgres). */
    state: z.enum(['duckdb', 'postgres'], { error: 'must be duckdb (beside the events) or postgres (store.postgres)' }).default('duckdb'),
    postgres: postgresSection.optional(),
    clickhouse: clickhouseSection.optional(),
  })
  .refine((s) => s.state !== 'postgres' || s.postgres !== undefined, { error: 'has state: postgres but no postgres section; add store.postgres with url or host', path: ['postgres'] })
  .refine((s) => s.engine !== 'clickhouse' || s.clickhouse !== undefined, { error: 'has engine: clickhouse but no clickhouse section; add store.clickhouse with url (and database, user, password)', path: ['clickhouse'] })
  .refine((s) => s.engine !== 'clickhouse' || s.state === 'postgres', {
    error: 'has engine: clickhouse, which keeps the blob ledger, cursors and state in PostgreSQL; add state: postgres and store.postgres',
    path: ['state'],
  })
  .prefault({});

export type StoreConfig = z.output<typeof storeSection>;
