// The baseline timeline: events per (tenant, UTC hour) as a pure function of (seed, tenant, hour), kept
// as a compact skeleton (time, kind, user, availability, duplicate availability) and indexed by the blob
// each lands in. Full records are only built when a blob body is asked for (see blobs.ts). Skeletons
// live in a small LRU bounded by event count, so memory stays flat however long the history.

import { DAY, HOUR, Rng } from '../../core/index.js';
import { CONTENT_TYPES, type ContentType } from '../../records/index.js';
import { ALL_KINDS, KIND_CUMULATIVE, KIND_TOTAL, KINDS, MAINTENANCE_KIND, SYSTEM_KINDS } from './activity.js';
import type { TenantDirectory } from './directory.js';
import { drawLatency, duplicateDelay, type LatencyOptions } from './latency.js';
import { Lru } from './lru.js';

/** Events per user per hour at the peak of a working day (scaled by each user's activity). */
export const PEAK_EVENTS_PER_USER_HOUR = 3.2;

export const CT_INDEX: Record<ContentType, number> = Object.fromEntries(CONTENT_TYPES.map((c, i) => [c, i])) as Record<ContentType, number>;

export interface TimelineConfig {
  seed: string | number;
  startTime: number;
  /** Events before this are not part of the history. */
  historyStart: number;
  /** Events at or after this are not generated (startTime when frozen, +Infinity when live). */
  activityEnd: number;
  latency: LatencyOptions;
  duplicateRate: number;
  slotMs: number;
  /** Live activity around the clock: this many more user events a minute from startTime on, evenly spaced, at any hour (default 0). */
  floorPerMinute?: number;
}

export interface HourBucket {
  hour: number;
  count: number;
  /** Generation index of each kept event (stable Ids whatever the cut-offs). */
  seq: Uint32Array;
  times: Float64Array;
  kinds: Uint8Array;
  users: Uint32Array;
  avail: Float64Array;
  /** Availability of the duplicate copy, NaN when the event has none. */
  dupAvail: Float64Array;
  /** blob key → refs (event index * 2 + 1 for the duplicate copy). */
  byBlob: Map<number, number[]>;
}

export function blobKey(slot: number, ct: ContentType): number {
  return slot * 8 + CT_INDEX[ct];
}

export function slotOf(cfg: TimelineConfig, avail: number): number {
  return Math.ceil((avail - cfg.startTime) / cfg.slotMs);
}

/** 0..1: how busy a person is at this time in their time zone (weekdays, working hours). */
export function workWeight(t: number, tzMinutes: number): number {
  const local = t + tzMinutes * 60_000;
  const hour = Math.floor(local / HOUR) % 24;
  const weekday = (Math.floor(local / DAY) + 4) % 7; // 1970-01-01 was a Thursday
  let w: number;
  if ((hour >= 9 && hour < 12) || (hour >= 13 && hour < 17)) w = 1;
  else if (hour === 8 || hour === 12 || hour === 17) w = 0.55;
  else if (hour === 7 || (hour >= 18 && hour < 22)) w = 0.12;
  else w = 0.02;
  return weekday === 0 || weekday === 6 ? w * 0.08 : w;
}

