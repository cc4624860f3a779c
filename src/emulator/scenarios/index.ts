// scenarios: attacks and benign look-alikes injectable by name into a simulated tenant. Each run yields
// the records (built with the tenant's own record builders, so they have the baseline's shapes) and the
// facts for its ground-truth entry. The registry is one table; adding a scenario is one entry.

import { AppError } from '../../core/index.js';
import type { TenantDirectory } from '../tenant/directory.js';
import { ScenarioRun, type ScenarioDef, type ScenarioOutcome, type ScenarioRecord } from './context.js';
import { BASELINE_SCENARIOS, CONSENT_RENEWED } from './baselines.js';
import { DIRECTORY_SCENARIOS } from './directory.js';
import { EXCHANGE_SCENARIOS } from './exchange.js';
import { FILE_SCENARIOS } from './files.js';
import { IDENTITY_SCENARIOS } from './identity.js';
import { MAILBOX_SCENARIOS } from './mailbox.js';
import { SIGNIN_SCENARIOS } from './signin.js';
import { THREAT_SCENARIOS } from './threats.js';

export type { ScenarioDef, ScenarioOutcome, ScenarioRecord, IdentityForm } from './context.js';
export { IDENTITY_FORMS, identityIn } from './context.js';

export const SCENARIOS: ScenarioDef[] = [
  ...SIGNIN_SCENARIOS,
  // Early in the history: its first consent falls in the first-seen rules' learning period.
  CONSENT_RENEWED,
  ...EXCHANGE_SCENARIOS,
  ...DIRECTORY_SCENARIOS,
  ...FILE_SCENARIOS,
  // Coverage of issue 14: each attack with its benign look-alike.
  ...MAILBOX_SCENARIOS,
  ...IDENTITY_SCENARIOS,
  ...THREAT_SCENARIOS,
  // Baselines (first-seen rules): after the learning period of the tenant's first days.
  ...BASELINE_SCENARIOS,
];

const BY_NAME = new Map(SCENARIOS.map((s) => [s.name, s]));

export function scenarioNames(): string[] {
  return SCENARIOS.map((s) => s.name);
}

export function findScenario(name: string): ScenarioDef {
  const def = BY_NAME.get(name);
  if (!def) {
    throw new AppError('unknown_scenario', `Unknown scenario "${name.slice(0, 80)}"; use one of: ${scenarioNames().join(', ')}.`);
  }
  return def;
}

export interface ScenarioResult extends ScenarioOutcome {
  name: string;
  label: 'attack' | 'benign';
  records: ScenarioRecord[];
  start: number;
  end: number;
}

/** Runs one scenario in a tenant at `at`. Deterministic for (seed, tenant, name, at, serial, params). */
export function runScenario(
  name: string,
  dir: TenantDirectory,
  seed: string | number,
  at: number,
  params: Record<string, unknown>,
  serial: number,
): ScenarioResult {
  const def = findScenario(name);
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new AppError('bad_scenario_param', `Scenario ${name}: parameters must be an object such as {"actor": "user@domain"}.`);
  }
  if (!Number.isFinite(at)) throw new AppError('bad_scenario_param', `Scenario ${name}: the time must be a valid instant.`);
  const run = new ScenarioRun(def, dir, seed, at, params, serial);
  const outcome = def.run(run);
  const times = run.records.map((r) => r.time);
  return {
    name: def.name,
    label: def.label,
    ...outcome,
    records: run.records,
    start: Math.min(...times),
    end: Math.max(...times),
  };
}
