// State conformance, alerts: records round-trip, merge/de-duplication look-up, listing, evidence and
// history (with comments), and the whole lifecycle open → ack → assign → comment → resolve → reopen as
// units of work the way the alerts part writes them.

import assert from 'node:assert/strict';
import type { AlertHistoryRecord, AlertRecord, StateRepositories } from '../types.js';
import type { StateCheck } from './state.js';
import { onTwoHandles } from './state.js';
import { BASE_TIME, HOSTILE, MINUTE, makeAlert, outboxRow } from './state-rows.js';

const entry = (at: number, action: string, from: string | null, to: string, detail: string | null = null, actor = 'analyst@contoso.com'): AlertHistoryRecord => ({ at, actor, action, from, to, detail });

/** One workflow step as the alerts part does it: the alert, its history line and its outbox rows together. */
async function step(tx: StateRepositories, next: AlertRecord, e: AlertHistoryRecord, notify: string[] = []): Promise<number> {
  await tx.alerts.update(next);
  const seq = await tx.alerts.appendHistory(next.id, e);
  await tx.outbox.enqueue(notify.map((d) => outboxRow(next.id, d, next.revision, e.at)));
  return seq;
}

export const alertChecks: StateCheck[] = [
  {
    title: 'an alert round-trips every field, hostile text included; an unknown id is null',
    async run({ state }) {
      const a = makeAlert(1, {
        title: HOSTILE.join(' | '),
        groupKey: HOSTILE[2]!,
        tags: HOSTILE,
        entities: { user: HOSTILE, none: undefined, empty: [] },
        evidence: HOSTILE,
        assignee: HOSTILE[0]!,
        suppressedBy: 'sup-1',
        firstSeen: BASE_TIME + 1,
        lastSeen: BASE_TIME + 999,
        createdAt: 0,
        updatedAt: Date.UTC(2099, 11, 31, 23, 59, 59, 999),
      });
      await state.alerts.insert(a);
      const { none: _dropped, ...entities } = a.entities;
      assert.deepEqual(await state.alerts.get(a.id), { ...a, entities });
      assert.equal(await state.alerts.get('alert-none'), null);
      await assert.rejects(state.alerts.insert(a), 'an id is inserted once');
    },
  },
  {
    title: 'update writes what can change and keeps identity, rule, group and creation',
    async run({ state }) {
      const a = makeAlert(1);
      await state.alerts.insert(a);
      const changed: AlertRecord = {
        ...a,
        ruleId: 'ignored',
        title: 'ignored',
        tenantId: 'ignored',
        groupKey: 'ignored',
        groupHash: 'ignored',
        createdAt: 1,
        severity: 'critical',
        severityRank: 4,
        tags: ['t'],
        entities: { user: ['x'] },
        firstSeen: a.firstSeen - MINUTE,
        lastSeen: a.lastSeen + 10 * MINUTE,
        count: 9,
        evidence: ['e1'],
        evidenceTotal: 7,
        status: 'acknowledged',
        assignee: 'bob',
        revision: 2,
        suppressedBy: 'sup-9',
        updatedAt: a.updatedAt + MINUTE,
      };
      await state.alerts.update(changed);
      assert.deepEqual(await state.alerts.get(a.id), { ...changed, ruleId: a.ruleId, title: a.title, tenantId: a.tenantId, groupKey: a.groupKey, groupHash: a.groupHash, createdAt: a.createdAt });
      await state.alerts.update({ ...changed, id: 'alert-none' });
      assert.equal(await state.alerts.get('alert-none'), null, 'an update never creates');
    },
  },
  {
    title: 'latestOverlapping finds the group alert whose span meets the window (bounds inclusive), latest first',
    async run({ state }) {
      const g = 'group-1';
      const older = makeAlert(1, { groupHash: g, firstSeen: BASE_TIME, lastSeen: BASE_TIME + 10 * MINUTE, createdAt: BASE_TIME + 10 * MINUTE });
      const newer = makeAlert(2, { groupHash: g, firstSeen: BASE_TIME + 5 * MINUTE, lastSeen: BASE_TIME + 20 * MINUTE, createdAt: BASE_TIME + 20 * MINUTE });
      const sameEnd = makeAlert(3, { groupHash: g, firstSeen: BASE_TIME + 6 * MINUTE, lastSeen: BASE_TIME + 20 * MINUTE, createdAt: BASE_TIME + 21 * MINUTE });
      const other = makeAlert(4, { groupHash: 'group-2', firstSeen: BASE_TIME, lastSeen: BASE_TIME + 60 * MINUTE });
      for (const a of [older, newer, sameEnd, other]) await state.alerts.insert(a);
      assert.equal((await state.alerts.latestOverlapping(g, BASE_TIME, BASE_TIME + 30 * MINUTE))?.id, sameEnd.id, 'lastSeen ties go to the later createdAt');
      assert.equal((await state.alerts.latestOverlapping(g, BASE_TIME - 5 * MINUTE, BASE_TIME + 4 * MINUTE))?.id, older.id);
      assert.equal((await state.alerts.latestOverlapping(g, BASE_TIME + 20 * MINUTE, BASE_TIME + 25 * MINUTE))?.id, sameEnd.id, 'the end is inclusive');
      assert.equal((await state.alerts.latestOverlapping(g, BASE_TIME - 9 * MINUTE, BASE_TIME))?.id, older.id, 'the start is inclusive');
      assert.equal(await state.alerts.latestOverlapping(g, BASE_TIME + 21 * MINUTE, BASE_TIME + 30 * MINUTE), null);
      assert.equal(await state.alerts.latestOverlapping('group-3', 0, Date.UTC(2100, 0, 1)), null);
    },
  },
  {
    title: 'list filters by status, minimum severity, rule and tenant, newest lastSeen first then id, with a limit',
    async run({ state }) {
      const rows = [
        makeAlert(1, { status: 'new', severityRank: 1, lastSeen: BASE_TIME + 5 * MINUTE }),
        makeAlert(2, { status: 'acknowledged', severityRank: 3, lastSeen: BASE_TIME + 9 * MINUTE }),
        makeAlert(3, { status: 'resolved', severityRank: 4, ruleId: 'rule-b', lastSeen: BASE_TIME + 9 * MINUTE }),
        makeAlert(4, { status: 'new', severityRank: 2, tenantId: 'tenant-b', lastSeen: BASE_TIME + 1 * MINUTE }),
      ];
      for (const a of rows) await state.alerts.insert(a);
      const ids = (list: AlertRecord[]) => list.map((a) => a.id);
      assert.deepEqual(ids(await state.alerts.list()), ['alert-0002', 'alert-0003', 'alert-0001', 'alert-0004']);
      assert.deepEqual(ids(await state.alerts.list({ statuses: ['new', 'acknowledged'] })), ['alert-0002', 'alert-0001', 'alert-0004']);
      assert.deepEqual(ids(await state.alerts.list({ statuses: [] })), ['alert-0002', 'alert-0003', 'alert-0001', 'alert-0004'], 'no statuses: no filter');
      assert.deepEqual(ids(await state.alerts.list({ minSeverityRank: 3 })), ['alert-0002', 'alert-0003']);
      assert.deepEqual(ids(await state.alerts.list({ ruleId: 'rule-b' })), ['alert-0003']);
      assert.deepEqual(ids(await state.alerts.list({ tenantId: 'tenant-b', statuses: ['new'] })), ['alert-0004']);
      assert.deepEqual(ids(await state.alerts.list({ limit: 2 })), ['alert-0002', 'alert-0003']);
      assert.deepEqual(await state.alerts.list({ ruleId: "x' OR '1'='1" }), []);
    },
  },
  {
    title: 'list filters by assignee and time span, sorts four ways, pages by offset; count and summary agree',
    async run({ state }) {
      const rows = [
        makeAlert(1, { status: 'new', severity: 'low', severityRank: 1, count: 5, assignee: 'ann', firstSeen: BASE_TIME, lastSeen: BASE_TIME + 5 * MINUTE }),
        makeAlert(2, { status: 'acknowledged', severity: 'high', severityRank: 3, count: 1, assignee: null, firstSeen: BASE_TIME + 86_400_000, lastSeen: BASE_TIME + 86_400_000 + 9 * MINUTE }),
        makeAlert(3, { status: 'resolved', severity: 'critical', severityRank: 4, count: 9, assignee: 'bob', firstSeen: BASE_TIME + 86_400_000, lastSeen: BASE_TIME + 86_400_000 + 20 * MINUTE }),
        makeAlert(4, { status: 'new', severity: 'high', severityRank: 3, count: 2, assignee: 'ann', firstSeen: BASE_TIME - 3 * 86_400_000, lastSeen: BASE_TIME - 3 * 86_400_000 }),
      ];
      for (const a of rows) await state.alerts.insert(a);
      const ids = (list: AlertRecord[]) => list.map((a) => a.id);
      assert.deepEqual(ids(await state.alerts.list({ assignee: 'ann' })), ['alert-0001', 'alert-0004']);
      assert.deepEqual(ids(await state.alerts.list({ assignee: null })), ['alert-0002'], 'null: unassigned only');
      assert.deepEqual(ids(await state.alerts.list({ lastSeenFrom: BASE_TIME + 5 * MINUTE })), ['alert-0003', 'alert-0002', 'alert-0001'], 'the start is inclusive');
      assert.deepEqual(ids(await state.alerts.list({ firstSeenTo: BASE_TIME })), ['alert-0001', 'alert-0004'], 'the end is inclusive');
      assert.deepEqual(ids(await state.alerts.list({ sort: 'oldest' })), ['alert-0004', 'alert-0001', 'alert-0002', 'alert-0003']);
      assert.deepEqual(ids(await state.alerts.list({ sort: 'severity' })), ['alert-0003', 'alert-0002', 'alert-0004', 'alert-0001']);
      assert.deepEqual(ids(await state.alerts.list({ sort: 'count' })), ['alert-0003', 'alert-0001', 'alert-0004', 'alert-0002']);
      assert.deepEqual(ids(await state.alerts.list({ limit: 2, offset: 1 })), ['alert-0002', 'alert-0001']);
      assert.deepEqual(ids(await state.alerts.list({ limit: 2, offset: 4 })), []);
      assert.equal(await state.alerts.count(), 4);
      assert.equal(await state.alerts.count({ statuses: ['new'], limit: 1, offset: 3 }), 2, 'count ignores paging');
      assert.equal(await state.alerts.count({ assignee: "x' OR '1'='1" }), 0);
      const s = await state.alerts.summary(BASE_TIME - 86_400_000);
      const bySev = Object.fromEntries(s.openBySeverity.map((x) => [x.severity, x.count]));
      assert.deepEqual(bySev, { low: 1, high: 2 }, 'open = new and acknowledged, every day');
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      assert.deepEqual(
        [...s.perDay].sort((a, b) => (a.day + a.severity).localeCompare(b.day + b.severity)),
        [
          { day: day(BASE_TIME), severity: 'low', count: 1 },
          { day: day(BASE_TIME + 86_400_000), severity: 'critical', count: 1 },
          { day: day(BASE_TIME + 86_400_000), severity: 'high', count: 1 },
        ],
        'per UTC day of firstSeen since the start, any status',
      );
    },
  },
  {
    title: 'evidence is kept once per alert, and known evidence is found among many ids',
    async run({ state }) {
      const many = Array.from({ length: 1500 }, (_, i) => `rec-${i}`);
      await state.alerts.addEvidence('alert-1', many.slice(0, 1000));
      await state.alerts.addEvidence('alert-1', [...many.slice(900, 1500), 'rec-0', 'rec-0']);
      await state.alerts.addEvidence('alert-2', ['rec-7', HOSTILE[2]!]);
      await state.alerts.addEvidence('alert-2', []);
      const known = await state.alerts.knownEvidence('alert-1', [...many, 'rec-x']);
      assert.equal(known.size, 1500);
      assert.ok(!known.has('rec-x'));
      assert.deepEqual([...(await state.alerts.knownEvidence('alert-2', ['rec-7', 'rec-8', HOSTILE[2]!]))].sort(), [HOSTILE[2]!, 'rec-7'].sort());
      assert.equal((await state.alerts.knownEvidence('alert-3', many)).size, 0);
      assert.equal((await state.alerts.knownEvidence('alert-1', [])).size, 0);
    },
  },
  {
    title: 'history numbers entries 1, 2, 3 per alert and reads them back oldest first, comments included',
    async run({ state }) {
      const a = makeAlert(1);
      await state.alerts.insert(a);
      assert.equal(await state.alerts.appendHistory(a.id, entry(BASE_TIME, 'open', null, 'new', null, 'system')), 1);
      assert.equal(await state.alerts.appendHistory('alert-other', entry(BASE_TIME, 'open', null, 'new')), 1);
      assert.equal(await state.alerts.appendHistory(a.id, entry(BASE_TIME + 2, 'comment', 'new', 'new', HOSTILE.join('\n'))), 2);
      // An entry earlier in time still comes after: order is the sequence, not the clock.
      assert.equal(await state.alerts.appendHistory(a.id, entry(BASE_TIME + 1, 'ack', 'new', 'acknowledged')), 3);
      assert.deepEqual(await state.alerts.history(a.id), [
        entry(BASE_TIME, 'open', null, 'new', null, 'system'),
        entry(BASE_TIME + 2, 'comment', 'new', 'new', HOSTILE.join('\n')),
        entry(BASE_TIME + 1, 'ack', 'new', 'acknowledged'),
      ]);
      assert.deepEqual(await state.alerts.history('alert-none'), []);
    },
  },
  {
    title: 'concurrent history appends get distinct, gap-free numbers',
    async run(h) {
      await h.state.alerts.insert(makeAlert(1));
      const seqs = await onTwoHandles(h, (s, i) => s.unitOfWork((tx) => tx.alerts.appendHistory('alert-0001', entry(BASE_TIME + i, 'comment', 'new', 'new', `c${i}`))), 16);
      assert.deepEqual([...seqs].sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => i + 1));
      const history = await h.state.alerts.history('alert-0001');
      assert.equal(history.length, 16);
      assert.deepEqual(new Set(history.map((e) => e.detail)).size, 16);
    },
  },
  {
    title: 'the lifecycle: open, merge a later hit, ack, assign, comment, resolve, reopen by new evidence',
    async run({ state }) {
      let a = makeAlert(1, { groupHash: 'g' });
      // Open: the alert, its evidence, its first history line and one outbox row per destination.
      await state.unitOfWork(async (tx) => {
        assert.equal(await tx.alerts.latestOverlapping('g', a.firstSeen, a.lastSeen), null);
        await tx.alerts.insert(a);
        await tx.alerts.addEvidence(a.id, a.evidence);
        await tx.alerts.appendHistory(a.id, entry(a.createdAt, 'open', null, 'new', null, 'system'));
        await tx.outbox.enqueue([outboxRow(a.id, 'soc-webhook'), outboxRow(a.id, 'soc-email')]);
      });
      // A later hit of the same group within the window merges: new evidence counted, no new alert.
      await state.unitOfWork(async (tx) => {
        const found = await tx.alerts.latestOverlapping('g', a.lastSeen, a.lastSeen + 5 * MINUTE);
        assert.equal(found?.id, a.id);
        const fresh = ['rec-1-2', 'rec-1-3'];
        const known = await tx.alerts.knownEvidence(a.id, fresh);
        const added = fresh.filter((id) => !known.has(id));
        assert.deepEqual(added, ['rec-1-3']);
        await tx.alerts.addEvidence(a.id, added);
        a = { ...a, lastSeen: a.lastSeen + 5 * MINUTE, count: a.count + 2, evidence: [...a.evidence, ...added], evidenceTotal: a.evidenceTotal + added.length, updatedAt: a.updatedAt + MINUTE };
        await tx.alerts.update(a);
      });
      const t = a.updatedAt;
      await state.unitOfWork((tx) => step(tx, (a = { ...a, status: 'acknowledged', updatedAt: t + 1 }), entry(t + 1, 'ack', 'new', 'acknowledged')));
      await state.unitOfWork((tx) => step(tx, (a = { ...a, assignee: 'bob', updatedAt: t + 2 }), entry(t + 2, 'assign', 'acknowledged', 'acknowledged', 'nobody → bob')));
      await state.unitOfWork((tx) => step(tx, { ...a, updatedAt: t + 3 }, entry(t + 3, 'comment', 'acknowledged', 'acknowledged', 'looked at the sign-ins')));
      await state.unitOfWork((tx) => step(tx, (a = { ...a, status: 'resolved', updatedAt: t + 4 }), entry(t + 4, 'resolve', 'acknowledged', 'resolved', 'password reset')));
      const seq = await state.unitOfWork((tx) => step(tx, (a = { ...a, status: 'new', revision: 2, updatedAt: t + 5 }), entry(t + 5, 'reopen', 'resolved', 'new', 'new evidence', 'system'), ['soc-webhook', 'soc-email']));
      assert.equal(seq, 6);
      assert.deepEqual(await state.alerts.get(a.id), { ...a, updatedAt: t + 5 });
      assert.deepEqual((await state.alerts.history(a.id)).map((e) => `${e.action}:${e.from ?? '-'}>${e.to}`), [
        'open:->new',
        'ack:new>acknowledged',
        'assign:acknowledged>acknowledged',
        'comment:acknowledged>acknowledged',
        'resolve:acknowledged>resolved',
        'reopen:resolved>new',
      ]);
      assert.equal((await state.alerts.knownEvidence(a.id, ['rec-1-1', 'rec-1-2', 'rec-1-3'])).size, 3);
      const outbox = await state.outbox.list({ alertId: a.id });
      assert.deepEqual(outbox.map((r) => `${r.destination}@${r.revision}`), ['soc-email@1', 'soc-webhook@1', 'soc-email@2', 'soc-webhook@2']);
      assert.ok(outbox.every((r) => r.status === 'pending' && r.attempts === 0));
      assert.equal((await state.alerts.list({ statuses: ['new'] })).length, 1);
    },
  },
];
