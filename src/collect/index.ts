// collect: the collector engine (pollers per tenant × content type, windows, blob ledger, budgets).
export { CLOCK_WARNING_MS, clockSkewText, createCollector, DEFAULT_COLLECTOR_OPTIONS, resolveOptions } from './collector.js';
export type { Collector, CollectorInput } from './collector.js';
export { createRequestBudget } from './budget.js';
export { LeaseKeeper, LeaseLost, MEMBER_TENANT, type CollectorLeases } from './leases.js';
export { loadWorkerStates, saveWorkerStates } from './state.js';
export { skewCorrection } from './worker.js';
export type { SavedWorkerState } from './state.js';
export type { RequestBudget } from './budget.js';
export { createCollectorMetrics } from './metrics.js';
export type { CollectorMetrics } from './metrics.js';
export type {
  TenantRuntime, CollectorOptions, BackoffOptions, CollectorHooks, CommittedSummary, PassProgress, PassSummary, RunOnceOptions,
  WorkerResult, WorkerStatus, SubscriptionState,
} from './types.js';
