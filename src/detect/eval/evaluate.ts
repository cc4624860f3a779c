// eval: measures the rule pack against the emulator's ground truth. It reads the injected scenarios,
// fills a temporary store from the emulator (or uses a store already collected), learns identities,
// hunts with every rule over the whole history (nothing written to detection state or alerts), then per
// scenario: found = some alert's evidence holds one of its records; coverage = the share of its records
// that are evidence. False positives are alerts whose evidence touches a benign look-alike or holds no
// scenario record at all (baseline activity).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, ManualClock, silentLogger, systemClock, type Clock, type Logger } from '../../core/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import type { RuleOverride } from '../compile/index.js';
import { createDetector } from '../engine/detector.js';
import { learnIdentitiesFromStore } from '../engine/schedule.js';
import type { AnyRule } from '../sigma/ast.js';
import type { DetectionHit, Severity } from '../types.js';
import { COLLECT_LOOKBACK_MS, collectFromEmulator, enrichStored } from './collect.js';
import { emulatorBase, fetchEmulatorClock, fetchGroundTruth, fetchTenants, setEmulatorThrottle, type GroundTruth, type TruthScenario } from './truth.js';

export interface EvaluateOptions {
  /** The emulator's base URL (http://127.0.0.1:PORT). */
  emulator: string;
  /** The rules to measure (the built-in pack and the config's folders). */
  rules: AnyRule[];
  overrides?: Record<string, RuleOverride>;
  disabled?: string[];
  /** A store already holding the emulator's records; without it, a temporary DuckDB file is filled and removed. */
  store?: Store;
  logger?: Logger;
  /** The collector's clock; default: a clock at the emulator's now that skips waits. */
  clock?: Clock;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

export interface ScenarioScore {
  name: string;
  label: 'attack' | 'benign';
  /** An alert's evidence holds at least one of the scenario's records (for a benign look-alike: bad). */
  found: boolean;
  tenant: string;
  /** Share of the scenario's records (those stored) that are some alert's evidence. */
  coverage: number;
  /** The scenario's records in the store / in the ground truth (records not yet published are missing). */
  stored: number;
  records: number;
  /** Ids of the rules whose alerts hold its records. */
  rules: string[];
}

export interface FalsePositive {
  rule: string;
  title: string;
  severity: Severity;
  tenant: string;
  /** benign: evidence holds a benign look-alike's records; baseline: no scenario's records at all. */
  reason: 'benign' | 'baseline';
  scenario: string | null;
  firstSeen: string;
  count: number;
  evidence: string[];
}

export interface EvalReport {
  scenarios: ScenarioScore[];
  /** Found attack scenarios / attack scenarios (1 when there are none). */
  recall: number;
  falsePositives: FalsePositive[];
  /** Alerts whose evidence touches an attack scenario / all alerts (1 when there are none). */
  precision: number;
  alerts: number;
  /** Records collected into the temporary store (null when a store was given). */
  collected: number | null;
  /**
   * The emulator's published records the store lacks, per content type (all tenants); empty when the
   * store holds all. Without a store eval fails instead; with one, the CLI warns.
   */
  missing: Record<string, number>;
}

const key = (tenant: string, id: string) => `${tenant}\u0000${id.toLowerCase()}`;

/** Scores alerts against the ground truth (pure; exported for tests). */
export function score(truth: TruthScenario[], hits: DetectionHit[], storedIds: Set<string>): Omit<EvalReport, 'collected' | 'missing'> {
  const owner = new Map<string, TruthScenario>();
  for (const s of truth) for (const id of s.recordIds) owner.set(key(s.tenantId, id), s);
  const rulesOf = new Map<TruthScenario, Set<string>>();
  const covered = new Set<string>();
  const falsePositives: FalsePositive[] = [];
  let onAttacks = 0;
  for (const h of hits) {
    const touched = new Set<TruthScenario>();
    for (const id of h.evidence) {
      const k = key(h.tenantId, id);
      covered.add(k);
      const s = owner.get(k);
      if (s) touched.add(s);
    }
    for (const s of touched) {
      const set = rulesOf.get(s) ?? new Set<string>();
      set.add(h.ruleId);
      rulesOf.set(s, set);
    }
    const benign = [...touched].find((s) => s.label === 'benign');
    if ([...touched].some((s) => s.label === 'attack')) onAttacks++;
    if (benign || touched.size === 0) {
      falsePositives.push({
        rule: h.ruleId,
        title: h.title,
        severity: h.severity,
        tenant: h.tenantId,
        reason: benign ? 'benign' : 'baseline',
        scenario: benign ? benign.name : null,
        firstSeen: new Date(h.firstSeen).toISOString(),
        count: h.count,
        evidence: h.evidence.slice(0, 10),
      });
    }
  }
  const scenarios: ScenarioScore[] = truth.map((s) => {
    const ids = s.recordIds.map((id) => key(s.tenantId, id));
    const stored = ids.filter((k) => storedIds.has(k));
    const hit = stored.filter((k) => covered.has(k));
    return {
      name: s.name,
      label: s.label,
      found: hit.length > 0,
      tenant: s.tenantId,
      coverage: stored.length ? Math.round((hit.length / stored.length) * 1000) / 1000 : 0,
      stored: stored.length,
      records: ids.length,
      rules: [...(rulesOf.get(s) ?? [])].sort(),
    };
  });
  const attacks = scenarios.filter((s) => s.label === 'attack');
  return {
    scenarios,
    recall: attacks.length ? attacks.filter((s) => s.found).length / attacks.length : 1,
    falsePositives,
    precision: hits.length ? onAttacks / hits.length : 1,
    alerts: hits.length,
  };
}

/** Which of the scenarios' records are in the store (records not yet published by the API are not). */
async function storedIdsOf(store: Store, truth: TruthScenario[]): Promise<Set<string>> {
  return storedOf(store, truth.flatMap((s) => s.recordIds.map((id) => ({ tenant: s.tenantId, id }))));
}

/** The emulator's published records (ground truth `available`) the store lacks, per content type. */
export async function missingRecords(store: Store, available: GroundTruth['available']): Promise<Record<string, number>> {
  const wanted = Object.entries(available).flatMap(([tenant, types]) => Object.entries(types).flatMap(([ct, ids]) => ids.map((id) => ({ tenant, id, ct }))));
  const stored = await storedOf(store, wanted);
  const missing: Record<string, number> = {};
  for (const w of wanted) if (!stored.has(key(w.tenant, w.id))) missing[w.ct] = (missing[w.ct] ?? 0) + 1;
  return missing;
}

/** "Audit.Exchange 12, DLP.All 3" */
export function describeMissing(missing: Record<string, number>): string {
  return Object.entries(missing).map(([ct, n]) => `${ct} ${n}`).join(', ');
}

async function storedOf(store: Store, all: { tenant: string; id: string }[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const r of await store.eventKeys([...new Set(all.map((c) => c.id))])) out.add(key(r.tenantId, r.id));
  return out;
}

/** The real clock shifted to another clock's time (the emulator's). */
function offsetClock(offsetMs: number): Clock {
  return { now: () => Date.now() + offsetMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

/** Runs the whole measurement (see the file comment). */
export async function evaluate(o: EvaluateOptions): Promise<EvalReport> {
  const base = emulatorBase(o.emulator);
  const fetcher = o.fetch ?? fetch;
  const logger = o.logger ?? silentLogger;
  let store = o.store;
  let dir: string | null = null;
  let collected: number | null = null;
  let missing: Record<string, number> = {};
  try {
    const emulatorClock = await fetchEmulatorClock(base, fetcher);
    const now = emulatorClock.now;
    // A simulated emulator clock stands still, so waits can be skipped; against a real-time emulator the
    // collector's back-off and request budget must take real time (skipped waits exhaust its retries).
    const clock = o.clock ?? (emulatorClock.manual ? new ManualClock(now, { autoAdvance: true }) : offsetClock(now - Date.now()));
    // What a collector listing [since, now) gets: blobs created in the API's last 7 days (less a minute).
    const since = now - COLLECT_LOOKBACK_MS;
    const truth = await fetchGroundTruth(base, fetcher, { from: since, to: now });
    if (!store) {
      dir = await mkdtemp(join(tmpdir(), 'auditwatch-eval-'));
      const own = await openDuckDbStore({ path: join(dir, 'eval.duckdb') });
      store = own;
      await own.migrate();
      const tenants = await fetchTenants(base, fetcher);
      const quota = await setEmulatorThrottle(base, { perTenantPerMinute: 0, commonPerMinute: 0 }, fetcher);
      try {
        const complete = async () => {
          missing = await missingRecords(own, truth.available);
          return Object.keys(missing).length === 0;
        };
        const res = await collectFromEmulator({ base, tenants, store: own, clock, logger, since, complete, requestsPerMinute: 1_000_000, ...(o.signal ? { signal: o.signal } : {}) });
        collected = res.records;
        if (!(await complete())) {
          throw new AppError(
            'eval_incomplete',
            `The temporary store lacks some of the emulator's published records after ${res.passes} collection passes (${describeMissing(missing)}); check the emulator's faults (GET /_emulator/faults) and run eval again.`,
          );
        }
      } finally {
        await setEmulatorThrottle(base, quota, fetcher).catch(() => undefined);
      }
      // The collector stores rows as normalised; give them the GeoIP/ASN fields ingest enrichment adds.
      // A store given by the caller is measured as it was ingested.
      await enrichStored(store);
    } else {
      missing = await missingRecords(store, truth.available);
      if (Object.keys(missing).length) logger.warn('The store lacks some of the emulator\'s published records; collect from it before eval.', { missing });
    }
    await learnIdentitiesFromStore(store, clock.now());
    const detector = createDetector({
      store,
      clock,
      logger,
      rules: o.rules,
      ...(o.disabled ? { disabled: o.disabled } : {}),
      ...(o.overrides ? { overrides: o.overrides } : {}),
    });
    const hits = await detector.hunt({ from: 0, to: Math.max(now, clock.now()) + 86_400_000 });
    const stored = await storedIdsOf(store, truth.scenarios);
    return { ...score(truth.scenarios, hits, stored), collected, missing };
  } finally {
    if (dir) {
      await store?.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
}
