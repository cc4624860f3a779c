// The store-ingest bench stays runnable and honest: every synthetic record lands once, re-deliveries
// are dropped, figures are reported. (Speed itself is for `npm run bench`, not a test.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchStoreIngest } from './store-ingest.js';

test('benchStoreIngest stores each synthetic record once and reports its figures', async () => {
  const r = await benchStoreIngest({ records: 3000, blobSize: 500 });
  assert.equal(r.records, 3000);
  assert.equal(r.inserted, 3000);
  assert.ok(r.duplicates > 0, 'some re-delivered records were dropped');
  assert.ok(r.recordsPerSecond > 0 && r.peakRssMb > 0 && (r.fileMb ?? 0) >= 0);
});

test('benchStoreIngest through one ingest session, committed every 1,200 rows, also stores each record once', async () => {
  const r = await benchStoreIngest({ records: 3000, blobSize: 500, transactionRows: 1200 });
  assert.equal(r.inserted, 3000);
  assert.ok(r.duplicates > 0, 're-delivered records were dropped, within a transaction and across them');
});
