// The simulated tenants as a ContentSource: listing computes only the hour skeletons a window needs;
// blob bodies are built on request (records rebuilt from their own seeded generators, so a duplicate copy
// is byte-identical to its original; the high-volume kinds written straight to JSON text by writers.ts)
// and kept in a bounded LRU; scenario records are held in memory
// (they are few) and pass through the same latency, duplicate and blob machinery as baseline events.

import { eventId, eventSalt, eventState, FastRng, hourWord } from './ids.js';
import { AppError, HOUR, Rng } from '../../core/index.js';
import { CONTENT_TYPES, type ContentType } from '../../records/index.js';
import type { BlobMeta, ContentSource, EmulatorTenant, GroundTruth, GroundTruthOptions, GroundTruthScenario, SignInUser } from '../model.js';
import { runScenario, scenarioNames } from '../scenarios/index.js';
import { ALL_KINDS } from './activity.js';
import type { Ctx } from './records.js';
import { contentId, parseContentId, slotCreated, type BlobLayout } from './blobs.js';
import type { TenantDirectory } from './directory.js';
import { drawLatency, duplicateDelay, maxDuplicateDelay, maxLatency, type LatencyOptions } from './latency.js';
import { Lru } from './lru.js';
import { blobKey, CT_INDEX, placeDuplicate, slotOf, Timeline, type TimelineConfig } from './timeline.js';

const SEVEN_DAYS = 7 * 24 * HOUR;

interface ScenarioItem {
  id: string;
  json: string;
}

interface CachedBlob {
  meta: BlobMeta;
  body: string;
}

export interface TenantState {
  dir: TenantDirectory;
  timeline: Timeline;
  region: string;
  scenarios: GroundTruthScenario[];
  /** blob key → scenario records in that blob (originals and duplicate copies). */
  scenarioBlobs: Map<number, ScenarioItem[]>;
  /** Every scenario record with the slot of its original (for ground truth). */
  scenarioRecords: { id: string; ct: ContentType; slot: number; dupSlot?: number }[];
  serial: number;
  /** Salt of this tenant's baseline event Ids and generators (ids.ts eventSalt). */
  salt?: number;
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
  private readonly bodies: Lru<string, CachedBlob>;
  /** The latest `now` a listing or ground truth was asked for: blobs up to it may have been seen. */
  private seenNow = Number.NEGATIVE_INFINITY;
  /** The generator reset for each baseline event a body is built from. */
  private readonly rng = new FastRng();

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

