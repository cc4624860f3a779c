// A generated week of a 500-user tenant: the normaliser accepts every record, identities learned from
// the log resolve every form a scenario writes a user in, memory stays bounded, and the address blocks
// the tenant draws from are placed in their countries by GeoLite2. Figures go to the test diagnostics.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng, DAY } from '../../core/index.js';
import { CONTENT_TYPES, createEnricher, extractIdentities, normalize, type EventRow } from '../../records/index.js';
import { COUNTRIES } from './data.js';
import { addressIn } from './directory.js';
import { createContentSource } from './index.js';

const START = Date.UTC(2026, 2, 16, 9, 0, 0);

test('a generated week of a 500-user tenant passes the normaliser with zero rejections', (t) => {
  const src = createContentSource({ seed: 1, days: 7, users: 500, tenants: 1, scenarios: 'all', live: false, startTime: START, cacheChars: 8_000_000 });
  const tenantId = src.tenants()[0]!.tenantId;
  const now = START + DAY;
  const started = process.hrtime.bigint();
  let records = 0;
  let chars = 0;
  let peakHeap = 0;
  const rejections: string[] = [];
  const rows: EventRow[] = [];
  const ids = new Set<string>();
  const servedIds = new Set<string>(); // in blobs not expired at `now`: what the API serves then
  for (const contentType of CONTENT_TYPES) {
    for (let from = START - 8 * DAY; from <= now; from += DAY) {
      for (const meta of src.listBlobs(tenantId, contentType, from, from + DAY, now)) {
        const blob = src.blobContent(tenantId, meta.contentId)!;
        chars += blob.body.length;
        const parsed = JSON.parse(blob.body) as unknown[];
        records += parsed.length;
        for (const raw of parsed) {
          const result = normalize(raw, { tenantId, contentType, sourceId: meta.contentId });
          if (!result.ok) rejections.push(result.rejection.reason);
          else if (meta.contentExpiration > now) servedIds.add(result.row.id);
          if (!result.ok) continue;
          if (!ids.has(result.row.id)) {
            ids.add(result.row.id);
            if (result.row.recordType === 1 || result.row.recordType === 15 || result.row.recordType === 50 || result.row.recordType === 2) rows.push(result.row);
          }
        }
      }
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  t.diagnostic(`records ${records} (unique ${ids.size}), ${(chars / 1e6).toFixed(1)} MB of JSON, ${Math.round(records / seconds)} records/s generated+parsed+normalised, peak heap ${Math.round(peakHeap / 1e6)} MB`);
  assert.deepEqual(rejections.slice(0, 5), []);
  assert.ok(records > 50_000, `a busy week (${records} records)`);
  assert.ok(peakHeap < 1_000_000_000, 'memory stays bounded');
  const available = Object.values(src.groundTruth(now).available[tenantId]!).reduce((n, l) => n + l.length, 0);
  assert.equal(available, servedIds.size, 'the ground truth counts exactly the unique records served (published, not expired)');

  // Identities learned from the log tie every form a self-grant writes `User` in back to the actor.
  const known = new Map<string, string>();
  for (const row of rows) {
    for (const f of extractIdentities(row)) {
      if (f.a.kind === 'upn') known.set(`${f.b.kind}:${f.b.value}`, f.a.value);
      if (f.b.kind === 'upn') known.set(`${f.a.kind}:${f.a.value}`, f.b.value);
    }
  }
  for (const u of src.states[0]!.dir.admins) {
    assert.equal(known.get(`alias:${u.alias}`), u.upn, `alias of ${u.upn}`);
    assert.equal(known.get(`objectId:${u.objectId}`), u.upn, `object id of ${u.upn}`);
    assert.ok([...known].some(([k, v]) => k.startsWith('displayName:') && v === u.upn), `display name of ${u.upn}`);
  }
});

test('the address blocks the tenants draw from are placed in their countries by GeoLite2', async () => {
  const enricher = await createEnricher();
  const rng = new Rng('geo-check');
  for (const c of Object.values(COUNTRIES)) {
    for (const block of [...c.isp, ...c.cloud]) {
      for (let i = 0; i < 40; i++) {
        const ip = addressIn(rng, [block]);
        assert.equal(enricher.lookup(ip).country, c.code, `${ip} (block ${block.join('.')}) should be in ${c.code}`);
      }
    }
  }
});
