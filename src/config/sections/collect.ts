// The `collect` section: how often the daemon polls, how far back it re-lists, how hard it may push
// the API, and where it serves /metrics and its HTTP API (and which Host names it answers).

import { z } from 'zod';
import { duration, listenAddress } from '../fields.js';
import { authSection } from './auth.js';

export const collectSection = z
  .strictObject({
    /** Time between two polls of the daemon. */
    interval: duration('5m', { min: '1s', max: '1d' }),
    /** Window re-listed on every poll, to catch blobs listed late. */
    overlap: duration('24h', { min: '0s', max: '7d' }),
    /** How far back the first pass of a content type goes (no cursor yet). */
    initialLookback: duration('7d', { min: '1h', max: '7d' }),
    /** Blobs fetched at once per tenant. */
    maxConcurrency: z
      .number({ error: 'must be a whole number from 1 to 64' })
      .int({ error: 'must be a whole number from 1 to 64' })
      .min(1, { error: 'must be a whole number from 1 to 64' })
      .max(64, { error: 'must be a whole number from 1 to 64' })
      .default(4),
    /**
     * The most requests a minute per tenant: the ceiling of the adaptive budget, which halves on AF429 and
     * grows back while answers succeed. Microsoft's baseline quota is 2000; large tenants get more.
     */
    requestsPerMinute: z
      .number({ error: 'must be a whole number from 1 to 60000 (Microsoft\'s baseline quota is 2000 a minute per tenant)' })
      .int({ error: 'must be a whole number from 1 to 60000' })
      .min(1, { error: 'must be a whole number from 1 to 60000' })
      .max(60000, { error: 'must be a whole number from 1 to 60000' })
      .default(2000),
    /** The rate each tenant's budget starts at (default: requestsPerMinute). */
    startRequestsPerMinute: z
      .number({ error: 'must be a whole number from 1 to 60000, at most collect.requestsPerMinute' })
      .int({ error: 'must be a whole number from 1 to 60000' })
      .min(1, { error: 'must be a whole number from 1 to 60000' })
      .max(60000, { error: 'must be a whole number from 1 to 60000' })
      .optional(),
    /** Address of /metrics (Prometheus), /healthz and the HTTP API (/api/v1); false turns it off. */
    listen: listenAddress('127.0.0.1:9464'),
    /**
     * Host names the daemon answers besides its listen address and localhost (e.g. the name Prometheus
     * scrapes it by); a request with any other Host header is refused (DNS rebinding).
     */
    allowedHosts: z
      .array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$|^\[[0-9a-fA-F:.]+\]$/, { error: 'must be a host name or address without a port, like metrics.example.org' }), {
        error: 'must be a list of host names',
      })
      .default([]),
    /** Sign-in to the API and dashboard: sessions, login limits, OpenID Connect (sections/auth.ts). */
    auth: authSection,
    /**
     * Several collect processes on one ClickHouse + PostgreSQL store share the work through leases in
     * PostgreSQL (collect/leases.ts, service/cluster.ts). Unused with DuckDB (one process per file).
     */
    leases: z
      .strictObject({
        /** A lease not renewed for this long is free: a dead process's tenants and leader duties are taken over after it. */
        ttl: duration('60s', { min: '2s', max: '1h' }),
        /**
         * With other collect processes alive, detection reads the records committed at least this long ago
         * (another process's transaction may still be on its way); more than a commit's duration plus the hosts' clock difference.
         */
        settle: duration('30s', { min: '1s', max: '1h' }),
      })
      .prefault({}),
  })
  .prefault({})
  .superRefine((c, ctx) => {
    if (c.startRequestsPerMinute !== undefined && c.startRequestsPerMinute > c.requestsPerMinute) {
      ctx.addIssue({ code: 'custom', path: ['startRequestsPerMinute'], message: `is above collect.requestsPerMinute (${c.requestsPerMinute}), the budget's ceiling; lower it or raise the ceiling` });
    }
  });

export type CollectConfig = z.output<typeof collectSection>;
