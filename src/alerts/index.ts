// alerts: detection hits → alerts (de-duplication, workflow, suppression) → routing → durable outbox →
// notifiers. Callers depend on this file only.
export * from './types.js';
export { transition, openEntry, isOpen, type Transition } from './state.js';
export { toPayload, hitFields, severityRank, isSeverity, LIMITS, ENTITY_KINDS } from './model.js';
export { createAlertService, DEFAULT_WINDOW_MS, type AlertService, type AlertServiceConfig, type AlertDetails, type IngestSummary } from './service.js';
export type { AlertFilter } from './repo.js';
export { routeAlert, routeMatches, globMatch, globEscape, type Route } from './routing.js';
export { suppressionMatches, type NewSuppression } from './suppress.js';
export { enqueue, idempotencyKey, outboxRows, outboxHealth, type OutboxRow, type DestinationHealth } from './outbox.js';
export { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions, type OutboxEvent, type PassResult, type Destination } from './worker.js';
export { attempt, backoffDelay, RateLimiter, DEFAULT_DELIVERY } from './stages.js';
export { NOTIFIER_KINDS, createNotifier, createNotifiers, type DestinationConfig, type NotifierType } from './notifiers/registry.js';
export type { Notifier, NotifierContext, Delivery, DeliveryOptions, NotifierKind } from './notifiers/types.js';
export { sampleAlert } from './sample.js';
export { deliverReport, REPORT_DESTINATION_KINDS, type ReportMessage, type ReportAttachment } from './report-delivery.js';
export { alertsSection, type AlertsConfig } from './config.js';
