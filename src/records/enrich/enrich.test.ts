// Tests of enrichment against real .mmdb files: the default GeoLite2 City files of the npm package, and
// MaxMind-layout City and ASN databases written to a temp dir by the test's own .mmdb writer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAppError } from '../../core/index.js';
import { normalize } from '../normalize.js';
import { UAL_EXAMPLES } from '../testdata/ual-examples.js';
import { buildMmdb } from '../testdata/mmdb-writer.js';
import type { EventRow } from '../types.js';
import { createEnricher } from './index.js';

let dir = '';
let cityDb = '';
let asnDb = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'auditwatch-enrich-'));
  cityDb = path.join(dir, 'GeoIP2-City.mmdb');
  asnDb = path.join(dir, 'GeoLite2-ASN.mmdb');
  await writeFile(cityDb, buildMmdb({
    ipVersion: 6,
    databaseType: 'GeoIP2-City',
    networks: [
      ['203.0.113.0/24', {
        city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
        country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom' } },
        location: { accuracy_radius: 5, latitude: { double: 51.5142 }, longitude: { double: -0.0931 }, time_zone: 'Europe/London' },
      }],
      ['198.51.100.0/24', { registered_country: { geoname_id: 6252001, iso_code: 'US', names: { en: 'United States' } } }],
      ['2001:db8::/32', { country: { geoname_id: 2921044, iso_code: 'DE', names: { en: 'Germany' } }, location: { accuracy_radius: 100, latitude: { double: 51 }, longitude: { double: 9 } } }],
    ],
  }));
  await writeFile(asnDb, buildMmdb({
    ipVersion: 6,
    databaseType: 'GeoLite2-ASN',
    networks: [
      ['83.57.0.0/16', { autonomous_system_number: 3352, autonomous_system_organization: 'TELEFONICA DE ESPANA S.A.U.' }],
      ['2001:db8::/32', { autonomous_system_number: 64500, autonomous_system_organization: 'Documentation AS' }],
    ],
  }));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function rowWithIp(ip: string | null): EventRow {
  const result = normalize({ ...(JSON.parse(UAL_EXAMPLES.stsLogon) as object), ClientIP: ip, ActorIpAddress: null }, { tenantId: 't', contentType: null, sourceId: 's' });
  assert.ok(result.ok);
  return result.row;
}

test('default databases from the npm package: IPv4 and IPv6, unknown and absent IPs stay null', async () => {
  const enricher = await createEnricher();
  assert.equal(enricher.sources.city.length, 2);
  assert.equal(enricher.sources.asn, '@ip-location-db/asn');
  const es = enricher.enrich(rowWithIp('83.57.233.151'));
  assert.equal(es.country, 'ES');
  assert.equal(typeof es.city, 'string');
  assert.ok(es.latitude !== null && es.latitude > 27 && es.latitude < 44);
  assert.ok(es.longitude !== null && es.longitude > -19 && es.longitude < 5);
  assert.equal(es.asn, 3352, '83.57.0.0/16 is Telefonica de Espana (AS3352) in the package ranges');
  assert.match(es.asOrg ?? '', /telef/i);
  const quoted = enricher.enrich(rowWithIp('1.1.1.1'));
  assert.deepEqual([quoted.asn, quoted.asOrg], [13335, 'Cloudflare, Inc.'], 'a quoted organisation with a comma is read whole');
  assert.equal(es.id, 'ca0efc24-1b89-4962-8fef-a3ac5437302f', 'the rest of the row is kept');
  const v6 = enricher.enrich(rowWithIp('[2001:4860:4860::8888]:443'));
  assert.equal(v6.clientIp, '2001:4860:4860::8888');
  assert.equal(v6.country, 'US');
  assert.equal(v6.asn, 15169, 'Google Public DNS is AS15169');
  const mapped = enricher.enrich(rowWithIp('::ffff:83.57.233.151'));
  assert.equal(mapped.country, 'ES');
  const doc = enricher.enrich(rowWithIp('192.0.2.1'));
  assert.deepEqual([doc.country, doc.city, doc.latitude, doc.longitude, doc.asn, doc.asOrg], [null, null, null, null, null, null]);
  const none = enricher.enrich(rowWithIp('not-an-ip'));
  assert.equal(none.clientIp, null);
  assert.equal(none.country, null);
});

test('a user MaxMind City database and an ASN database replace the defaults', async () => {
  const enricher = await createEnricher({ cityDb, asnDb });
  assert.deepEqual(enricher.sources, { city: [cityDb], asn: asnDb });
  const london = enricher.enrich(rowWithIp('203.0.113.44:5000'));
  assert.deepEqual([london.country, london.city, london.latitude, london.longitude], ['GB', 'London', 51.5142, -0.0931]);
  assert.equal(london.asn, null);
  const registered = enricher.lookup('198.51.100.7');
  assert.equal(registered.country, 'US');
  assert.equal(registered.city, null);
  const six = enricher.lookup('2001:db8::abcd');
  assert.deepEqual(six, { country: 'DE', city: null, latitude: 51, longitude: 9, asn: 64500, asOrg: 'Documentation AS' });
  const telefonica = enricher.enrich(rowWithIp('83.57.233.151'));
  assert.equal(telefonica.asn, 3352);
  assert.equal(telefonica.asOrg, 'TELEFONICA DE ESPANA S.A.U.');
  assert.equal(telefonica.country, null, 'the user database has no entry; the default is not consulted');
});

test('lookups are cached: the same IP gives the same answer object', async () => {
  const enricher = await createEnricher({ cityDb, cacheSize: 2 });
  const a = enricher.lookup('203.0.113.1');
  assert.equal(enricher.lookup('203.0.113.1'), a);
  enricher.lookup('203.0.113.2');
  enricher.lookup('203.0.113.3');
  const again = enricher.lookup('203.0.113.1');
  assert.notEqual(again, a, 'evicted beyond the cache size');
  assert.deepEqual(again, a);
});

test('a missing or invalid database gives a one-line AppError naming the setting', async () => {
  await assert.rejects(createEnricher({ cityDb: path.join(dir, 'nope.mmdb') }), (err: unknown) => {
    assert.ok(isAppError(err, 'ENRICH_DB_MISSING'));
    assert.match(err.message, /enrich\.cityDb file not found/);
    return true;
  });
  const junk = path.join(dir, 'junk.mmdb');
  await writeFile(junk, 'this is not a database');
  await assert.rejects(createEnricher({ cityDb, asnDb: junk }), (err: unknown) => {
    assert.ok(isAppError(err, 'ENRICH_DB_INVALID'));
    assert.match(err.message, /enrich\.asnDb is not a MaxMind \.mmdb database/);
    assert.ok(!/\n/.test(err.message));
    return true;
  });
});
