// The simulated tenants as a ContentSource: listing computes only the hour skeletons a window needs;
// blob bodies are built on request (records rebuilt from their own seeded generators, so a duplicate copy
// is byte-identical to its original) and kept in a bounded LRU; scenario records are held in memory
// (they are few) and pass through the same latency, duplicate and blob machinery as baseline events.

import { fastGuid } from './ids.js';
import { AppError, HOUR, Rng } from '../../core/index.js';
import { CONTENT_TYPES, type ContentType } from '../../records/index.js';
import type { BlobMeta, ContentSource, EmulatorTenant, GroundTruth, GroundTruthScenario } from '../model.js';
import { runScenario, scenarioNames } from '../scenarios/index.js';
import { ALL_KINDS } from './activity.js';
import { contentId, parseContentId, slotCreated, type BlobLayout } from './blobs.js';
import type { TenantDirectory } from './directory.js';
import { drawLatency, duplicateDelay, maxDuplicateDelay, maxLatency, type LatencyOptions } from './latency.js';
import { Lru } from './lru.js';
import { blobKey, CT_INDEX, eventRng, placeDuplicate, slotOf, Timeline, type TimelineConfig } from './timeline.js';

const SEVEN_DAYS = 7 * 24 * HOUR;

interface ScenarioItem {
  id: string;
  json: string;
}

export interface TenantState {
  dir: TenantDirectory;
  timeline: Timeline;
  region: string;
  scenarios: GroundTruthScenario[];
  /** blob key → scenario records in that blob (originals and duplicate copies). */
  scenarioBlobs: Map<number, ScenarioItem[]>;
  /** Every scenario record with the slot of its original (for ground truth). */
  scenarioRecords: { id: string; ct: ContentType; slot: number }[];
  serial: number;
}

export interface SourceConfig {
  seed: string | number;
  timeline: TimelineConfig;
  layout: BlobLayout;
  latency: LatencyOptions;
  /** How far before a blob's slot an event can have happened (latency + duplicate delay). */
  maxLag: number;
  bodyCacheChars: number;
}

