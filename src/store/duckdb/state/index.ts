// The DuckDB state port: every repository over a StateDb, and the unit of work as one transaction on
// the store's writer (see ports/state.ts for what that guarantees).

import type { StatePort, StateRepositories } from '../../types.js';
import { duckdbAccounts } from './accounts.js';
import { duckdbAlerts } from './alerts.js';
import { duckdbCollector } from './collector.js';
import type { StateDb } from './db.js';
import { duckdbDetection } from './detection.js';
import { duckdbBaselines } from './baselines.js';
import { duckdbIdentities } from './identities.js';
import { duckdbOutbox } from './outbox.js';
import { duckdbReportRuns } from './report-runs.js';
import { duckdbSuppressions } from './suppressions.js';
import { duckdbSessions } from './sessions.js';
import { duckdbRules } from './rules.js';

export type { StateDb } from './db.js';

export function duckdbRepositories(db: StateDb): StateRepositories {
  return {
    alerts: duckdbAlerts(db),
    outbox: duckdbOutbox(db),
    suppressions: duckdbSuppressions(db),
    detection: duckdbDetection(db),
    baselines: duckdbBaselines(db),
    identities: duckdbIdentities(db),
    reportRuns: duckdbReportRuns(db),
    collector: duckdbCollector(db),
    accounts: duckdbAccounts(db),
    sessions: duckdbSessions(db),
    rules: duckdbRules(db),
  };
}

/** `db` runs outside any transaction; its `atomic` opens one (and runs nested calls inside it). */
export function duckdbStatePort(db: StateDb): StatePort {
  return {
    ...duckdbRepositories(db),
    unitOfWork: (fn) => db.atomic((tx) => fn(duckdbRepositories(tx))),
  };
}
