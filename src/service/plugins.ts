// Plug-ins of the collect daemon: how detection (after every committed batch), the alert outbox and
// report schedules join the daemon without the daemon knowing them. A plug-in is a function of the
// daemon's context that returns a service (or null when its part is not configured); the integrator
// adds one line per plug-in to DAEMON_PLUGINS.
//
//   const detectPlugin: DaemonPlugin = (ctx) => ({
//     name: 'detect',
//     afterCommit: async (batch) => { await engine.runIncremental(batch.tenantId); },
//   });
//
// Calls into a service are serialised: afterCommit/afterPass run one at a time, in commit order, and an
// error there is logged, never fatal to collection. `run` is started once and must resolve after
// `signal` aborts (a one-pass run, `collect --once`, calls `once` instead); `close` is awaited at shutdown (after collection stopped, before the store closes).

import type { Registry } from 'prom-client';
import type { Clock, Logger } from '../core/index.js';
import type { Config } from './config.js';
import type { Store } from '../store/index.js';
import type { CommittedSummary, PassSummary } from '../collect/index.js';
import { pipelinePlugin, scheduledReportsPlugin } from './builtin-plugins.js';
import type { Leadership } from './cluster.js';

export interface DaemonContext {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  /** The daemon's Prometheus registry: register the service's own metrics here. */
  registry: Registry;
  /** Aborts when the daemon shuts down. */
  signal: AbortSignal;
  /**
   * The leader lease of the processes sharing the store (service/cluster.ts): the daemon runs every
   * service only while this process leads; a service that sends checks it before each send.
   */
  leader?: Leadership;
}

export interface DaemonService {
  name: string;
  /** After every store transaction of the collector (one or more blobs of one tenant × content type). */
  afterCommit?(batch: CommittedSummary): Promise<void> | void;
  /** After every full collection pass. */
  afterPass?(pass: PassSummary): Promise<void> | void;
  /** Background work for the daemon's lifetime (e.g. the alert outbox); resolves once `signal` aborts. */
  run?(signal: AbortSignal): Promise<void>;
  /**
   * What `run` does, done once to the end of what is due now (`collect --once`, instead of `run`):
   * e.g. deliver every alert in the outbox, fire the reports due. Lines returned are problems to report.
   */
  once?(): Promise<string[] | void>;
  /** Problems to show as warnings in `auditwatch status` (one line each), until they are fixed. */
  warnings?(): string[];
  /** Extra status (JSON), shown under `services` by `auditwatch status`. */
  status?(): Promise<unknown> | unknown;
  close?(): Promise<void>;
}

export type DaemonPlugin = (ctx: DaemonContext) => DaemonService | null | Promise<DaemonService | null>;

/** The daemon's plug-ins, in the order they are started. */
export const DAEMON_PLUGINS: DaemonPlugin[] = [pipelinePlugin, scheduledReportsPlugin];
