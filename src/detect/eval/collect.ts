// Filling a store from the emulator for eval: the emulator's tenants (and their client secrets, from its
// control surface) become collector tenants pointed at the emulator's URL; one collection pass backfills
// the API's 7 days. Rows that were stored without enrichment get their GeoIP/ASN fields afterwards, so
// rules on ClientIP.Country see what ingest with enrichment would have given them.

import { createApiClient } from '../../api/index.js';
import { createCollector, type PassSummary, type TenantRuntime } from '../../collect/index.js';
import { AppError, Secret, safeLine, type Clock, type Logger } from '../../core/index.js';
import { CONTENT_TYPES, createEnricher } from '../../records/index.js';
import type { Store } from '../../store/index.js';
import type { EmulatorTenant } from './truth.js';

const DAY = 86_400_000;
/** How far back eval collects: the API's 7 days less a minute, so the first listing is never refused. */
export const COLLECT_LOOKBACK_MS = 7 * DAY - 60_000;

/**
 * Collection passes over every emulator tenant and content type: the first from 7 days before `now`,
 * the next ones from the cursors (which wait at any blob that failed), until `complete` says the store
 * holds everything or `maxPasses` ran. Returns the records stored and the passes run.
 */
export async function collectFromEmulator(o: {
  base: string;
  tenants: EmulatorTenant[];
  store: Store;
  clock: Clock;
  logger: Logger;
  signal?: AbortSignal;
  /** Where the first pass starts listing (default: COLLECT_LOOKBACK_MS before the clock's now). */
  since?: number;
  complete?: () => Promise<boolean>;
  maxPasses?: number;
  /** The collector's request budget per tenant (default 1,500 a minute, the collector's own default). */
  requestsPerMinute?: number;
}): Promise<{ records: number; passes: number; last: PassSummary }> {
  const tenants: TenantRuntime[] = o.tenants.map((t) => ({
    tenantId: t.tenantId,
    name: t.domain ?? t.tenantId,
    contentTypes: CONTENT_TYPES,
    api: createApiClient({
      tenantId: t.tenantId,
      clientId: t.clientId,
      credential: { kind: 'secret', secret: new Secret(t.clientSecret) },
      cloud: 'enterprise',
      apiHost: o.base,
      loginHost: o.base,
      clock: o.clock,
      logger: o.logger.child({ tenant: t.tenantId }),
    }),
  }));
  // eval lifts the emulator's quota while it collects, so the request budget need not hold the pass back.
  const collector = createCollector({ tenants, store: o.store, clock: o.clock, logger: o.logger, options: { requestsPerMinute: o.requestsPerMinute ?? 1_500, maxConcurrency: 8, maxLookbackMs: COLLECT_LOOKBACK_MS } });
  const maxPasses = o.maxPasses ?? 5;
  let records = 0;
  for (let pass = 1; ; pass++) {
    const summary = await collector.runOnce({ ...(pass === 1 ? { since: o.since ?? o.clock.now() - COLLECT_LOOKBACK_MS } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    records += summary.records;
    if (summary.errors.length) {
      const e = summary.errors[0]!;
      throw new AppError('eval_collect', `Collecting from the emulator failed for tenant ${safeLine(e.tenantId, 40)}: ${safeLine(e.error.message, 200)}`, { cause: e.error });
    }
    if (pass >= maxPasses || !o.complete || (await o.complete())) return { records, passes: pass, last: summary };
    o.logger.info('The temporary store lacks some of the emulator\'s records; collecting again.', { pass });
  }
}

/** Fills country, city, coordinates and ASN of stored rows that have a client IP but no enrichment. */
export async function enrichStored(store: Store): Promise<number> {
  const ips = await store.unenrichedClientIps();
  if (ips.length === 0) return 0;
  const enricher = await createEnricher();
  let updated = 0;
  for (const ip of ips) {
    const e = enricher.lookup(ip);
    if (e.country === null && e.asn === null) continue;
    await store.enrichClientIp(ip, e);
    updated++;
  }
  return updated;
}
