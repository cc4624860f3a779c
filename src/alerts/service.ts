// The alert service: turns detection hits into alerts (one per rule, tenant and grouping key within the
// window), keeps their workflow and history, and queues notifications in the outbox in the same
// transaction as the change. It implements detect's HitSink.

import { AppError, silentLogger, truncate, type Clock, type Logger } from '../core/index.js';
import type { DetectionHit, HitSink } from '../detect/index.js';
import type { AlertSummary, Store } from '../store/index.js';
import { boundEvidence, mergeHit, openAlert } from './model.js';
import { enqueue } from './outbox.js';
import {
  addEvidence,
  appendHistory,
  findWindowAlert,
  freshEvidence,
  getAlert,
  insertAlert,
  listAlerts,
  readHistory,
  updateAlert,
  type AlertFilter,
  countAlerts,
  summarizeAlerts,
  type Db,
} from './repo.js';
import { routeAlert, type Route } from './routing.js';
import { openEntry, transition } from './state.js';
import { createSuppression, firstMatch, listSuppressions, removeSuppression, type NewSuppression } from './suppress.js';
import type { Alert, HistoryEntry, Suppression, WorkflowEvent } from './types.js';

export const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/** The parts of the config's `alerts` section the service reads (config.alerts fits as is). */
export interface AlertServiceConfig {
  /** Hits of one key within this span of an alert's evidence join it (default 24 h). */
  window?: number;
  destinations?: readonly { name: string }[];
  routes?: readonly Route[];
}

export interface AlertDetails {
  alert: Alert;
  history: HistoryEntry[];
}

export interface IngestSummary {
  opened: number;
  updated: number;
  unchanged: number;
  queued: number;
  suppressed: number;
}

export interface AlertService extends HitSink {
  ingestHits(hits: DetectionHit[]): Promise<IngestSummary>;
  list(filter?: AlertFilter): Promise<Alert[]>;
  /** How many alerts match (paging ignored). */
  count(filter?: AlertFilter): Promise<number>;
  /** Open alerts by severity and alerts first seen since `since` per day (the overview). */
  summary(since: number): Promise<AlertSummary>;
  show(id: string): Promise<AlertDetails>;
  ack(id: string, actor: string): Promise<Alert>;
  assign(id: string, assignee: string | null, actor: string): Promise<Alert>;
  comment(id: string, text: string, actor: string): Promise<Alert>;
  resolve(id: string, options: { actor: string; falsePositive?: boolean; comment?: string }): Promise<Alert>;
  reopen(id: string, actor: string, reason?: string): Promise<Alert>;
  addSuppression(input: NewSuppression): Promise<Suppression>;
  listSuppressions(options?: { includeExpired?: boolean }): Promise<Suppression[]>;
  removeSuppression(id: string): Promise<void>;
}