  /**
   * Everyone in the tenant's directory may sign in. Their app roles on the dashboard's registration:
   * the tenant's admins AuditWatch.Admin, every second other user AuditWatch.Analyst, the rest
   * AuditWatch.Viewer (deterministic for a seed).
   */
  signInUsers(tenantId: string): SignInUser[] {
    const st = this.state(tenantId);
    if (!st) return [];
    let others = 0;
    return st.dir.users.map((u) => ({
      upn: u.upn,
      displayName: u.displayName,
      objectId: u.objectId,
      roles: [u.isAdmin ? 'AuditWatch.Admin' : others++ % 2 === 0 ? 'AuditWatch.Analyst' : 'AuditWatch.Viewer'],
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
    const count = parts.length;
    // One join makes the body flat in a single copy (a template around the join would copy it again).
    parts[0] = `[${parts[0]!}`;
    parts[count - 1] = `${parts[count - 1]!}]`;
    const body = parts.join(',');
    const blob: CachedBlob = { meta: this.meta(st, parsed.ct, parsed.slot, count), body };
    this.bodies.set(cacheKey, blob);
    return blob;
  }

  private saltOf(st: TenantState): number {
    return (st.salt ??= eventSalt(this.cfg.seed, st.dir.index));
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
    const salt = this.saltOf(st);
    const rng = this.rng;
    const users = st.dir.users;
    const c: Ctx = { dir: st.dir, rng, time: 0, id: '' };
    for (let h = firstHour; h <= lastHour; h++) {
      if (!st.timeline.hasActivity(h)) continue;
      const bucket = st.timeline.hour(h);
      const refs = bucket.byBlob.get(key);
      if (!refs) continue;
      const hw = hourWord(salt, h);
      for (let k = 0; k < refs.length; k++) {
        const i = refs[k]! >> 1;
        const seq = bucket.seq[i]!;
        rng.reset(eventState(hw, seq));
        c.id = eventId(rng, hw, seq);
        c.time = bucket.times[i]!;
        const user = users[bucket.users[i]!]!;
        const kind = ALL_KINDS[bucket.kinds[i]!]!;
        out.push(kind.write ? kind.write(c, user, seed) : JSON.stringify(kind.build(c, user, seed)));
      }
    }
    for (const item of st.scenarioBlobs.get(key) ?? []) out.push(item.json);
    return out;
  }

  /**
   * Cost: one pass over every baseline event up to `now` — its Id is recomputed from (hour, index), no
   * record is built — plus rebuilding hour skeletons the cache no longer holds: about 0.3–1 µs per
   * record on one core (1 million records: 0.1–1 s measured). The answer holds every Id as a string, about
   * 60 bytes each. A 10-million-record tenant: ~3–10 s and ~600 MB while the answer lives (the control
   * surface then serialises ~400 MB of JSON).
   */
  groundTruth(now: number, created?: { from: number; to: number }, options: GroundTruthOptions = {}): GroundTruth {
    if (now > this.seenNow) this.seenNow = now;
    const available: GroundTruth['available'] = {};
    const times = options.times === true;
    const since: NonNullable<GroundTruth['availableSince']> = {};
    const pending: NonNullable<GroundTruth['pending']> = {};
    let nextSlot = Number.POSITIVE_INFINITY;
    const layout = this.cfg.layout;
    const t = this.cfg.timeline;
    const rng = new FastRng();
    const ctOfKind = ALL_KINDS.map((k) => CONTENT_TYPES.indexOf(k.contentType));
    // Exactly what the API serves at `now`: blobs published (contentCreated <= now) and not expired
    // (contentCreated > now - 7 days). A record counts when its original or its duplicate copy is in one.
    // With a `created` range, only slots of [created.from, min(now, created.to - 1ms)] (slot s's blob is
    // created at startTime + s·slotMs). A record known by `now` whose first blob comes later is pending.
    const nowSlot = Math.floor((now - layout.startTime) / layout.slotMs);
    const endSlot = created ? Math.floor((created.to - 1 - layout.startTime) / layout.slotMs) : Number.POSITIVE_INFINITY;
    const lastSlot = Math.min(nowSlot, endSlot);
    const servedFirst = Math.floor((now - SEVEN_DAYS - layout.startTime) / layout.slotMs) + 1;
    const firstSlot = created === undefined ? servedFirst : Math.max(servedFirst, Math.ceil((created.from - layout.startTime) / layout.slotMs));
    const usable = (slot: number) => slot >= firstSlot && slot <= endSlot;
    /** The first slot holding the record that is served now or later (NaN: none). */
    const firstUsable = (slot: number, dup: number) => (usable(slot) ? slot : !Number.isNaN(dup) && usable(dup) ? dup : Number.NaN);
    const iso = (slot: number) => new Date(slotCreated(layout, slot)).toISOString();
    for (const st of this.states) {
      const lists: string[][] = CONTENT_TYPES.map(() => []);
      const sinceLists: Record<string, string>[] = CONTENT_TYPES.map(() => ({}));
      const pendingLists: Record<string, string>[] = CONTENT_TYPES.map(() => ({}));
      const salt = this.saltOf(st);
      const firstHour = Math.floor(Math.max(t.historyStart, now - SEVEN_DAYS - this.cfg.maxLag) / HOUR);
      const lastHour = Math.floor(Math.min(now, t.activityEnd) / HOUR);
      for (let h = firstHour; h <= lastHour; h++) {
        if (!st.timeline.hasActivity(h)) continue;
        const b = st.timeline.hour(h);
        const hw = hourWord(salt, h);
        for (let i = 0; i < b.count; i++) {
          const dup = b.dupAvail[i]!;
          const slot = firstUsable(slotOf(t, b.avail[i]!), Number.isNaN(dup) ? Number.NaN : slotOf(t, dup));
          if (Number.isNaN(slot)) continue;
          const isServed = slot <= lastSlot;
          if (!isServed && (!times || b.times[i]! > now)) continue;
          const seq = b.seq[i]!;
          // Baseline Ids are unique by construction (ids.ts), so no set is needed to count them once.
          const id = eventId(rng.reset(eventState(hw, seq)), hw, seq);
          const k = ctOfKind[b.kinds[i]!]!;
          if (isServed) lists[k]!.push(id);
          if (!times) continue;
          (isServed ? sinceLists : pendingLists)[k]![id] = iso(slot);
          if (!isServed && slot < nextSlot) nextSlot = slot;
        }
      }
      const scenarioIds = CONTENT_TYPES.map(() => new Set<string>());
      for (const r of st.scenarioRecords) {
        const slot = firstUsable(r.slot, r.dupSlot ?? Number.NaN);
        if (Number.isNaN(slot)) continue;
        const k = CONTENT_TYPES.indexOf(r.ct);
        if (slot <= lastSlot) scenarioIds[k]!.add(r.id);
        if (!times) continue;
        (slot <= lastSlot ? sinceLists : pendingLists)[k]![r.id] = iso(slot);
        if (slot > lastSlot && slot < nextSlot) nextSlot = slot;
      }
      available[st.dir.tenantId] = Object.fromEntries(CONTENT_TYPES.map((ct, k) => [ct, lists[k]!.concat([...scenarioIds[k]!])]));
      if (times) {
        since[st.dir.tenantId] = Object.fromEntries(CONTENT_TYPES.map((ct, k) => [ct, sinceLists[k]!]));
        pending[st.dir.tenantId] = Object.fromEntries(CONTENT_TYPES.map((ct, k) => [ct, pendingLists[k]!]));
      }
    }
    return {
      asOf: new Date(now).toISOString(),
      servedFrom: new Date(slotCreated(layout, firstSlot)).toISOString(),
      ...(times ? { nextPublished: Number.isFinite(nextSlot) ? iso(nextSlot) : null, availableSince: since, pending } : {}),
      scenarios: this.states.flatMap((s) => s.scenarios.map((x) => ({ ...x, actors: [...x.actors], victims: [...x.victims], recordIds: [...x.recordIds] }))),
      available,
    };
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
      const entry: TenantState['scenarioRecords'][number] = { id, ct: r.contentType, slot };
      st.scenarioRecords.push(entry);
      if (lat.next() < t.duplicateRate) {
        const dup = placeDuplicate(t, avail, duplicateDelay(this.cfg.latency, lat));
        if (dup !== null && slotOf(t, dup) !== slot) {
          pushItem(st.scenarioBlobs, blobKey(slotOf(t, dup), r.contentType), { id, json });
          entry.dupSlot = slotOf(t, dup);
        }
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
