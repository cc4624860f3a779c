// Rule settings honoured by detection on a real DuckDB store with the built-in pack: a rule an admin
// disabled in the store does not fire in `detect` nor in the daemon's incremental passes, and fires once
// enabled again (the incremental pass reads what is ingested from then); the store's setting wins over
// config detect.disabled, and rules list says where each rule's state comes from; a rule detect.disabled
// kept from loading, enabled in the store while the daemon runs, runs from its next pass (no restart).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ManualClock, silentLogger } from '../core/index.js';
import { normalize, type EventRow } from '../records/index.js';
import type { Store } from '../store/index.js';
import { createOperations, createPipeline, openConfiguredStore, parseConfig, type Config } from './index.js';

const MFA = '60de9b57-dc4d-48b9-a6a0-b39e0469f876';
const root = mkdtempSync(join(tmpdir(), 'aw-rule-settings-'));
after(() => rmSync(root, { recursive: true, force: true }));

function mfaOff(i: number, time: string): EventRow {
  const r = normalize(
    { Id: `00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`, RecordType: 8, CreationTime: time, OrganizationId: 'b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd', UserKey: '', UserType: 0, Workload: 'AzureActiveDirectory', ClientIP: '203.0.113.77', Operation: 'Disable Strong Authentication.', UserId: `admin${i}@contoso.com` },
    { tenantId: 'contoso', contentType: null, sourceId: 'import:test' },
  );
  assert.ok(r.ok);
  return r.row;
}

let n = 0;
async function setup(extraYaml = ''): Promise<{ config: Config; store: Store; clock: ManualClock; ops: ReturnType<typeof createOperations> }> {
  const dir = join(root, `s${++n}`);
  const config = parseConfig(`store:\n  path: ${join(dir, 'store.duckdb')}\n${extraYaml}`, { file: join(dir, 'auditwatch.yaml') });
  const store = await openConfiguredStore(config);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 12));
  return { config, store, clock, ops: createOperations({ config, store, clock, logger: silentLogger }) };
}

const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-03T00:00:00Z' };
const mfaHits = (hits: { rule: string }[]) => hits.filter((h) => h.rule === MFA).length;

test('detect: a rule disabled in the store does not fire; enabled again it fires', async () => {
  const { store, ops, clock } = await setup();
  try {
    await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows: [mfaOff(1, '2026-03-02T10:00:00')], rejects: [], ingestedAt: clock.now() });
    await ops.rulesDisable({ id: MFA, changedBy: 'ada', reason: 'noisy' });
    const off = await ops.detect(range);
    assert.equal(mfaHits(off.data), 0);
    const named = await ops.detect({ ...range, rules: [MFA] });
    assert.equal(mfaHits(named.data), 0);
    assert.ok(named.warnings.some((w) => w.includes(MFA) && /disabled/.test(w)), named.warnings.join('\n'));
    await ops.rulesEnable({ id: MFA, changedBy: 'ada' });
    const on = await ops.detect(range);
    assert.equal(mfaHits(on.data), 1);
    assert.equal((await store.state.alerts.list({ ruleId: MFA })).length, 1);
  } finally {
    await store.close();
  }
});

test("the daemon's incremental passes skip a rule disabled in the store, and run it again once enabled, from then on", async () => {
  const { config, store, ops, clock } = await setup();
  try {
    const pipeline = await createPipeline(config, store, clock, silentLogger);
    await ops.rulesDisable({ id: MFA, changedBy: 'ada' });
    await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows: [mfaOff(1, '2026-03-02T10:00:00')], rejects: [], ingestedAt: clock.now() });
    assert.equal(mfaHits((await pipeline.detector.runIncremental()).map((h) => ({ rule: h.ruleId }))), 0);
    clock.advance(60_000);
    await ops.rulesEnable({ id: MFA, changedBy: 'ada' });
    await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows: [mfaOff(2, '2026-03-02T11:00:00')], rejects: [], ingestedAt: clock.now() });
    const hits = (await pipeline.detector.runIncremental()).filter((h) => h.ruleId === MFA);
    assert.equal(hits.length, 1);
    assert.deepEqual(hits[0]!.evidence, ['00000000-0000-4000-8000-000000000102'], 'the record ingested while the rule was off is not read');
    await pipeline.close();
  } finally {
    await store.close();
  }
});

test("the store's setting wins over detect.disabled; rules list says where each state comes from", async () => {
  const { store, ops, clock } = await setup(`detect:\n  disabled: ['${MFA}']\n`);
  try {
    await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows: [mfaOff(1, '2026-03-02T10:00:00')], rejects: [], ingestedAt: clock.now() });
    const before = (await ops.rulesList({})).data.rules.find((r) => r.id === MFA)!;
    assert.deepEqual([before.enabled, before.enabledFrom], [false, 'config']);
    assert.equal(mfaHits((await ops.detect(range)).data), 0);
    await ops.rulesEnable({ id: MFA, changedBy: 'ada', reason: 'needed after all' });
    const after = (await ops.rulesList({})).data.rules.find((r) => r.id === MFA)!;
    assert.deepEqual([after.enabled, after.enabledFrom, after.changedBy, after.reason], [true, 'store', 'ada', 'needed after all']);
    assert.equal(mfaHits((await ops.detect(range)).data), 1);
    await assert.rejects(ops.rulesEnable({ id: 'nope', changedBy: 'ada' }), (e: { code?: string }) => e.code === 'rule_unknown');
  } finally {
    await store.close();
  }
});

test('a rule named in detect.disabled and enabled in the store while the daemon runs: loaded before the next pass, reading from then on', async () => {
  const { config, store, ops, clock } = await setup(`detect:\n  disabled: ['${MFA}']\n`);
  try {
    const pipeline = await createPipeline(config, store, clock, silentLogger);
    assert.equal(pipeline.rules.some((r) => r.id === MFA), false, 'detect.disabled: not loaded');
    await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows: [mfaOff(1, '2026-03-02T10:00:00')], rejects: [], ingestedAt: clock.now() });
    assert.equal(mfaHits((await pipeline.detector.runIncremental()).map((h) => ({ rule: h.ruleId }))), 0);
    clock.advance(60_000);
    await ops.rulesEnable({ id: MFA, changedBy: 'ada', reason: 'needed after all' });
    await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows: [mfaOff(2, '2026-03-02T11:00:00')], rejects: [], ingestedAt: clock.now() });
    const hits = (await pipeline.detector.runIncremental()).filter((h) => h.ruleId === MFA);
    assert.equal(pipeline.rules.some((r) => r.id === MFA), true, 'loaded without a restart');
    assert.equal(hits.length, 1);
    assert.deepEqual(hits[0]!.evidence, ['00000000-0000-4000-8000-000000000102'], 'what was ingested before it was enabled is not read');
    clock.advance(60_000);
    await ops.rulesDisable({ id: MFA, changedBy: 'ada' });
    await store.importRecords({ tenantId: 'contoso', sourceId: 'import:test', rows: [mfaOff(3, '2026-03-02T12:00:00')], rejects: [], ingestedAt: clock.now() });
    assert.equal(mfaHits((await pipeline.detector.runIncremental()).map((h) => ({ rule: h.ruleId }))), 0, 'disabled in the store again: silent');
    await pipeline.close();
  } finally {
    await store.close();
  }
});
