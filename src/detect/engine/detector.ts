// The detector: runs compiled rules against the store over an event-time range (`run`, `hunt`) or
// over what the last ingests touched (`runIncremental`, after every batch). Late records are found by
// ingested_at (a watermark per rule in detection_state); a correlation re-evaluates the event-time
// spans around them, so a burst completed by a record that arrives hours late fires when it arrives.
// Evidence that already produced a hit (detection_evidence) never produces a second one.

import { AppError, type Clock, type Logger } from '../../core/index.js';
import type { Row, Store } from '../../store/index.js';
import {
  compileKnownOperations,
  compileMatchesMany,
  compileRules,
  guardOf,
  noneStored,
  guarded,
  operationGuard,
  ruleOperations,
  usesIdentities,
  type KnownOperations,
  compileTouchedBuckets,
  correlationQuery,
  DETECT_DIALECTS,
  type CompiledCorrelation,
  type CompiledDetection,
  type CompiledRule,
  type RuleOverride,
} from '../compile/index.js';
import type { AnyRule, DetectionRule } from '../sigma/ast.js';
import type { DetectionHit, Entities, HitSink } from '../types.js';
import { buildHits, hitKey, onlyNewEvidence, recordEvidence, type EvidenceRow, type FoundEntities } from './hits.js';
import { correlationRows as correlationRowsOf } from './windows.js';
import { createBaselineMemo, createBaselinePass, type BaselinePass } from './baseline.js';

export interface DetectorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  rules: AnyRule[];
  /** Rule ids (or names) not to run. */
  disabled?: string[];
  /**
   * Rule ids switched off now (an admin's setting in the state store), asked before every run and
   * incremental pass: such a rule raises nothing, and an incremental pass moves its watermark on, so once
   * switched on again it reads what is ingested from then (detect --from covers a past range). Not hunt.
   */
  disabledNow?: () => Promise<ReadonlySet<string>>;
  /** Per-rule threshold and span, by rule id. */
  overrides?: Record<string, RuleOverride>;
  /** Where new hits go (the alerts service); without one, hits are only returned. */
  sink?: HitSink;
}

export interface RunOptions {
  from: number;
  to: number;
  /** Only these rules (by id or name). */
  ruleIds?: string[];
}

/** A rule that could not compile or whose query failed: skipped, the others run, until it works again. */
export interface RuleFailure {
  ruleId: string;
  /** Where the rule is written (file:line). */
  location: string;
  stage: 'compile' | 'run';
  message: string;
  /** When it first failed in a row (clock ms). */
  since: number;
}

export interface Detector {
  readonly rules: readonly CompiledRule[];
  /** The rules skipped now (did not compile, or their last query failed), with why. */
  failures(): RuleFailure[];
  /** Every rule over an event-time range; new evidence only; hits go to the sink. */
  run(options: RunOptions): Promise<DetectionHit[]>;
  /** What records ingested since the last pass touched; new evidence only; hits go to the sink. */
  runIncremental(): Promise<DetectionHit[]>;
  /** Ad-hoc: every hit in the range, no state read or written, nothing sent to the sink. */
  hunt(options: RunOptions): Promise<DetectionHit[]>;
}

