// The detector: runs compiled rules against the store over an event-time range (`run`, `hunt`) or
// over what the last ingests touched (`runIncremental`, after every batch). Late records are found by
// ingested_at (a watermark per rule in detection_state); a correlation re-evaluates the event-time
// spans around them, so a burst completed by a record that arrives hours late fires when it arrives.
// Evidence that already produced a hit (detection_evidence) never produces a second one.

import { AppError, type Clock, type Logger } from '../../core/index.js';
import { sql, type Row, type Store } from '../../store/index.js';
import {
  compileCorrelation,
  compileMatches,
  compileRules,
  compileTouchedBuckets,
  correlationQuery,
  DETECT_DIALECTS,
  type CompiledCorrelation,
  type CompiledDetection,
  type CompiledRule,
  type RuleOverride,
} from '../compile/index.js';
import type { AnyRule } from '../sigma/ast.js';
import type { DetectionHit, HitSink } from '../types.js';
import { buildHits, onlyNewEvidence, recordEvidence, type EvidenceRow } from './hits.js';

export interface DetectorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  rules: AnyRule[];
  /** Rule ids (or names) not to run. */
  disabled?: string[];
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

export interface Detector {
  readonly rules: readonly CompiledRule[];
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
  const { compiled, errors } = compileRules(active, d, options.overrides ? { overrides: options.overrides } : {});
  if (errors.length) {
    throw new AppError('rules_invalid', `${errors.length} rule error(s): ${errors.slice(0, 3).map((e) => e.display()).join('; ')}; fix the rules or disable them (detect.disabled).`);
  }
  const emitting = compiled.filter((c) => (c.kind === 'correlation' ? c.emits !== false : c.emits));

  const select = (ruleIds?: string[]) => {
    if (!ruleIds || ruleIds.length === 0) return emitting;
    const wanted = new Set(ruleIds);
    const chosen = compiled.filter((c) => wanted.has(c.rule.id) || (c.rule.name !== null && wanted.has(c.rule.name)));
    const missing = ruleIds.filter((id) => !compiled.some((c) => c.rule.id === id || c.rule.name === id));
    if (missing.length) throw new AppError('rule_unknown', `No rule "${missing[0]!.slice(0, 80)}"; see \`auditwatch rules list\`.`);
    return chosen;
  };

  async function evaluate(rule: CompiledRule, scope: { from: number; to: number } | { after: number; upTo: number }): Promise<DetectionHit[]> {
    if (rule.kind === 'rule') return buildHits(rule, await detectionRows(rule, scope));
    return buildHits(rule, await correlationRows(rule, scope));
  }

  async function detectionRows(rule: CompiledDetection, scope: { from: number; to: number } | { after: number; upTo: number }): Promise<EvidenceRow[]> {
    const q = compileMatches(d, rule.predicate, 'from' in scope ? { kind: 'event-time', ...scope } : { kind: 'ingested', ...scope });
    const rows = await store.query(q);
    return rows.map((r) => ({ tenantId: String(r['tenant_id']), groupKey: `id=${String(r['id'])}`, groupValues: {}, id: String(r['id']), ms: Number(r['ms']), row: r }));
  }

  async function correlationRows(rule: CompiledCorrelation, scope: { from: number; to: number } | { after: number; upTo: number }): Promise<EvidenceRow[]> {
    const span = rule.spanMs;
    const intervals: [number, number][] = [];
    if ('from' in scope) intervals.push([scope.from - span, scope.to]);
    else {
      const buckets = await store.query<{ bucket: number }>(compileTouchedBuckets(d, rule.predicates, scope.after, scope.upTo, span));
      // A record at t joins windows anchored in [t - span, t]; a bucket b holds t in [b*span, (b+1)*span).
      for (const { bucket } of buckets) {
        const lo = Number(bucket) * span - span;
        const hi = (Number(bucket) + 1) * span;
        const last = intervals[intervals.length - 1];
        if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
        else intervals.push([lo, hi]);
      }
    }
    const out: EvidenceRow[] = [];
    for (const [anchorFrom, anchorTo] of intervals) {
      const q = compileCorrelation(d, correlationQuery(rule, anchorFrom, anchorTo));
      const rows = await store.query(q);
      let islands = groupIslands(rule, rows);
      // Over a range, an island counts when some of its evidence lies in the range.
      if ('from' in scope) islands = islands.filter((isl) => isl.some((e) => e.ms >= scope.from && e.ms < scope.to));
      for (const isl of islands) out.push(...isl);
    }
    return out;
  }

