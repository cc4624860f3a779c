// The contract between a notifier and the shared delivery stages: notify(delivery) → Outcome, where a
// failure says whether to retry. A notifier does one attempt; retry, back-off, rate limit, timeouts and
// de-duplication are shared (stages.ts, worker.ts), never copied into a notifier.

import type { z } from 'zod';
import type { Clock, Logger, Outcome, Secret } from '../../core/index.js';
import type { AlertPayload } from '../types.js';

export interface Delivery {
  alert: AlertPayload;
  /** Stable per (alert, destination, revision); sent so that a receiver can drop repeats. */
  idempotencyKey: string;
  /** Aborted when the attempt times out or the worker stops. */
  signal: AbortSignal;
}

export interface Notifier {
  readonly name: string;
  readonly kind: string;
  notify(delivery: Delivery): Promise<Outcome>;
  /** Releases connections (syslog TCP/TLS, SMTP pools). */
  close(): Promise<void>;
  /** The secrets this notifier holds, so that shared stages can scrub them from any error text. */
  secrets(): Secret[];
}

export interface NotifierContext {
  clock: Clock;
  logger: Logger;
  /** Extra CA certificates (PEM) to trust for TLS, e.g. a test's throwaway certificate. */
  ca?: string | undefined;
}

/** One entry of the registry: a kind's config schema (a `type` discriminator + its fields) and factory. */
export interface NotifierKind<C extends { name: string; type: string }> {
  type: C['type'];
  summary: string;
  /** Shape of one destination of this kind in `alerts.destinations`. */
  schema: z.ZodType<C, unknown>;
  create(config: C, ctx: NotifierContext): Notifier;
}

/** Fields every destination has, whatever its kind. */
export interface DeliveryOptions {
  /** One attempt's time limit (ms). */
  timeout: number;
  /** At most this many deliveries a minute to this destination. */
  ratePerMinute: number;
  /** Retries back off exponentially from this (ms) ... */
  backoffMin: number;
  /** ... up to this (ms), with full jitter. */
  backoffMax: number;
  /** A delivery still failing this long after it was queued is given up (status failed, shown in status). */
  giveUpAfter: number;
}
