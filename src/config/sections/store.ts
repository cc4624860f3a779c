// The `store` section: which analytical store holds the events, where, and for how long.

import { z } from 'zod';
import { duration, filePathOr } from '../fields.js';

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
  })
  .prefault({});

export type StoreConfig = z.output<typeof storeSection>;
