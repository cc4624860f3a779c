// Ingest from a config: the GeoIP/ASN enrichment every path into the store applies to normalised rows
// (per the `enrich` section), and the collector built with it (collect, backfill, the daemon, the demo).

import type { Clock, Logger } from '../core/index.js';
import type { Config } from './config.js';
import { createCollector, type Collector, type CollectorInput } from '../collect/index.js';
import { createEnricher, type EventRow } from '../records/index.js';
import type { Store } from '../store/index.js';
import { tenantRuntimes } from './tenants.js';
import { collectorLeasesFor } from './cluster.js';

export type RowTransform = (row: EventRow) => EventRow;

/** The enrichment to apply at ingest, or undefined when `enrich.enabled` is false. */
export async function ingestTransform(config: Pick<Config, 'enrich'>): Promise<RowTransform | undefined> {
  if (!config.enrich.enabled) return undefined;
  const enricher = await createEnricher({
    ...(config.enrich.cityDb ? { cityDb: config.enrich.cityDb } : {}),
    ...(config.enrich.asnDb ? { asnDb: config.enrich.asnDb } : {}),
    cacheSize: config.enrich.cacheSize,
  });
  return (row) => enricher.enrich(row);
}

/**
 * The collector for a config: its tenants, collect options and ingest enrichment (daemon, passes, demo).
 * On a shared store (ClickHouse + PostgreSQL) it takes leases, so call its close() when done.
 */
export async function configuredCollector(
  o: { config: Config; store: Store; clock: Clock; logger: Logger },
  extra: Pick<CollectorInput, 'registry' | 'hooks'> = {},
): Promise<Collector> {
  const enrich = await ingestTransform(o.config);
  const leases = collectorLeasesFor(o.config, o.store);
  return createCollector({
    ...(leases ? { leases } : {}),
    tenants: tenantRuntimes(o.config, o.clock, o.logger),
    store: o.store,
    clock: o.clock,
    logger: o.logger,
    ...extra,
    ...(enrich ? { enrich } : {}),
    options: {
      overlapMs: o.config.collect.overlap,
      initialLookbackMs: o.config.collect.initialLookback,
      maxConcurrency: o.config.collect.maxConcurrency,
      requestsPerMinute: o.config.collect.requestsPerMinute,
      ...(o.config.collect.startRequestsPerMinute === undefined ? {} : { startRequestsPerMinute: o.config.collect.startRequestsPerMinute }),
    },
  });
}
