// The PostgreSQL state port: every repository over a PgDb, and the unit of work as one transaction on
// one pooled connection (see ports/state.ts for what that guarantees).

import type { StatePort, StateRepositories } from '../../types.js';
import { postgresAccounts } from './accounts.js';
import { postgresAlerts } from './alerts.js';
import { postgresCollector } from './collector.js';
import type { PgDb } from './db.js';
import { postgresDetection } from './detection.js';
import { postgresBaselines } from './baselines.js';
import { postgresIdentities } from './identities.js';
import { postgresOutbox } from './outbox.js';
import { postgresReportRuns } from './report-runs.js';
import { postgresSuppressions } from './suppressions.js';
import { postgresSessions } from './sessions.js';
import { postgresRules } from './rules.js';

export { clientDb, runQuery, type PgDb, type PgRow, type Queryable } from './db.js';

export function postgresRepositories(db: PgDb): StateRepositories {
  return {
    alerts: postgresAlerts(db),
    outbox: postgresOutbox(db),
    suppressions: postgresSuppressions(db),
    detection: postgresDetection(db),
    baselines: postgresBaselines(db),
    identities: postgresIdentities(db),
    reportRuns: postgresReportRuns(db),
    collector: postgresCollector(db),
    accounts: postgresAccounts(db),
    sessions: postgresSessions(db),
    rules: postgresRules(db),
  };
}

/** `db` runs on the pool; its `atomic` opens a transaction on one connection (nested calls run inside it). */
export function postgresStatePort(db: PgDb): StatePort {
  return {
    ...postgresRepositories(db),
    unitOfWork: (fn) => db.atomic((tx) => fn(postgresRepositories(tx))),
  };
}
