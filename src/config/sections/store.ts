// The `store` section: which analytical store holds the events, where, and for how long; and where the
// state (alerts, outbox, suppressions, detection state, report runs, collector state) lives: beside the
// events (duckdb, the default) or in PostgreSQL (`state: postgres` with a `postgres` connection).

import { z } from 'zod';
import { duration, fileContent, filePathOr, secretRef, textOrSecret } from '../fields.js';

const PG_URL_EXAMPLE = 'AUDITWATCH_POSTGRES_URL';

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
    url: textOrSecret(PG_URL_EXAMPLE, literalPostgresUrl, (v) => (/^postgres(ql)?:\/\//.test(v) ? null : 'must hold a postgres:// or postgresql:// URL')).optional(),
    host: z.string({ error: 'must be a host name or address' }).min(1, { error: 'must not be empty' }).optional(),
    port: port.optional(),
    database: z.string({ error: 'must be a database name' }).min(1, { error: 'must not be empty' }).optional(),
    user: z.string({ error: 'must be a user name' }).min(1, { error: 'must not be empty' }).optional(),
    /** Only { env } or { file }. */
    password: secretRef('AUDITWATCH_POSTGRES_PASSWORD').optional(),
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


export const storeSection = z
  .strictObject({
    engine: z.enum(['duckdb'], { error: 'must be duckdb (the embedded store; ClickHouse comes later)' }).default('duckdb'),
    /** The DuckDB file; relative paths start at the config file's folder. */
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
  })
  .refine((s) => s.state !== 'postgres' || s.postgres !== undefined, { error: 'has state: postgres but no postgres section; add store.postgres with url or host', path: ['postgres'] })
  .prefault({});

export type StoreConfig = z.output<typeof storeSection>;
