// One bad record never stops a rule: a lone UTF-16 surrogate in Parameters (made well-formed by the
// normaliser) or stored before that fix (the rules' JSON reads give NULL for it), then a brute force,
// against a real DuckDB file: the brute force is alerted and every later pass runs.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock, silentLogger } from '../../core/index.js';
import { normalize, type EventRow } from '../../records/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { createDetector } from './detector.js';
import { bruteForceRules, signInRecord } from './fixtures.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const MIN = 60_000;
let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-surrogate-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
});

after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const RULES = `${bruteForceRules('brute', 'Brute force')}---
title: Forwarding to an outside address
id: fwd
logsource: {product: m365, service: exchange}
detection:
  s:
    Operation: Set-Mailbox
    Parameters.ForwardingSmtpAddress|contains: '@'
  condition: s
level: high
`;

function detector() {
  const parsed = parseRuleText(RULES, 'test.yml');
  assert.deepEqual(parsed.errors, []);
  return createDetector({ store, clock: new ManualClock(T0 + 24 * 60 * MIN), logger: silentLogger, rules: parsed.rules });
}

/** The record text as a collector receives it: the surrogate as a JSON escape without its pair. */
const LONE = String.raw`{"Id":"11111111-0000-4000-8000-000000000001","RecordType":1,"CreationTime":"2026-03-02T08:59:00","Operation":"Set-Mailbox","OrganizationId":"b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd","UserType":2,"UserKey":"k","Workload":"Exchange","UserId":"admin@contoso.com","ObjectId":"x\ud800","Parameters":[{"Name":"Identity","Value":"bob\ud800"},{"Name":"ForwardingSmtpAddress","Value":"smtp:evil\udc00@evil.example"}]}`;

test('the normaliser makes a lone surrogate well-formed in the values and in the raw text kept', () => {
  const res = normalize(LONE, { tenantId: 't', contentType: 'Audit.Exchange', sourceId: 'test' });
  assert.ok(res.ok);
  assert.equal(res.row.parameters['Identity'], 'bob\uFFFD');
  assert.equal(res.row.objectId, 'x\uFFFD');
  assert.ok(!/\\u[dD][89a-fA-F]/.test(res.row.raw), res.row.raw);
  assert.equal(JSON.parse(res.row.raw).Parameters[0].Value, 'bob\uFFFD');
  // A well-formed pair is kept as it is.
  const pair = normalize(LONE.replace(String.raw`bob\ud800`, String.raw`bob\ud83d\ude00`), { tenantId: 't', contentType: 'Audit.Exchange', sourceId: 'test' });
  assert.ok(pair.ok);
  assert.equal(pair.row.parameters['Identity'], 'bob\u{1F600}');
});

async function bruteForceAfter(tenant: string, bad: EventRow, ingestedAt: number): Promise<void> {
  const rows = [bad, ...Array.from({ length: 10 }, (_, i) => signInRecord(tenant, T0 + i * 10_000))];
  await store.importRecords({ tenantId: tenant, sourceId: 'import:test', rows, rejects: [], ingestedAt });
}

test('a lone-surrogate record through the normaliser, then a brute force: both rules alert, later passes run', async () => {
  const res = normalize(LONE, { tenantId: 'a', contentType: 'Audit.Exchange', sourceId: 'test' });
  assert.ok(res.ok);
  await bruteForceAfter('a', res.row, T0 + 30 * MIN);
  const det = detector();
  const hits = (await det.hunt({ from: T0 - 60 * MIN, to: T0 + 60 * MIN })).filter((h) => h.tenantId === 'a');
  assert.deepEqual(hits.map((h) => h.ruleId).sort(), ['brute', 'fwd']);
  assert.equal(hits.find((h) => h.ruleId === 'brute')!.count, 10);
  const first = await det.runIncremental();
  assert.ok(first.some((h) => h.tenantId === 'a' && h.ruleId === 'brute'));
  assert.deepEqual(await det.runIncremental(), []);
});

test('a lone surrogate stored before the normaliser fixed it does not stop the pass: the brute force is alerted', async () => {
  const res = normalize(LONE, { tenantId: 'b', contentType: 'Audit.Exchange', sourceId: 'test' });
  assert.ok(res.ok);
  // As an older version stored it: the escapes as they came, in the JSON columns and the raw text.
  const old: EventRow = { ...res.row, parameters: { Identity: 'bob\ud800', ForwardingSmtpAddress: 'smtp:evil\udc00@evil.example' }, raw: LONE };
  await bruteForceAfter('b', old, T0 + 40 * MIN);
  const det = detector();
  const hits = (await det.hunt({ from: T0 - 60 * MIN, to: T0 + 60 * MIN })).filter((h) => h.tenantId === 'b');
  assert.ok(hits.some((h) => h.ruleId === 'brute' && h.count === 10), JSON.stringify(hits.map((h) => h.ruleId)));
  assert.ok((await det.runIncremental()).some((h) => h.tenantId === 'b' && h.ruleId === 'brute'));
});
