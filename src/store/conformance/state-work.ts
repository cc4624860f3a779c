// State conformance, the unit of work: what it writes through every repository commits together, and
// nothing of it when it throws (its own error or a failing statement); others see it only once committed.

import assert from 'node:assert/strict';
import type { StatePort, StateRepositories } from '../types.js';
import type { StateCheck } from './state.js';
import { onTwoHandles } from './state.js';
import { BASE_TIME, makeAlert, outboxRow } from './state-rows.js';

/** Writes through every repository of the state port but identities (their own check below: an engine may keep them elsewhere). */
async function writeEverything(tx: StateRepositories): Promise<number> {
  const a = makeAlert(1);
  await tx.alerts.insert(a);
  await tx.alerts.addEvidence(a.id, ['rec-1', 'rec-2']);
  const seq = await tx.alerts.appendHistory(a.id, { at: BASE_TIME, actor: 'system', action: 'open', from: null, to: 'new', detail: null });
  await tx.outbox.enqueue([outboxRow(a.id, 'soc-webhook')]);
  await tx.suppressions.insert({ id: 'sup-1', ruleId: null, tenantId: 'tenant-a', entities: ['user1@contoso.com'], reason: 'test', createdBy: 'me', createdAt: BASE_TIME, expiresAt: null });
  await tx.detection.setWatermarks(['rule-a', 'rule-b'], BASE_TIME, BASE_TIME);
  await tx.detection.recordEvidence('rule-a', [{ tenantId: 'tenant-a', eventId: 'ev-1', groupKey: 'g' }], BASE_TIME);
  assert.equal(await tx.reportRuns.claim({ schedule: 'daily', dueAt: BASE_TIME, report: 'signins', status: 'running', at: BASE_TIME }), true);
  await tx.collector.save([{ tenantId: 'tenant-a', contentType: 'Audit.Exchange', subscription: 'enabled', lastError: null, lastSuccess: BASE_TIME }], BASE_TIME);
  assert.equal(await tx.accounts.put({ name: 'alice', role: 'admin', passwordHash: 'scrypt$x', createdAt: BASE_TIME, changedAt: BASE_TIME }), true);
  return seq;
}

/** What writeEverything left, read through the port. */
async function everything(s: StatePort): Promise<Record<string, number>> {
  return {
    alerts: (await s.alerts.list()).length,
    evidence: (await s.alerts.knownEvidence('alert-0001', ['rec-1', 'rec-2'])).size,
    history: (await s.alerts.history('alert-0001')).length,
    outbox: (await s.outbox.list()).length,
    suppressions: (await s.suppressions.list()).length,
    watermarks: (await s.detection.watermarks()).size,
    detectionEvidence: (await s.detection.knownEvidence('rule-a', ['ev-1'])).length,
    reportRuns: (await s.reportRuns.lastDue('daily')) === null ? 0 : 1,
    collector: (await s.collector.load()).length,
    accounts: (await s.accounts.list()).length,
  };
}

const NOTHING = { alerts: 0, evidence: 0, history: 0, outbox: 0, suppressions: 0, watermarks: 0, detectionEvidence: 0, reportRuns: 0, collector: 0, accounts: 0 };
const ALL = { alerts: 1, evidence: 2, history: 1, outbox: 1, suppressions: 1, watermarks: 2, detectionEvidence: 1, reportRuns: 1, collector: 1, accounts: 1 };

export const workChecks: StateCheck[] = [
  {
    title: 'a unit of work that throws leaves nothing in any repository, and the same unit then commits whole',
    async run({ state }) {
      const boom = new Error('abort the unit');
      await assert.rejects(
        state.unitOfWork(async (tx) => {
          await writeEverything(tx);
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.deepEqual(await everything(state), NOTHING);
      const seq = await state.unitOfWork(writeEverything);
      assert.equal(seq, 1, 'a rolled-back history line leaves no gap in the numbering');
      assert.deepEqual(await everything(state), ALL);
    },
  },
  {
    title: 'identities written in a unit of work that throws are rolled back with it',
    async run({ state }) {
      const change = { add: [{ value: 'user1@contoso.com', kind: 'upn', personId: 'p1' }], relabel: [], ambiguous: [] };
      await assert.rejects(
        state.unitOfWork(async (tx) => {
          await tx.identities.apply('tenant-a', change, BASE_TIME);
          await tx.alerts.insert(makeAlert(1));
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.deepEqual(await state.identities.lookup('tenant-a', ['user1@contoso.com']), []);
      assert.equal(await state.alerts.get('alert-0001'), null);
    },
  },
  {
    title: 'a statement failing inside a unit of work rolls back what the unit wrote before it',
    async run({ state }) {
      await state.alerts.insert(makeAlert(9));
      await assert.rejects(
        state.unitOfWork(async (tx) => {
          await writeEverything(tx);
          await tx.alerts.insert(makeAlert(9));
        }),
      );
      assert.deepEqual(await everything(state), { ...NOTHING, alerts: 1 });
      assert.equal((await state.alerts.get('alert-0009'))?.id, 'alert-0009', 'what was committed before stays');
      assert.equal(await state.unitOfWork(async () => 'result'), 'result');
    },
  },
  {
    title: 'a unit of work is invisible to others until it commits, and visible to itself',
    async run(h) {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const wrote = new Promise<void>((r) => (written = r));
      const unit = h.state.unitOfWork(async (tx) => {
        await tx.alerts.insert(makeAlert(1));
        await tx.outbox.enqueue([outboxRow('alert-0001', 'd')]);
        assert.equal((await tx.alerts.get('alert-0001'))?.id, 'alert-0001');
        assert.equal((await tx.outbox.list()).length, 1);
        written();
        await gate;
      });
      await wrote;
      await onTwoHandles(h, async (s) => {
        assert.equal(await s.alerts.get('alert-0001'), null);
        assert.deepEqual(await s.outbox.list(), []);
      });
      release();
      await unit;
      assert.equal((await h.state.alerts.get('alert-0001'))?.id, 'alert-0001');
    },
  },
  {
    title: 'concurrent units of work on different alerts all commit',
    async run(h) {
      await onTwoHandles(
        h,
        (s, i) =>
          s.unitOfWork(async (tx) => {
            const a = makeAlert(i);
            await tx.alerts.insert(a);
            await tx.alerts.appendHistory(a.id, { at: BASE_TIME, actor: 'system', action: 'open', from: null, to: 'new', detail: null });
            await tx.outbox.enqueue([outboxRow(a.id, 'd')]);
          }),
        8,
      );
      assert.equal((await h.state.alerts.list()).length, 8);
      assert.equal((await h.state.outbox.list()).length, 8);
      for (let i = 0; i < 8; i++) assert.equal((await h.state.alerts.history(makeAlert(i).id)).length, 1);
    },
  },
];
