// tenant: the emulator's simulated tenants as a ContentSource. Deterministic for a seed: the same options
// give byte-identical blobs. Events are generated per (tenant, UTC hour) as a pure function of
// (seed, tenant, hour); blobs gather the events whose availability (event time + latency) falls in one
// `blobMinutes` slot; nothing big is held in memory. See README "Emulator" for the scenario catalogue.

import { AppError, DAY, HOUR, MINUTE } from '../../core/index.js';
import type { ContentSource } from '../model.js';
import { findScenario, SCENARIOS } from '../scenarios/index.js';
import { buildDirectory } from './directory.js';
import { validateLatency, type LatencyOptions } from './latency.js';
import { lagOf, SimulatedSource, type TenantState } from './source.js';
import { Timeline, type TimelineConfig } from './timeline.js';

export type { LatencyOptions } from './latency.js';
export { SimulatedSource } from './source.js';
export type { TenantDirectory, SimUser } from './directory.js';

export interface ContentSourceOptions {
  seed: number | string;
  /** Days of history before startTime. */
  days: number;
  /** Users per tenant. */
  users: number;
  tenants: number;
  /** 'all' injects every scenario once per tenant at deterministic times in the history. */
  scenarios: 'all' | string[];
  /** Default: production (most blobs 60–90 min after their events, a tail up to 12 h). */
  latency?: LatencyOptions;
  /** true: activity continues as time passes; false: a frozen tenant, no events at or after startTime. */
  live: boolean;
  /** The emulator's start (its clock's now at start-up). */
  startTime: number;
  /** Share of records that appear again in a later blob (default 0.02). */
  duplicateRate?: number;
  /** Width of a blob's availability slot in minutes (default 5). */
  blobMinutes?: number;
  /**
   * Live activity around the clock: at least this many more user events a minute (evenly spaced, whole
   * seconds) from startTime on, at night and weekends too (default 0; the history is unchanged). 1–60.
   */
  floorPerMinute?: number;
  /** Bound of the hour-skeleton cache, in events over all tenants (default 2,000,000). */
  cacheEvents?: number;
  /** Bound of the blob-body cache, in characters (default 64 M). */
  cacheChars?: number;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new AppError('bad_emulator_option', message);
}

export function createContentSource(options: ContentSourceOptions): SimulatedSource & ContentSource {
  const { seed, days, users, tenants, startTime, live } = options;
  check(Number.isFinite(days) && days > 0 && days <= 30, 'days must be more than 0 and at most 30 (e.g. --days 7).');
  check(Number.isInteger(users) && users >= 1 && users <= 200_000, 'users must be a whole number from 1 to 200000 (e.g. --users 500).');
  check(Number.isInteger(tenants) && tenants >= 1 && tenants <= 100, 'tenants must be a whole number from 1 to 100 (e.g. --tenants 2).');
  check(Number.isFinite(startTime), 'startTime must be a time in epoch milliseconds.');
  const duplicateRate = options.duplicateRate ?? 0.02;
  check(duplicateRate >= 0 && duplicateRate <= 1, 'duplicateRate must be between 0 and 1 (e.g. 0.02).');
  const blobMinutes = options.blobMinutes ?? 5;
  check(blobMinutes > 0 && blobMinutes <= 60 && Number.isInteger(blobMinutes * 60), 'blobMinutes must be whole seconds between 1 second and 60 minutes (e.g. 5).');
  const floorPerMinute = options.floorPerMinute ?? 0;
  check(floorPerMinute === 0 || (Number.isInteger(floorPerMinute) && floorPerMinute >= 1 && floorPerMinute <= 60), 'floorPerMinute must be a whole number from 1 to 60 (events a minute), or 0 for none.');
  const latency = validateLatency(options.latency ?? { kind: 'production' });
  const names = options.scenarios === 'all' ? SCENARIOS.map((s) => s.name) : options.scenarios;
  for (const n of names) findScenario(n);

  const timeline: TimelineConfig = {
    seed,
    startTime,
    historyStart: startTime - days * DAY,
    activityEnd: live ? Number.POSITIVE_INFINITY : startTime,
    latency,
    duplicateRate,
    slotMs: Math.round(blobMinutes * MINUTE),
    ...(floorPerMinute > 0 ? { floorPerMinute } : {}),
  };
  const cacheEvents = options.cacheEvents ?? 2_000_000;
  const states: TenantState[] = [];
  for (let i = 0; i < tenants; i++) {
    const dir = buildDirectory(seed, i, users);
    states.push({
      dir,
      timeline: new Timeline(timeline, dir, Math.max(50_000, Math.floor(cacheEvents / tenants))),
      region: ['US', 'BR'].includes(dir.country.code) ? `na${String(10 + (i % 40)).padStart(4, '0')}` : `emea${String(20 + (i % 40)).padStart(4, '0')}`,
      scenarios: [],
      scenarioBlobs: new Map(),
      scenarioRecords: [],
      serial: 0,
    });
  }
  const source = new SimulatedSource(
    { seed, timeline, layout: { seed, startTime, slotMs: timeline.slotMs }, latency, maxLag: lagOf(latency), bodyCacheChars: options.cacheChars ?? 64_000_000 },
    states,
  );
  // Scenarios at deterministic times spread over the history, never in its first or last hour, and
  // each ending before the last hour starts.
  const first = timeline.historyStart + HOUR;
  const last = startTime - HOUR;
  for (const st of states) {
    names.forEach((name, k) => {
      const span = last - first;
      let at = first + Math.floor(((k + 0.5) / names.length) * span + st.dir.index * 7 * MINUTE);
      at = Math.min(at, last - MINUTE);
      at = Math.floor(at / 1000) * 1000;
      const probe = source.preview(st, name, at);
      const duration = probe.end - probe.start;
      if (at + duration + 45 * MINUTE > last) at = last - duration - 45 * MINUTE;
      at = Math.max(first, Math.floor(at / 1000) * 1000);
      source.addScenario(st, name, {}, at);
    });
  }
  return source;
}