export class SimulatedSource implements ContentSource {
  private readonly byId: Map<string, TenantState>;
  private readonly bodies: Lru<string, { meta: BlobMeta; body: string }>;
  /** The latest `now` a listing or ground truth was asked for: blobs up to it may have been seen. */
  private seenNow = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly cfg: SourceConfig,
    readonly states: TenantState[],
  ) {
    this.byId = new Map(states.map((s) => [s.dir.tenantId.toLowerCase(), s]));
    this.bodies = new Lru(cfg.bodyCacheChars, (b) => b.body.length + 200);
  }

  tenants(): EmulatorTenant[] {
    return this.states.map(({ dir }) => ({
      tenantId: dir.tenantId,
      domain: dir.domain,
      displayName: dir.displayName,
      clientId: dir.clientId,
      clientSecret: dir.clientSecret,
      roles: [...dir.roles],
    }));
  }

  state(tenantId: string): TenantState | undefined {
    return this.byId.get(tenantId.toLowerCase());
  }

  /** Slot range [lo, hi] holding any data of the tenant (baseline history, live activity, scenarios). */
  private slotBounds(st: TenantState): [number, number] {
    const t = this.cfg.timeline;
    let lo = slotOf(t, t.historyStart);
    let hi = Number.isFinite(t.activityEnd) ? slotOf(t, t.activityEnd + this.cfg.maxLag) + 1 : Number.POSITIVE_INFINITY;
    for (const key of st.scenarioBlobs.keys()) {
      const slot = Math.floor(key / 8);
      if (slot < lo) lo = slot;
      if (slot > hi) hi = slot;
    }
    return [lo, hi];
  }

  /** Record counts per slot of one content type for slots kFrom..kTo. */
  private counts(st: TenantState, ct: ContentType, kFrom: number, kTo: number): Map<number, number> {
    const out = new Map<number, number>();
    const layout = this.cfg.layout;
    const firstHour = Math.floor((slotCreated(layout, kFrom) - layout.slotMs - this.cfg.maxLag) / HOUR);
    const lastHour = Math.floor(slotCreated(layout, kTo) / HOUR);
    const cti = CT_INDEX[ct];
    for (let h = firstHour; h <= lastHour; h++) {
      if (!st.timeline.hasActivity(h)) continue;
      for (const [key, refs] of st.timeline.hour(h).byBlob) {
        const slot = Math.floor(key / 8);
        if (key - slot * 8 !== cti || slot < kFrom || slot > kTo) continue;
        out.set(slot, (out.get(slot) ?? 0) + refs.length);
      }
    }
    for (const [key, items] of st.scenarioBlobs) {
      const slot = Math.floor(key / 8);
      if (key - slot * 8 !== cti || slot < kFrom || slot > kTo) continue;
      out.set(slot, (out.get(slot) ?? 0) + items.length);
    }
    return out;
  }

  private meta(st: TenantState, ct: ContentType, slot: number, recordCount: number): BlobMeta {
    const created = slotCreated(this.cfg.layout, slot);
    return {
      tenantId: st.dir.tenantId,
      contentType: ct,
      contentId: contentId(this.cfg.layout, st.dir.tenantId, st.region, ct, slot),
      contentCreated: created,
      contentExpiration: created + SEVEN_DAYS,
      recordCount,
    };
  }

  listBlobs(tenantId: string, contentType: ContentType, from: number, to: number, now: number): BlobMeta[] {
    const st = this.state(tenantId);
    if (now > this.seenNow) this.seenNow = now;
    if (!st || !(CONTENT_TYPES as readonly string[]).includes(contentType)) return [];
    const layout = this.cfg.layout;
    const upper = Math.min(to, now + 1); // contentCreated < to and contentCreated <= now
    if (!(from < upper)) return [];
    const [lo, hi] = this.slotBounds(st);
    const kFrom = Math.max(lo, Math.ceil((from - layout.startTime) / layout.slotMs));
    const kTo = Math.min(hi, Math.ceil((upper - layout.startTime) / layout.slotMs) - 1);
    if (kFrom > kTo) return [];
    const counts = this.counts(st, contentType, kFrom, kTo);
    return [...counts.keys()].sort((a, b) => a - b).map((slot) => this.meta(st, contentType, slot, counts.get(slot)!));
  }

  blobContent(tenantId: string, id: string): { meta: BlobMeta; body: string } | null {
    const st = this.state(tenantId);
    if (!st) return null;
    const cacheKey = `${st.dir.index}|${id}`;
    const cached = this.bodies.get(cacheKey);
    if (cached) return cached;
    const parsed = parseContentId(this.cfg.layout, st.dir.tenantId, st.region, id);
    if (!parsed) return null;
    const parts = this.buildBody(st, parsed.ct, parsed.slot);
    if (parts.length === 0) return null;
    const blob = { meta: this.meta(st, parsed.ct, parsed.slot, parts.length), body: `[${parts.join(',')}]` };
    this.bodies.set(cacheKey, blob);
    return blob;
  }

  /** The JSON text of every record in one blob: baseline events by hour, then scenario records. */
  buildBody(st: TenantState, ct: ContentType, slot: number): string[] {
    const layout = this.cfg.layout;
    const created = slotCreated(layout, slot);
    const key = blobKey(slot, ct);
    const out: string[] = [];
    const firstHour = Math.floor((created - layout.slotMs - this.cfg.maxLag) / HOUR);
    const lastHour = Math.floor(created / HOUR);
    const seed = this.cfg.seed;
    for (let h = firstHour; h <= lastHour; h++) {
      if (!st.timeline.hasActivity(h)) continue;
      const bucket = st.timeline.hour(h);
      const refs = bucket.byBlob.get(key);
      if (!refs) continue;
      for (const ref of refs) {
        const i = ref >> 1;
        const rng = eventRng(this.cfg.timeline, st.dir, h, bucket.seq[i]!);
        const id = fastGuid(rng);
        const user = st.dir.users[bucket.users[i]!]!;
        const record = ALL_KINDS[bucket.kinds[i]!]!.build({ dir: st.dir, rng, time: bucket.times[i]!, id }, user, seed);
        out.push(JSON.stringify(record));
      }
    }
    for (const item of st.scenarioBlobs.get(key) ?? []) out.push(item.json);
    return out;
  }

  groundTruth(now: number): GroundTruth {
    if (now > this.seenNow) this.seenNow = now;
    const available: GroundTruth['available'] = {};
    const layout = this.cfg.layout;
    const t = this.cfg.timeline;
    for (const st of this.states) {
      const sets = new Map<ContentType, Set<string>>(CONTENT_TYPES.map((c) => [c, new Set<string>()]));
      const firstHour = Math.floor(t.historyStart / HOUR);
      const lastHour = Math.floor(Math.min(now, t.activityEnd) / HOUR);
      for (let h = firstHour; h <= lastHour; h++) {
        if (!st.timeline.hasActivity(h)) continue;
        const b = st.timeline.hour(h);
        for (let i = 0; i < b.count; i++) {
          if (slotCreated(layout, slotOf(t, b.avail[i]!)) > now) continue;
          sets.get(ALL_KINDS[b.kinds[i]!]!.contentType)!.add(fastGuid(eventRng(t, st.dir, h, b.seq[i]!)));
        }
      }
      for (const r of st.scenarioRecords) if (slotCreated(layout, r.slot) <= now) sets.get(r.ct)!.add(r.id);
      available[st.dir.tenantId] = Object.fromEntries([...sets].map(([ct, ids]) => [ct, [...ids]]));
    }
    return { scenarios: this.states.flatMap((s) => s.scenarios.map((x) => ({ ...x, actors: [...x.actors], victims: [...x.victims], recordIds: [...x.recordIds] }))), available };
  }

  scenarioNames(): string[] {
    return scenarioNames();
  }

  inject(name: string, params: Record<string, unknown>, at: number): GroundTruthScenario {
    const { tenantId, tenant, ...rest } = (params ?? {}) as Record<string, unknown>;
    const which = tenantId ?? tenant;
    let st = this.states[0]!;
    if (which !== undefined) {
      const w = String(which).toLowerCase();
      const found = this.states.find((s) => s.dir.tenantId === w || s.dir.domain === w || String(s.dir.index) === w);
      if (!found) throw new AppError('unknown_tenant', `No simulated tenant ${String(which).slice(0, 80)}; give a tenantId the emulator printed.`);
      st = found;
    }
    return this.addScenario(st, name, rest, at);
  }

  /** Runs a scenario without adding it (to learn its time span). */
  preview(st: TenantState, name: string, at: number): { start: number; end: number } {
    const r = runScenario(name, st.dir, this.cfg.seed, at, {}, st.serial);
    return { start: r.start, end: r.end };
  }

  /** Runs a scenario in a tenant and feeds its records to the blob machinery. */
  addScenario(st: TenantState, name: string, params: Record<string, unknown>, at: number): GroundTruthScenario {
    const serial = st.serial++;
    const result = runScenario(name, st.dir, this.cfg.seed, at, params, serial);
    const t = this.cfg.timeline;
    const lat = new Rng(this.cfg.seed, 'scenario-latency', st.dir.index, name, at, serial);
    for (const r of result.records) {
      const json = JSON.stringify(r.record);
      const id = r.record.Id as string;
      // A blob once listed never changes: records injected into the past arrive in later blobs, as late
      // records do in production.
      const avail = Math.max(r.time + drawLatency(this.cfg.latency, lat), this.seenNow + 1);
      const slot = slotOf(t, avail);
      pushItem(st.scenarioBlobs, blobKey(slot, r.contentType), { id, json });
      st.scenarioRecords.push({ id, ct: r.contentType, slot });
      if (lat.next() < t.duplicateRate) {
        const dup = placeDuplicate(t, avail, duplicateDelay(this.cfg.latency, lat));
        if (dup !== null && slotOf(t, dup) !== slot) pushItem(st.scenarioBlobs, blobKey(slotOf(t, dup), r.contentType), { id, json });
      }
    }
    this.bodies.clear();
    const entry: GroundTruthScenario = {
      name: result.name,
      label: result.label,
      tenantId: st.dir.tenantId,
      actors: result.actors,
      victims: result.victims,
      start: new Date(result.start).toISOString(),
      end: new Date(result.end).toISOString(),
      recordIds: result.records.map((r) => r.record.Id as string),
      ...(result.details ? { details: result.details } : {}),
    };
    st.scenarios.push(entry);
    return entry;
  }
}

function pushItem(map: Map<number, ScenarioItem[]>, key: number, item: ScenarioItem): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

export function lagOf(latency: LatencyOptions): number {
  return maxLatency(latency) + maxDuplicateDelay(latency);
}