  async function emit(hitsPerRule: DetectionHit[][], fresh: boolean): Promise<DetectionHit[]> {
    const result: DetectionHit[] = [];
    for (const hits of hitsPerRule) result.push(...(fresh ? await onlyNewEvidence(store, hits) : hits));
    if (fresh && result.length) {
      if (options.sink) await options.sink.ingest(result);
      await recordEvidence(store, result, clock.now());
    }
    return result;
  }

  return {
    rules: compiled,
    async run({ from, to, ruleIds }) {
      const perRule: DetectionHit[][] = [];
      for (const rule of select(ruleIds)) perRule.push(await evaluate(rule, { from, to }));
      const hits = await emit(perRule, true);
      logger.info('Detection ran over a range.', { from: new Date(from).toISOString(), to: new Date(to).toISOString(), hits: hits.length });
      return hits;
    },
    async hunt({ from, to, ruleIds }) {
      const perRule: DetectionHit[][] = [];
      for (const rule of select(ruleIds)) perRule.push(await evaluate(rule, { from, to }));
      return emit(perRule, false);
    },
    async runIncremental() {
      const top = await store.query<{ w: number | null }>(sql`SELECT ${d.ms(sql`max(ingested_at)`)} AS w FROM events`);
      const upTo = top[0]?.w === null || top[0]?.w === undefined ? null : Number(top[0].w);
      if (upTo === null) return [];
      const states = new Map((await store.query<{ rule_id: string; watermark_ms: number }>(sql`SELECT rule_id, watermark_ms FROM detection_state`)).map((r) => [r.rule_id, Number(r.watermark_ms)]));
      const perRule: DetectionHit[][] = [];
      const advanced: string[] = [];
      for (const rule of emitting) {
        const after = states.get(rule.rule.id) ?? -1;
        if (after >= upTo) continue;
        perRule.push(await evaluate(rule, { after, upTo }));
        advanced.push(rule.rule.id);
      }
      const hits = await emit(perRule, true);
      for (const id of advanced) {
        await store.execute(
          sql`INSERT INTO detection_state (rule_id, watermark_ms, updated_at) VALUES (${id}, ${upTo}, ${new Date(clock.now())}) ON CONFLICT (rule_id) DO UPDATE SET watermark_ms = excluded.watermark_ms, updated_at = excluded.updated_at`,
        );
      }
      if (hits.length) logger.info('Incremental detection found new hits.', { hits: hits.length, watermark: new Date(upTo).toISOString() });
      return hits;
    },
  };
}

/** Splits correlation rows into islands (tenant, group, island), each a list of evidence rows. */
function groupIslands(rule: CompiledCorrelation, rows: Row[]): EvidenceRow[][] {
  const map = new Map<string, EvidenceRow[]>();
  for (const r of rows) {
    const groupValues: Record<string, string> = {};
    rule.groupNames.forEach((name, i) => (groupValues[name] = String(r[`g${i}`] ?? '')));
    const groupKey = rule.groupNames.length ? rule.groupNames.map((n) => `${n}=${groupValues[n]}`).join('|') : '*';
    const key = `${String(r['tenant_id'])}\u0000${groupKey}\u0000${String(r['island'])}`;
    const list = map.get(key) ?? [];
    list.push({ tenantId: String(r['tenant_id']), groupKey, groupValues, id: String(r['id']), ms: Number(r['ms']), row: r });
    map.set(key, list);
  }
  return [...map.values()];
}
