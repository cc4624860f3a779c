// The state-port conformance suite: every method of ports/state.ts and the unit of work, written once
// and run by each engine (runStateConformance('duckdb', engine)). It talks to the port only.
// `engine.open()` must return a new, empty, migrated state store each call; the suite closes it.
// Where an engine offers a second handle on the same store (`another`: a second process's pool), the
// concurrency checks race the two handles; otherwise they race calls on the one handle.
// An engine may skip a check only by naming it in `skips` with the reason; the runner prints the list.

import { test } from 'node:test';
import type { StatePort } from '../types.js';
import { alertChecks } from './state-alerts.js';
import { workChecks } from './state-work.js';
import { outboxChecks } from './state-outbox.js';
import { otherChecks } from './state-other.js';
import { accountChecks } from './state-accounts.js';
import { sessionChecks } from './state-sessions.js';
import { ruleChecks } from './state-rules.js';
import { baselineChecks } from './state-baselines.js';

export interface StateHandle {
  readonly state: StatePort;
  /** A second, independent handle on the same store (another process's connections), when the engine has one. */
  another?(): Promise<{ state: StatePort; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface StateEngine {
  open(): Promise<StateHandle>;
  /** Check title → why the engine cannot pass it. Every skip is printed. */
  skips?: Record<string, string>;
}

/** One conformance check: a title and a body over a fresh store. */
export interface StateCheck {
  title: string;
  run(h: StateHandle): Promise<void>;
}

export const STATE_CHECKS: readonly StateCheck[] = [...alertChecks, ...workChecks, ...outboxChecks, ...otherChecks, ...accountChecks, ...sessionChecks, ...ruleChecks, ...baselineChecks];

export function runStateConformance(name: string, engine: StateEngine): void {
  const skips = engine.skips ?? {};
  const titles = new Set(STATE_CHECKS.map((c) => c.title));
  test(`${name} state: the skip list names only checks that exist`, () => {
    const unknown = Object.keys(skips).filter((s) => !titles.has(s));
    if (unknown.length > 0) throw new Error(`unknown checks in the skip list: ${unknown.join('; ')}`);
    for (const [title, reason] of Object.entries(skips)) console.log(`# ${name} state skips "${title}": ${reason}`);
  });
  for (const check of STATE_CHECKS) {
    const reason = skips[check.title];
    test(`${name} state: ${check.title}`, reason === undefined ? {} : { skip: reason }, async () => {
      const h = await engine.open();
      try {
        await check.run(h);
      } finally {
        await h.close();
      }
    });
  }
}

/** Races `fn` on two handles (or twice on one when the engine has no second handle). */
export async function onTwoHandles<T>(h: StateHandle, fn: (state: StatePort, i: number) => Promise<T>, times = 2): Promise<T[]> {
  const second = h.another ? await h.another() : null;
  try {
    const states = [h.state, second?.state ?? h.state];
    return await Promise.all(Array.from({ length: times }, (_, i) => fn(states[i % 2]!, i)));
  } finally {
    await second?.close();
  }
}
