// The workflow state machine alone: every allowed transition, every refusal, and the reopen rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../core/index.js';
import { transition } from './state.js';
import type { WorkflowState } from './types.js';

const s = (status: WorkflowState['status'], assignee: string | null = null, revision = 1): WorkflowState => ({ status, assignee, revision });
const AT = Date.UTC(2026, 0, 5);

test('new → acknowledged → resolved, with history entries naming who, what, when, from and to', () => {
  const a = transition(s('new'), { type: 'ack', actor: 'ann' }, AT);
  assert.deepEqual(a.state, s('acknowledged'));
  assert.deepEqual(a.entry, { at: AT, actor: 'ann', action: 'ack', from: 'new', to: 'acknowledged', detail: null });
  const r = transition(a.state, { type: 'resolve', actor: 'bob', comment: 'reset password' }, AT + 1);
  assert.equal(r.state.status, 'resolved');
  assert.deepEqual(r.entry, { at: AT + 1, actor: 'bob', action: 'resolve', from: 'acknowledged', to: 'resolved', detail: 'reset password' });
  assert.equal(r.notify, false);
});

test('assign keeps the status and records old → new assignee; comment changes nothing but history', () => {
  const a = transition(s('new'), { type: 'assign', actor: 'ann', assignee: 'carol' }, AT);
  assert.deepEqual(a.state, s('new', 'carol'));
  assert.equal(a.entry.detail, 'nobody → carol');
  const c = transition(a.state, { type: 'comment', actor: 'carol', text: 'looking' }, AT);
  assert.deepEqual(c.state, a.state);
  assert.equal(c.entry.detail, 'looking');
  assert.throws(() => transition(a.state, { type: 'comment', actor: 'x', text: '  ' }, AT), AppError);
});

test('new → false positive directly; resolved may be re-marked as false positive', () => {
  assert.equal(transition(s('new'), { type: 'false_positive', actor: 'a' }, AT).state.status, 'false_positive');
  assert.equal(transition(s('resolved'), { type: 'false_positive', actor: 'a' }, AT).state.status, 'false_positive');
});

test('refusals: ack twice, ack/assign/resolve a closed alert, reopen an open one', () => {
  const refuse = (st: WorkflowState, ev: Parameters<typeof transition>[1]) =>
    assert.throws(() => transition(st, ev, AT), (e: unknown) => e instanceof AppError && e.code === 'alert_state' && !/\n/.test(e.message));
  refuse(s('acknowledged'), { type: 'ack', actor: 'a' });
  refuse(s('resolved'), { type: 'ack', actor: 'a' });
  refuse(s('false_positive'), { type: 'assign', actor: 'a', assignee: 'b' });
  refuse(s('resolved'), { type: 'resolve', actor: 'a' });
  refuse(s('new'), { type: 'reopen', actor: 'a', reason: 'x' });
  refuse(s('false_positive'), { type: 'false_positive', actor: 'a' });
});

test('reopen rules: the system reopens resolved (new revision, notify); a person reopens without notifying; the system never reopens a false positive', () => {
  const sys = transition(s('resolved', 'ann', 1), { type: 'reopen', actor: 'system', reason: 'new evidence' }, AT);
  assert.deepEqual(sys.state, s('new', 'ann', 2));
  assert.equal(sys.notify, true);
  assert.equal(sys.entry.from, 'resolved');
  const person = transition(s('false_positive', null, 3), { type: 'reopen', actor: 'ann', reason: 'was real' }, AT);
  assert.deepEqual(person.state, s('new', null, 3));
  assert.equal(person.notify, false);
  assert.throws(() => transition(s('false_positive'), { type: 'reopen', actor: 'system', reason: 'x' }, AT), AppError);
});

test('escalation bumps the revision and notifies unless the alert is a false positive', () => {
  const e = transition(s('acknowledged', null, 1), { type: 'escalate', actor: 'system', from: 'medium', to: 'high' }, AT);
  assert.deepEqual(e.state, s('acknowledged', null, 2));
  assert.equal(e.notify, true);
  assert.equal(transition(s('false_positive'), { type: 'escalate', actor: 'system', from: 'low', to: 'high' }, AT).notify, false);
});

test('a history detail is bounded', () => {
  const c = transition(s('new'), { type: 'comment', actor: 'a', text: 'x'.repeat(1_000_000) }, AT);
  assert.ok(c.entry.detail!.length <= 2000);
});
