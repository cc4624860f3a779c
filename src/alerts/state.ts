// The alert workflow as a pure function: (state, event, time) → (new state, history entry, notify?).
// No I/O and no clock: the service reads the alert, calls transition(), and writes both results in one
// transaction. Reopen rules (also in the README):
//   - a person may reopen a resolved or false-positive alert (`alerts reopen`); it goes back to `new`
//     without a new notification;
//   - new evidence within the window reopens a *resolved* alert (actor `system`) and notifies again;
//   - new evidence never reopens a *false_positive* alert: it is counted, silently;
//   - a severity rise (a later hit of a higher severity) notifies again and keeps the status.

import { AppError, truncate } from '../core/index.js';
import type { AlertStatus, HistoryEntry, WorkflowEvent, WorkflowState } from './types.js';

export interface Transition {
  state: WorkflowState;
  entry: HistoryEntry;
  /** True when the change must reach the destinations again (the revision was bumped). */
  notify: boolean;
}

const OPEN: readonly AlertStatus[] = ['new', 'acknowledged'];
const DETAIL_MAX = 2000;

function refuse(status: AlertStatus, action: string, fix: string): never {
  throw new AppError('alert_state', `The alert is ${status.replace('_', ' ')}, so it cannot be ${action}; ${fix}.`);
}

export function transition(state: WorkflowState, event: WorkflowEvent, at: number): Transition {
  const from = state.status;
  let next: WorkflowState = state;
  let detail: string | null = null;
  let notify = false;
  switch (event.type) {
    case 'ack':
      if (from === 'acknowledged') refuse(from, 'acknowledged again', 'it already is');
      if (!OPEN.includes(from)) refuse(from, 'acknowledged', 'reopen it first with "alerts reopen"');
      next = { ...state, status: 'acknowledged' };
      break;
    case 'assign':
      if (!OPEN.includes(from)) refuse(from, 'assigned', 'reopen it first with "alerts reopen"');
      next = { ...state, assignee: event.assignee };
      detail = event.assignee === null ? 'unassigned' : `${state.assignee ?? 'nobody'} → ${event.assignee}`;
      break;
    case 'comment':
      if (event.text.trim() === '') throw new AppError('usage', 'The comment is empty; give the text to add.');
      detail = event.text;
      break;
    case 'resolve':
      if (!OPEN.includes(from)) refuse(from, 'resolved', 'it is already closed');
      next = { ...state, status: 'resolved' };
      detail = event.comment ?? null;
      break;
    case 'false_positive':
      if (from === 'false_positive') refuse(from, 'marked a false positive again', 'it already is');
      next = { ...state, status: 'false_positive' };
      detail = event.comment ?? null;
      break;
    case 'reopen': {
      if (OPEN.includes(from)) refuse(from, 'reopened', 'it is still open');
      const bySystem = event.actor === 'system';
      if (bySystem && from === 'false_positive') refuse(from, 'reopened by new evidence', 'a person may reopen it');
      next = { ...state, status: 'new', revision: bySystem ? state.revision + 1 : state.revision };
      notify = bySystem;
      detail = event.reason;
      break;
    }
    case 'escalate':
      next = { ...state, revision: state.revision + 1 };
      notify = from !== 'false_positive';
      detail = `severity ${event.from} → ${event.to}`;
      break;
  }
  return {
    state: next,
    entry: { at, actor: event.actor, action: event.type, from, to: next.status, detail: detail === null ? null : truncate(detail, DETAIL_MAX) },
    notify,
  };
}

/** The first history entry of an alert. */
export function openEntry(at: number): HistoryEntry {
  return { at, actor: 'system', action: 'open', from: null, to: 'new', detail: null };
}

export function isOpen(status: AlertStatus): boolean {
  return OPEN.includes(status);
}