export function createAlertService(deps: {
  store: Store;
  clock: Clock;
  logger?: Logger;
  config?: AlertServiceConfig;
  /**
   * Asked before each hit is written (the daemon's leader lease, by the clock): false refuses the rest of
   * the hits with leader_lost, so a leader that stalled past its lease writes nothing more while the new
   * leader runs the pass (whose evidence it then finds new, and writes once).
   */
  mayWrite?: () => boolean;
}): AlertService {
  const { store, clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const windowMs = deps.config?.window ?? DEFAULT_WINDOW_MS;
  const destinations = (deps.config?.destinations ?? []).map((d) => d.name);
  const routes = deps.config?.routes ?? [];

  async function ingestOne(db: Db, hit: DetectionHit, suppressions: Suppression[], sum: IngestSummary): Promise<void> {
    const now = clock.now();
    const evidence = boundEvidence(hit.evidence);
    const existing = await findWindowAlert(db, hit, hit, windowMs);
    let alert: Alert;
    let notify: boolean;
    const history: HistoryEntry[] = [];
    if (!existing) {
      alert = openAlert(hit, evidence, now);
      history.push(openEntry(now));
      notify = true;
    } else {
      const fresh = await freshEvidence(db, existing.id, evidence);
      const merged = mergeHit(existing, hit, fresh, now);
      if (!merged) {
        sum.unchanged++;
        return;
      }
      alert = merged.alert;
      notify = false;
      const apply = (event: WorkflowEvent) => {
        const t = transition(alert, event, now);
        alert = { ...alert, ...t.state };
        history.push(t.entry);
        notify ||= t.notify;
      };
      if (existing.status === 'resolved') apply({ type: 'reopen', actor: 'system', reason: `new evidence (${fresh.length} record${fresh.length === 1 ? '' : 's'})` });
      if (merged.escalated) apply({ type: 'escalate', actor: 'system', from: existing.severity, to: hit.severity });
      await addEvidenceOnly(db, existing.id, fresh);
    }
    let queued = 0;
    if (notify) {
      const match = firstMatch(suppressions, alert, now);
      alert = { ...alert, suppressedBy: match?.id ?? null };
      if (match) sum.suppressed++;
      else queued = await enqueue(db, alert, routeAlert(alert, routes, destinations), now);
    }
    if (!existing) {
      await insertAlert(db, alert);
      await addEvidence(db, alert.id, evidence);
      sum.opened++;
    } else {
      await updateAlert(db, alert);
      sum.updated++;
    }
    for (const h of history) await appendHistory(db, alert.id, h);
    sum.queued += queued;
    if (!existing) logger.info('An alert was opened.', { alert: alert.id, rule: alert.ruleId, severity: alert.severity, queued, suppressedBy: alert.suppressedBy });
  }

  async function addEvidenceOnly(db: Db, id: string, fresh: string[]): Promise<void> {
    if (fresh.length > 0) await addEvidence(db, id, fresh);
  }

  async function ingestHits(hits: DetectionHit[]): Promise<IngestSummary> {
    const sum: IngestSummary = { opened: 0, updated: 0, unchanged: 0, queued: 0, suppressed: 0 };
    if (hits.length === 0) return sum;
    const suppressions = await listSuppressions(store, clock.now());
    for (const hit of hits) {
      if (deps.mayWrite && !deps.mayWrite()) {
        throw new AppError('leader_lost', 'This process stopped leading during a detection pass (its leader lease ran out), so it writes no more alerts; the process that leads now runs the pass. Raise collect.leases.ttl if this repeats.');
      }
      // One transaction per hit: the alert change, its evidence, history and outbox rows commit together.
      await store.state.unitOfWork((tx) => ingestOne(tx, hit, suppressions, sum));
    }
    return sum;
  }

  async function mustGet(db: Db, id: string): Promise<Alert> {
    const a = await getAlert(db, id);
    if (!a) throw new AppError('not_found', `No alert has the id ${truncate(id, 60)}; list them with "auditwatch alerts list".`);
    return a;
  }

  async function change(id: string, event: WorkflowEvent): Promise<Alert> {
    return store.state.unitOfWork(async (tx) => {
      const before = await mustGet(tx, id);
      const now = clock.now();
      const t = transition(before, event, now);
      const after: Alert = { ...before, ...t.state, updatedAt: now };
      await updateAlert(tx, after);
      await appendHistory(tx, id, t.entry);
      logger.info('An alert changed.', { alert: id, action: event.type, actor: event.actor, from: before.status, to: after.status });
      return after;
    });
  }

  return {
    async ingest(hits) {
      await ingestHits(hits);
    },
    ingestHits,
    list: (filter) => listAlerts(store, filter),
    count: (filter) => countAlerts(store, filter),
    summary: (since) => summarizeAlerts(store, since),
    async show(id) {
      const alert = await mustGet(store, id);
      return { alert, history: await readHistory(store, id) };
    },
    ack: (id, actor) => change(id, { type: 'ack', actor }),
    assign: (id, assignee, actor) => change(id, { type: 'assign', actor, assignee }),
    comment: (id, text, actor) => change(id, { type: 'comment', actor, text }),
    resolve: (id, o) =>
      change(id, o.falsePositive ? { type: 'false_positive', actor: o.actor, ...(o.comment ? { comment: o.comment } : {}) } : { type: 'resolve', actor: o.actor, ...(o.comment ? { comment: o.comment } : {}) }),
    reopen: (id, actor, reason) => change(id, { type: 'reopen', actor, reason: reason ?? 'reopened' }),
    addSuppression: (input) => store.state.unitOfWork((tx) => createSuppression(tx, input, clock.now())),
    listSuppressions: (o) => listSuppressions(store, o?.includeExpired ? undefined : clock.now()),
    removeSuppression: (id) => store.state.unitOfWork((tx) => removeSuppression(tx, id, clock.now())),
  };
}
