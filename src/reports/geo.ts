// Country lookup at report time, for records stored without a country (ingest without enrichment):
// the bundled GeoLite2 City database through records/enrich. Null when the database cannot be opened.

import { createEnricher } from '../records/index.js';

export async function countryLookup(options: { cityDb?: string } = {}): Promise<((ip: string) => string | null) | null> {
  try {
    const enricher = await createEnricher(options.cityDb ? { cityDb: options.cityDb } : {});
    return (ip) => enricher.lookup(ip).country;
  } catch {
    return null;
  }
}