export function createDetector(options: DetectorOptions): Detector {
  const { store, clock, logger } = options;
  const d = DETECT_DIALECTS[store.dialect.name];
  const disabled = new Set(options.disabled ?? []);
  const active = options.rules.filter((r) => !disabled.has(r.id) && !(r.name && disabled.has(r.name)));
  const compileOptions = options.overrides ? { overrides: options.overrides } : {};
  const failed = new Map<string, RuleFailure>();
  const where = (r: AnyRule) => `${r.file}:${r.pos.line}`;
  let { compiled, errors } = compileRules(active, d, compileOptions);
  if (errors.length) {
    // Isolation: find the rules that fail on their own (with the detection rules as references), skip them
    // and report each with file:line; every other rule runs.
    const usable: AnyRule[] = [];
    // Detection rules first, then correlations against the usable rules (chained ones too).
    for (const r of [...active.filter((x) => x.kind === 'rule'), ...active.filter((x) => x.kind !== 'rule')]) {
      const alone = compileRules([r, ...usable], d, compileOptions).errors;
      const own = alone[0];
      if (own) failed.set(r.id, { ruleId: r.id, location: where(r), stage: 'compile', message: own.display(), since: clock.now() });
      else usable.push(r);
    }
    ({ compiled, errors } = compileRules(usable, d, compileOptions));
    if (errors.length) throw new AppError('rules_invalid', `${errors.length} rule error(s): ${errors.slice(0, 3).map((e) => e.display()).join('; ')}; fix the rules or disable them (detect.disabled).`);
    for (const f of failed.values()) logger.warn('A rule does not compile and is skipped; fix it or disable it (detect.disabled).', { rule: f.ruleId, location: f.location, error: f.message });
  }
  /** A rule's query failed: skipped in this pass (its watermark stays), reported until it runs again. */
  const runFailed = (rule: CompiledRule, err: unknown) => {
    const prior = failed.get(rule.rule.id);
    const message = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err).slice(0, 300);
    failed.set(rule.rule.id, { ruleId: rule.rule.id, location: where(rule.rule), stage: 'run', message, since: prior?.since ?? clock.now() });
    if (!prior) logger.warn('A rule\'s query failed; it is skipped until it runs again, the other rules run.', { rule: rule.rule.id, location: where(rule.rule), error: message });
  };
  const ranOk = (rule: CompiledRule) => {
    if (failed.get(rule.rule.id)?.stage === 'run') failed.delete(rule.rule.id);
  };
  const emitting = compiled.filter((c) => (c.kind === 'rule' ? c.emits : c.emits !== false));

  const select = (ruleIds?: string[]) => {
    if (!ruleIds || ruleIds.length === 0) return emitting;
    const wanted = new Set(ruleIds);
    const chosen = compiled.filter((c) => wanted.has(c.rule.id) || (c.rule.name !== null && wanted.has(c.rule.name)));
    const missing = ruleIds.filter((id) => !compiled.some((c) => c.rule.id === id || c.rule.name === id));
    if (missing.length) throw new AppError('rule_unknown', `No rule "${missing[0]!.slice(0, 80)}"; see \`auditwatch rules list\`.`);
    return chosen;
  };

  type Range = { from: number; to: number } | { after: number; upTo: number };
  const offNow = async (): Promise<ReadonlySet<string>> => (options.disabledNow ? await options.disabledNow() : new Set<string>());

  // The operations stored (exact spelling → lower case), learnt by ingest time: rules test
  // `operation IN (exact spellings)` before anything else (see compile/guard.ts).
  const known: KnownOperations = new Map();
  let knownUpTo: number | null = null;
  /** Margin re-read on every refresh, for records committed late with an older ingest time. */
  const KNOWN_MARGIN_MS = 10 * 60_000;
  async function refreshOperations(): Promise<void> {
    const rows = await store.query<{ operation: string; low: string; w: number }>(compileKnownOperations(d, knownUpTo === null ? null : knownUpTo - KNOWN_MARGIN_MS));
    for (const r of rows) {
      known.set(String(r.operation), String(r.low));
      knownUpTo = Math.max(knownUpTo ?? 0, Number(r.w));
    }
  }
  const guard = (rule: DetectionRule) => operationGuard(rule, known);

  /**
   * Every rule over one scope: the detection rules together in one scan of `events` (a flag per rule),
   * then each correlation. Hits per rule, in the order given.
   */
  async function evaluateAll(rules: readonly CompiledRule[], scope: Range, baselines: BaselinePass = newBaselinePass()): Promise<DetectionHit[][]> {
    await refreshOperations();
    const detections = rules.filter((r): r is CompiledDetection => r.kind === 'rule');
    const rows = await detectionRows(detections, scope);
    const out: DetectionHit[][] = [];
    for (const rule of rules) {
      if (rule.kind === 'rule') {
        if (!rows.has(rule)) continue; // its query failed: no hits, reported in failures()
        out.push(buildHits(rule, rows.get(rule)!));
        continue;
      }
      try {
        if (rule.kind === 'baseline') out.push(await baselines.hits(rule, scope));
        else {
          const { rows: evidence, found } = await correlationRows(rule, scope);
          out.push(buildHits(rule, evidence, found));
        }
        ranOk(rule);
      } catch (err) {
        runFailed(rule, err);
      }
    }
    return out;
  }

  /** First-seen rules of one pass (baseline.ts); their state is written once the pass's hits are emitted. */
  const baselineMemo = createBaselineMemo();
  const newBaselinePass = () => createBaselinePass({ store, d, now: clock.now(), guard, memo: baselineMemo });

  /** Rules per scan, so that one query stays a reasonable size for the SQL engine. */
  const SCAN_CHUNK = 64;

  async function detectionRows(rules: CompiledDetection[], scope: Range, chunkSize = SCAN_CHUNK): Promise<Map<CompiledDetection, EvidenceRow[]>> {
    const out = new Map<CompiledDetection, EvidenceRow[]>();
    // A rule none of whose operations is stored matches nothing: it stays out of the scans (in a scan its
    // predicate would still be planned and evaluated on every row the other rules' guards let through).
    const live: CompiledDetection[] = [];
    for (const r of rules) {
      if (noneStored(r.rule, known)) {
        out.set(r, []);
        ranOk(r);
      } else live.push(r);
    }
    // Rules that look up identities each get a scan of their own (see usesIdentities); the rest share.
    const chunks: CompiledDetection[][] = live.filter((r) => usesIdentities(r.rule)).map((r) => [r]);
    const shared = live.filter((r) => !usesIdentities(r.rule));
    // Rules whose operations are known share scans behind one `operation IN (…)`, which the engine checks
    // inside the scan; a rule that may match any operation would make that guard an OR the scan cannot
    // use, so those rules share scans of their own.
    const guardable = shared.filter((r) => ruleOperations(r.rule) !== null);
    for (const part of [guardable, shared.filter((r) => !guardable.includes(r))]) for (let i = 0; i < part.length; i += chunkSize) chunks.push(part.slice(i, i + chunkSize));
    for (const chunk of chunks) {
      // Each rule's own guard before its predicate: a row of one rule's operation skips every other's.
      const q = compileMatchesMany(
        d,
        chunk.map((r) => guarded(guard(r.rule), r.predicate)),
        'from' in scope ? { kind: 'event-time', ...scope } : { kind: 'ingested', ...scope },
        guardOf(chunk, known),
      );
      let rows: Row[];
      try {
        rows = await store.query(q);
      } catch (err) {
        // One rule's SQL (or one record it reads) must not stop the others: run the chunk's rules one by one.
        if (chunk.length === 1) {
          runFailed(chunk[0]!, err);
          continue;
        }
        for (const [rule, list] of await detectionRows(chunk, scope, 1)) out.set(rule, list);
        continue;
      }
      for (const rule of chunk) {
        out.set(rule, []);
        ranOk(rule);
      }
      for (const r of rows) {
        chunk.forEach((rule, j) => {
          // A boolean, or 1/0 where the engine has no boolean type (ClickHouse before 21.12).
          const m = r[`m${j}`];
          if (m !== true && m !== 1) return;
          const list = out.get(rule) ?? [];
          list.push({ tenantId: String(r['tenant_id']), groupKey: actorKey(r), groupValues: {}, id: String(r['id']), ms: Number(r['ms']), row: r });
          out.set(rule, list);
        });
      }
    }
    return out;
  }

  async function correlationRows(rule: CompiledCorrelation, scope: Range): Promise<{ rows: EvidenceRow[]; found: FoundEntities }> {
    const span = rule.spanMs;
    // Chaining: a record at t changes the evidence of the chained correlation within its span of t,
    // so the windows to re-evaluate widen by that span on both sides.
    const extra = Math.max(0, ...(rule.inner ?? []).map((x) => x?.spanMs ?? 0));
    const intervals: [number, number][] = [];
    if ('from' in scope) intervals.push([scope.from - span, scope.to]);
    else {
      const buckets = await store.query<{ bucket: number }>(compileTouchedBuckets(d, rule.predicates, scope.after, scope.upTo, span));
      // A record at t joins windows anchored in [t - span, t]; a bucket b holds t in [b*span, (b+1)*span).
      for (const { bucket } of buckets) {
        const lo = Number(bucket) * span - span - extra;
        const hi = (Number(bucket) + 1) * span + extra;
        const last = intervals[intervals.length - 1];
        if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
        else intervals.push([lo, hi]);
      }
    }
    const out: EvidenceRow[] = [];
    const found: FoundEntities = new Map();
    for (const [anchorFrom, anchorTo] of intervals) {
      let islands = await correlationRowsOf(store, d, correlationQuery(rule, anchorFrom, anchorTo, guard));
      // Over a range, an island counts when some of its evidence lies in the range.
      if ('from' in scope) islands = islands.filter((isl) => isl.evidence.some((e) => e.ms >= scope.from && e.ms < scope.to));
      for (const isl of islands) {
        // One group key and group-values object per island, shared by its rows (a busy island has many).
        const groupValues: Record<string, string> = {};
        rule.groupNames.forEach((name, i) => (groupValues[name] = isl.groups[i] ?? ''));
        const groupKey = rule.groupNames.length ? rule.groupNames.map((name) => `${name}=${groupValues[name]}`).join('|') : '*';
        const { tenantId } = isl;
        // Not push(...): an island of a busy entity can hold more rows than a call's arguments may.
        for (const e of isl.evidence) out.push({ tenantId, groupKey, groupValues, id: e.id, ms: e.ms });
        if (isl.entities.length === 0) continue;
        const key = hitKey(tenantId, groupKey);
        const list = found.get(key) ?? [];
        for (const x of isl.entities) list.push(x as [keyof Entities, string]);
        found.set(key, list);
      }
    }
    return { rows: out, found };
  }

  async function emit(hitsPerRule: DetectionHit[][], fresh: boolean): Promise<DetectionHit[]> {
    const result: DetectionHit[] = [];
    for (const hits of hitsPerRule) for (const h of fresh ? await onlyNewEvidence(store, hits) : hits) result.push(h);
    if (fresh && result.length) {
      if (options.sink) await options.sink.ingest(result);
      await recordEvidence(store, result, clock.now());
    }
    return result;
  }

  return {
    rules: compiled,
    failures: () => [...failed.values()],
    async run({ from, to, ruleIds }) {
      const off = await offNow();
      const hits = await emit(await evaluateAll(select(ruleIds).filter((c) => !off.has(c.rule.id)), { from, to }), true);
      logger.info('Detection ran over a range.', { from: new Date(from).toISOString(), to: new Date(to).toISOString(), hits: hits.length });
      return hits;
    },
    async hunt({ from, to, ruleIds }) {
      return emit(await evaluateAll(select(ruleIds), { from, to }), false);
    },
    async runIncremental() {
      const upTo = await store.commitWatermark();
      if (upTo === null) return [];
      const states = await store.state.detection.watermarks();
      const off = await offNow();
      const perRule: DetectionHit[][] = [];
      const advanced: string[] = [];
      const skipped: string[] = [];
      // Rules that share a watermark (usually all of them) share one pass.
      const byWatermark = new Map<number, CompiledRule[]>();
      for (const rule of emitting) {
        const after = states.get(rule.rule.id) ?? -1;
        if (after >= upTo) continue;
        if (off.has(rule.rule.id)) {
          skipped.push(rule.rule.id);
          continue;
        }
        byWatermark.set(after, [...(byWatermark.get(after) ?? []), rule]);
        advanced.push(rule.rule.id);
      }
      // Ingest time only grows from commit to commit (the collector stamps it inside its one-writer lock),
      // so every row after the watermark is new to the rule.
      const baselines = newBaselinePass();
      for (const [after, rules] of byWatermark) perRule.push(...(await evaluateAll(rules, { after, upTo }, baselines)));
      const hits = await emit(perRule, true);
      await baselines.commit();
      // A rule whose query failed keeps its watermark: once it runs again it reads what it missed.
      const done = [...advanced.filter((id) => failed.get(id)?.stage !== 'run'), ...skipped];
      if (done.length) await store.state.detection.setWatermarks(done, upTo, clock.now());
      if (hits.length) logger.info('Incremental detection found new hits.', { hits: hits.length, watermark: new Date(upTo).toISOString() });
      return hits;
    },
  };
}

/**
 * The grouping of a simple rule's matches: its actor (the account, else the client IP, else the record),
 * so that one person's repeated matches make one alert that counts them, not one alert per record.
 */
function actorKey(r: Row): string {
  const user = r['user_id'];
  if (typeof user === 'string' && user.trim() !== '') return `UserId=${user.trim().toLowerCase()}`;
  const ip = r['client_ip'];
  if (typeof ip === 'string' && ip !== '') return `ClientIP=${ip}`;
  return `id=${String(r['id'])}`;
}
