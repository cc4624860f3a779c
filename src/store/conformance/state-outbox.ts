// State conformance, the outbox: a delivery is queued once per (alert, destination, revision), marked
// delivered once however many workers race for it, retried with the whole destination backing off,
// given up ('failed', the dead state) for good; due times and statistics for the worker and status.

import assert from 'node:assert/strict';
import type { OutboxKey } from '../types.js';
import type { StateCheck } from './state.js';
import { onTwoHandles } from './state.js';
import { BASE_TIME, MINUTE, outboxRow } from './state-rows.js';

const key = (alertId: string, destination: string, revision = 1): OutboxKey => ({ alertId, destination, revision });

export const outboxChecks: StateCheck[] = [
  {
    title: 'outbox: a row is queued once per alert, destination and revision; rows read back whole, oldest first',
    async run({ state }) {
      const r1 = outboxRow('a1', 'hook', 1, BASE_TIME + 2);
      assert.equal(await state.outbox.enqueue([r1, outboxRow('a1', 'mail', 1, BASE_TIME + 1), outboxRow('a1', 'hook', 2, BASE_TIME + 2)]), 3);
      assert.equal(await state.outbox.enqueue([{ ...r1, payload: 'changed' }, outboxRow('a2', 'hook', 1, BASE_TIME)]), 1, 'the queued row is not replaced');
      assert.equal(await state.outbox.enqueue([]), 0);
      const rows = await state.outbox.list();
      assert.deepEqual(rows.map((r) => `${r.alertId}/${r.destination}/${r.revision}`), ['a2/hook/1', 'a1/mail/1', 'a1/hook/1', 'a1/hook/2']);
      assert.deepEqual(rows[2], {
        alertId: 'a1',
        destination: 'hook',
        revision: 1,
        idempotencyKey: r1.idempotencyKey,
        payload: r1.payload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: r1.at,
        firstFailedAt: null,
        lastError: null,
        createdAt: r1.at,
        deliveredAt: null,
      });
      assert.deepEqual((await state.outbox.list({ alertId: 'a2' })).map((r) => r.alertId), ['a2']);
      assert.deepEqual((await state.outbox.list({ dueBy: BASE_TIME + 1 })).length, 2);
      assert.deepEqual((await state.outbox.list({ limit: 1 })).map((r) => r.alertId), ['a2']);
      assert.equal((await state.outbox.list({ status: 'delivered' })).length, 0);
    },
  },
  {
    title: 'outbox: a pending row is marked delivered once; a delivered or failed row cannot be marked again',
    async run({ state }) {
      await state.outbox.enqueue([outboxRow('a1', 'hook'), outboxRow('a1', 'mail')]);
      assert.equal(await state.outbox.markDelivered(key('a1', 'hook'), { at: BASE_TIME + 5, attempts: 1 }), true);
      assert.equal(await state.outbox.markDelivered(key('a1', 'hook'), { at: BASE_TIME + 6, attempts: 2 }), false);
      assert.equal(await state.outbox.markFailed(key('a1', 'hook'), { at: BASE_TIME + 6, attempts: 2, error: 'x', giveUp: true, nextAttemptAt: BASE_TIME + 6 }), false);
      assert.equal(await state.outbox.markDelivered(key('a1', 'none'), { at: BASE_TIME, attempts: 1 }), false);
      const [row] = await state.outbox.list({ status: 'delivered' });
      assert.deepEqual({ status: row?.status, attempts: row?.attempts, deliveredAt: row?.deliveredAt, lastError: row?.lastError }, { status: 'delivered', attempts: 1, deliveredAt: BASE_TIME + 5, lastError: null });
      assert.equal(await state.outbox.enqueue([outboxRow('a1', 'hook')]), 0, 'a delivered row is never queued again');
    },
  },
  {
    title: 'outbox: workers racing to mark the same row delivered: exactly one wins',
    async run(h) {
      await h.state.outbox.enqueue([outboxRow('a1', 'hook')]);
      const wins = await onTwoHandles(h, (s, i) => s.outbox.markDelivered(key('a1', 'hook'), { at: BASE_TIME + i, attempts: 1 }), 12);
      assert.equal(wins.filter(Boolean).length, 1);
      const queued = await onTwoHandles(h, (s) => s.outbox.enqueue([outboxRow('a9', 'hook')]), 12);
      assert.equal(queued.reduce((x, y) => x + y, 0), 1, 'racing enqueues of one row queue it once');
    },
  },
  {
    title: 'outbox: a failed attempt is retried later and defers the destination; giving up makes the row failed for good',
    async run({ state }) {
      await state.outbox.enqueue([outboxRow('a1', 'hook', 1, BASE_TIME), outboxRow('a2', 'hook', 1, BASE_TIME + 1), outboxRow('a3', 'hook', 1, BASE_TIME + 30 * MINUTE), outboxRow('a1', 'mail', 1, BASE_TIME)]);
      assert.equal(await state.outbox.nextDue(), BASE_TIME);
      const retryAt = BASE_TIME + 10 * MINUTE;
      assert.equal(await state.outbox.markFailed(key('a1', 'hook'), { at: BASE_TIME + 5, attempts: 1, error: 'HTTP 503', giveUp: false, nextAttemptAt: retryAt }), true);
      const due = new Map((await state.outbox.list()).map((r) => [`${r.alertId}/${r.destination}`, r]));
      assert.equal(due.get('a1/hook')?.nextAttemptAt, retryAt);
      assert.equal(due.get('a1/hook')?.status, 'pending');
      assert.equal(due.get('a1/hook')?.firstFailedAt, BASE_TIME + 5);
      assert.equal(due.get('a1/hook')?.lastError, 'HTTP 503');
      assert.equal(due.get('a2/hook')?.nextAttemptAt, retryAt, 'other rows of the destination back off too');
      assert.equal(due.get('a3/hook')?.nextAttemptAt, BASE_TIME + 30 * MINUTE, 'a row due later keeps its time');
      assert.equal(due.get('a1/mail')?.nextAttemptAt, BASE_TIME, 'other destinations are not held up');
      assert.equal(await state.outbox.nextDue(), BASE_TIME);
      assert.deepEqual((await state.outbox.list({ dueBy: BASE_TIME + MINUTE })).map((r) => r.destination), ['mail']);
      // The second failure keeps the first failure's time; giving up is final.
      assert.equal(await state.outbox.markFailed(key('a1', 'hook'), { at: retryAt, attempts: 2, error: 'HTTP 500', giveUp: true, nextAttemptAt: retryAt }), true);
      const [dead] = await state.outbox.list({ status: 'failed' });
      assert.deepEqual({ id: dead?.alertId, attempts: dead?.attempts, first: dead?.firstFailedAt, error: dead?.lastError }, { id: 'a1', attempts: 2, first: BASE_TIME + 5, error: 'HTTP 500' });
      assert.equal(await state.outbox.markDelivered(key('a1', 'hook'), { at: retryAt, attempts: 3 }), false);
      assert.equal(await state.outbox.markFailed(key('a1', 'hook'), { at: retryAt, attempts: 3, error: 'again', giveUp: false, nextAttemptAt: retryAt }), false);
      await state.outbox.markDelivered(key('a1', 'mail'), { at: BASE_TIME + 1, attempts: 1 });
      await state.outbox.markDelivered(key('a2', 'hook'), { at: BASE_TIME + 2, attempts: 1 });
      await state.outbox.markDelivered(key('a3', 'hook'), { at: BASE_TIME + 3, attempts: 1 });
      assert.equal(await state.outbox.nextDue(), null, 'nothing pending');
    },
  },
  {
    title: 'outbox: statistics count rows per destination and status, and list what is not delivered or delivered lately',
    async run({ state }) {
      await state.outbox.enqueue([outboxRow('a1', 'hook'), outboxRow('a2', 'hook'), outboxRow('a3', 'hook'), outboxRow('a1', 'mail')]);
      await state.outbox.markDelivered(key('a1', 'hook'), { at: BASE_TIME + 10, attempts: 1 });
      await state.outbox.markDelivered(key('a2', 'hook'), { at: BASE_TIME + 100, attempts: 1 });
      await state.outbox.markFailed(key('a1', 'mail'), { at: BASE_TIME, attempts: 5, error: 'refused', giveUp: true, nextAttemptAt: BASE_TIME });
      const { totals, recent } = await state.outbox.stats(BASE_TIME + 50);
      const sorted = [...totals].sort((x, y) => `${x.destination}${x.status}`.localeCompare(`${y.destination}${y.status}`));
      assert.deepEqual(sorted, [
        { destination: 'hook', status: 'delivered', count: 2 },
        { destination: 'hook', status: 'pending', count: 1 },
        { destination: 'mail', status: 'failed', count: 1 },
      ]);
      assert.deepEqual(recent.map((r) => `${r.alertId}/${r.destination}/${r.status}`).sort(), ['a1/mail/failed', 'a2/hook/delivered', 'a3/hook/pending']);
    },
  },
];
