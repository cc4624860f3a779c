// The collector's Prometheus metrics, in a registry of its own (passed in, or created per collector;
// never prom-client's global default, so that several collectors or tests never collide).

import { Counter, Gauge, Registry } from 'prom-client';

export interface CollectorMetrics {
  readonly registry: Registry;
  records: Counter<'tenant' | 'content_type'>;
  blobs: Counter<'tenant' | 'content_type'>;
  bytes: Counter<'tenant' | 'content_type'>;
  duplicates: Counter<'tenant' | 'content_type'>;
  deadLetters: Counter<'tenant' | 'content_type'>;
  gaps: Counter<'tenant' | 'content_type' | 'code'>;
  requests: Counter<'tenant' | 'op' | 'status'>;
  retries: Counter<'tenant' | 'code'>;
  lag: Gauge<'tenant' | 'content_type'>;
  eventLag: Gauge<'tenant' | 'content_type'>;
  cursor: Gauge<'tenant' | 'content_type'>;
  lastSuccess: Gauge<'tenant' | 'content_type'>;
  clockSkew: Gauge<'tenant'>;
  requestRate: Gauge<'tenant'>;
  throttled: Counter<'tenant'>;
}

export function createCollectorMetrics(registry: Registry = new Registry()): CollectorMetrics {
  const tc = ['tenant', 'content_type'] as const;
  return {
    registry,
    records: new Counter({ name: 'auditwatch_records_total', help: 'Records stored (new, after de-duplication).', labelNames: tc, registers: [registry] }),
    blobs: new Counter({ name: 'auditwatch_blobs_total', help: 'Content blobs fetched and committed.', labelNames: tc, registers: [registry] }),
    bytes: new Counter({ name: 'auditwatch_blob_bytes_total', help: 'Bytes of content blobs downloaded.', labelNames: tc, registers: [registry] }),
    duplicates: new Counter({ name: 'auditwatch_duplicates_total', help: 'Records dropped because (tenant, Id) was already stored.', labelNames: tc, registers: [registry] }),
    deadLetters: new Counter({ name: 'auditwatch_dead_letters_total', help: 'Records the normaliser refused (kept in the dead-letter table).', labelNames: tc, registers: [registry] }),
    gaps: new Counter({ name: 'auditwatch_gaps_total', help: 'Content that could not be collected (expired, not found), recorded as gaps.', labelNames: ['tenant', 'content_type', 'code'], registers: [registry] }),
    requests: new Counter({ name: 'auditwatch_api_requests_total', help: 'Management Activity API requests by operation and HTTP status (0 = no answer).', labelNames: ['tenant', 'op', 'status'], registers: [registry] }),
    retries: new Counter({ name: 'auditwatch_api_retries_total', help: 'Retries after retryable or throttled API failures, by code.', labelNames: ['tenant', 'code'], registers: [registry] }),
    lag: new Gauge({ name: 'auditwatch_lag_seconds', help: 'Now minus the newest contentCreated collected.', labelNames: tc, registers: [registry] }),
    eventLag: new Gauge({ name: 'auditwatch_event_lag_seconds', help: 'Ingest time minus CreationTime of the newest record collected.', labelNames: tc, registers: [registry] }),
    cursor: new Gauge({ name: 'auditwatch_cursor_timestamp_seconds', help: 'Cursor position: everything created before it is handled.', labelNames: tc, registers: [registry] }),
    lastSuccess: new Gauge({ name: 'auditwatch_last_success_timestamp_seconds', help: 'End of the last pass that finished without error.', labelNames: tc, registers: [registry] }),
    requestRate: new Gauge({ name: 'auditwatch_request_budget_per_minute', help: "The tenant's adaptive request budget now (requests a minute; halves on AF429, grows back while answers succeed).", labelNames: ['tenant'], registers: [registry] }),
    throttled: new Counter({ name: 'auditwatch_api_throttled_total', help: 'AF429 answers (HTTP 403 or 429): the API said the tenant is over its quota.', labelNames: ['tenant'], registers: [registry] }),
    clockSkew: new Gauge({ name: 'auditwatch_clock_skew_seconds', help: "The API's clock minus this machine's, from the Date header of its answers.", labelNames: ['tenant'], registers: [registry] }),
  };
}
