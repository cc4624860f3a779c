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

/** One collection pass over every emulator tenant and content type, from 7 days before `now`. */
export async function collectFromEmulator(o: { base: string; tenants: EmulatorTenant[]; store: Store; clock: Clock; logger: Logger; signal?: AbortSignal }): Promise<PassSummary> {
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
  const collector = createCollector({ tenants, store: o.store, clock: o.clock, logger: o.logger });
  const summary = await collector.runOnce({ since: o.clock.now() - 7 * DAY + 60_000, ...(o.signal ? { signal: o.signal } : {}) });
  if (summary.errors.length) {
    const e = summary.errors[0]!;
    throw new AppError('eval_collect', `Collecting from the emulator failed for tenant ${safeLine(e.tenantId, 40)}: ${safeLine(e.error.message, 200)}`, { cause: e.error });
  }
  return summary;
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