function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Builds the skeleton of one (tenant, hour). */
export function buildHour(cfg: TimelineConfig, dir: TenantDirectory, hour: number): HourBucket {
  const hourStart = hour * HOUR;
  const rng = new Rng(cfg.seed, 'hour', dir.index, hour);
  const seq: number[] = [];
  const times: number[] = [];
  const kinds: number[] = [];
  const users: number[] = [];
  let generated = 0;
  const keep = (time: number, kind: number, user: number) => {
    const n = generated++;
    if (time < cfg.historyStart || time >= cfg.activityEnd) return;
    seq.push(n);
    times.push(time);
    kinds.push(kind);
    users.push(user);
  };
  const adminFallback = 0; // non-admins drawing an admin kind sign in instead
  for (const u of dir.users) {
    const lambda = PEAK_EVENTS_PER_USER_HOUR * u.activity * workWeight(hourStart, u.tzMinutes);
    const n = poisson(rng, lambda);
    for (let j = 0; j < n; j++) {
      const time = hourStart + rng.int(0, 3600) * 1000;
      const x = rng.next() * KIND_TOTAL;
      let kind = 0;
      while (KIND_CUMULATIVE[kind]! <= x) kind++;
      if (KINDS[kind]!.adminOnly && !u.isAdmin) kind = adminFallback;
      keep(time, kind, u.index);
    }
  }
  const tenantWeight = workWeight(hourStart, dir.country.tzMinutes);
  for (let s = 0; s < SYSTEM_KINDS.length; s++) {
    if (KINDS.length + s === MAINTENANCE_KIND) continue;
    const n = poisson(rng, (SYSTEM_KINDS[s]!.perHundredUsers * dir.users.length * Math.max(0.1, tenantWeight)) / 100);
    for (let j = 0; j < n; j++) keep(hourStart + rng.int(0, 3600) * 1000, KINDS.length + s, rng.int(0, dir.users.length));
  }

  const slot24 = ((hour % 24) + 24) % 24;
  for (const u of dir.users) {
    if ((u.index + dir.index) % 24 === slot24) keep(hourStart + rng.int(0, 3600) * 1000, MAINTENANCE_KIND, u.index);
  }

  // Around the clock (the demo's live tenant): a night shift and service desk, so that every short cycle
  // sees records whatever the hour. Drawn after every other event, so the rest keep their Ids.
  const floor = cfg.floorPerMinute ?? 0;
  if (floor > 0 && hourStart + HOUR > cfg.startTime) {
    const step = Math.floor(60_000 / floor / 1000) * 1000;
    for (let t = hourStart; t < hourStart + HOUR; t += step) {
      const u = dir.users[rng.int(0, dir.users.length)]!;
      const x = rng.next() * KIND_TOTAL;
      let kind = 0;
      while (KIND_CUMULATIVE[kind]! <= x) kind++;
      if (KINDS[kind]!.adminOnly && !u.isAdmin) kind = adminFallback;
      if (t >= cfg.startTime) keep(t, kind, u.index);
    }
  }

  const count = times.length;
  const bucket: HourBucket = {
    hour,
    count,
    seq: Uint32Array.from(seq),
    times: Float64Array.from(times),
    kinds: Uint8Array.from(kinds),
    users: Uint32Array.from(users),
    avail: new Float64Array(count),
    dupAvail: new Float64Array(count),
    byBlob: new Map(),
  };
  const lat = new Rng(cfg.seed, 'latency', dir.index, hour);
  for (let i = 0; i < count; i++) {
    const time = bucket.times[i]!;
    const avail = time + drawLatency(cfg.latency, lat);
    bucket.avail[i] = avail;
    const ct = ALL_KINDS[bucket.kinds[i]!]!.contentType;
    const slot = slotOf(cfg, avail);
    add(bucket.byBlob, blobKey(slot, ct), i * 2);
    bucket.dupAvail[i] = Number.NaN;
    if (lat.next() < cfg.duplicateRate) {
      const dupAvail = placeDuplicate(cfg, avail, duplicateDelay(cfg.latency, lat));
      const dupSlot = dupAvail === null ? slot : slotOf(cfg, dupAvail);
      if (dupAvail !== null && dupSlot !== slot) {
        bucket.dupAvail[i] = dupAvail;
        add(bucket.byBlob, blobKey(dupSlot, ct), i * 2 + 1);
      }
    }
  }
  return bucket;
}

/**
 * When a duplicate copy becomes available. With a fixed latency, history stays complete at start-up
 * (`--latency 0s` = everything available at once): a copy of a history record is not pushed past startTime.
 */
export function placeDuplicate(cfg: TimelineConfig, avail: number, delay: number): number | null {
  let dup = avail + delay;
  if (cfg.latency.kind === 'fixed' && avail <= cfg.startTime && dup > cfg.startTime) dup = cfg.startTime;
  return dup > avail ? dup : null;
}

function add(map: Map<number, number[]>, key: number, ref: number): void {
  const list = map.get(key);
  if (list) list.push(ref);
  else map.set(key, [ref]);
}

/** Hour skeletons of one tenant, cached (bounded by the number of events held). */
export class Timeline {
  private readonly cache: Lru<number, HourBucket>;
  constructor(
    readonly cfg: TimelineConfig,
    readonly dir: TenantDirectory,
    maxEvents: number,
  ) {
    this.cache = new Lru(maxEvents, (b) => b.count + 16);
  }

  hour(hour: number): HourBucket {
    let b = this.cache.get(hour);
    if (!b) {
      b = buildHour(this.cfg, this.dir, hour);
      this.cache.set(hour, b);
    }
    return b;
  }

  /** Whether any baseline event can exist in this hour. */
  hasActivity(hour: number): boolean {
    const start = hour * HOUR;
    return start + HOUR > this.cfg.historyStart && start < this.cfg.activityEnd;
  }
}
