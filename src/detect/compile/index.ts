// compile: a set of parsed rules → compiled rules for one detection backend. Resolves correlation
// references (by id or name), applies per-rule parameter overrides (threshold and span), maps
// group-by and value fields, and collects every error with its location.

import { AppError, parseDuration } from '../../core/index.js';
import { join, raw as rawSql, sql, type Sql } from '../../store/index.js';
import type { CorrelationQuery } from './query.js';
import { mapField, serviceOf } from '../mapping/index.js';
import type { AnyRule, CorrelationCondition, CorrelationRule, DetectionRule } from '../sigma/ast.js';
import { ruleError } from '../sigma/parse.js';
import { DETECT_DIALECTS, type DetectDialect } from './dialects.js';
import { compilePredicate, scalarExpr } from './predicate.js';
import { compileFirstSeen, type CompiledBaseline } from './baseline.js';

export { DETECT_DIALECTS, duckdbDetect, clickhouseDetect, type DetectDialect } from './dialects.js';
export { guardOf, guarded, noneStored, operationGuard, ruleOperations, usesIdentities, compileKnownOperations, type KnownOperations } from './guard.js';
export { compilePredicate, scalarExpr, samePerson, identityKey, IDENTITIES_TABLE } from './predicate.js';
export { compileFirstSeen, compileFirstSeenPairs, compileEarliestEvents, type CompiledBaseline } from './baseline.js';
export { compileMatches, compileMatchesMany, compileCorrelation, compileCorrelationReference, compileTouchedBuckets, correlationBranch, correlationRuleBranch, correlationRulesBranch, correlationExprs, correlationIslands, cappedEntities, minCount, ENTITY_COLUMNS, ENTITY_MAX, ENTITY_SOURCES, type Scope, type CorrelationQuery, type CorrelationIsland } from './query.js';

/** Per-rule parameters from the config: the span and the threshold of a correlation. */
export interface RuleOverride {
  timespan?: string;
  /** first_seen: the history and the learning period (durations like 30d). */
  history?: string;
  learning?: string;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
}

export interface CompiledDetection {
  kind: 'rule';
  rule: DetectionRule;
  predicate: Sql;
  /** False when the rule only feeds a correlation (Sigma `generate: false`). */
  emits: boolean;
}

export interface CompiledCorrelation {
  kind: 'correlation';
  rule: CorrelationRule;
  /** The referenced detection rules, in the order of `rules:`. */
  refs: DetectionRule[];
  predicates: Sql[];
  groupBy: Sql[];
  /** The group-by fields' raw names, in order (for entities). */
  groupNames: string[];
  value?: Sql;
  spanMs: number;
  condition: CorrelationCondition;
  /**
   * Sigma chaining: for each entry of `refs`/`predicates` that stands for a referenced correlation, that
   * correlation compiled (its firing evidence replaces the predicate's events); null for a detection rule.
   */
  inner?: (CompiledCorrelation | null)[];
  /** False when a chaining correlation (generate: false) silences this one; absent means it raises hits. */
  emits?: boolean;
}

export type CompiledRule = CompiledDetection | CompiledCorrelation | CompiledBaseline;

export interface CompileOptions {
  overrides?: Record<string, RuleOverride>;
}

/** Applies a config override to a correlation rule (returns a new rule). */
export function applyOverride(rule: CorrelationRule, o: RuleOverride | undefined): CorrelationRule {
  if (!o) return rule;
  const condition: CorrelationCondition = { ...(rule.condition.field !== undefined ? { field: rule.condition.field } : {}) };
  const ops = (['gt', 'gte', 'lt', 'lte', 'eq'] as const).filter((k) => o[k] !== undefined);
  for (const k of ops) condition[k] = o[k]!;
  if (rule.firstSeen) {
    const f = rule.firstSeen;
    return {
      ...rule,
      firstSeen: {
        ...f,
        historyMs: o.history !== undefined ? parseDuration(o.history, `history of rule ${rule.id}`) : f.historyMs,
        learningMs: o.learning !== undefined ? parseDuration(o.learning, `learning of rule ${rule.id}`) : f.learningMs,
      },
    };
  }
  return {
    ...rule,
    timespanMs: o.timespan !== undefined ? parseDuration(o.timespan, `timespan of rule ${rule.id}`) : rule.timespanMs,
    condition: ops.length ? condition : rule.condition,
  };
}

export function compileRules(rules: AnyRule[], dialect: DetectDialect | 'duckdb' | 'clickhouse', options: CompileOptions = {}): { compiled: CompiledRule[]; errors: AppError[] } {
  const d = typeof dialect === 'string' ? DETECT_DIALECTS[dialect] : dialect;
  const errors: AppError[] = [];
  const byRef = new Map<string, AnyRule>();
  for (const r of rules) {
    byRef.set(r.id, r);
    if (r.name) byRef.set(r.name, r);
  }
  const predicates = new Map<DetectionRule, Sql>();
  for (const r of rules) {
    if (r.kind !== 'rule') continue;
    const res = compilePredicate(r, d);
    if (res.ok) predicates.set(r, res.value);
    else errors.push(...res.errors);
  }
  const silenced = new Set<DetectionRule>();
  const compiled: CompiledRule[] = [];
  const compiledCorrelations = new Map<CorrelationRule, CompiledCorrelation>();
  const refersToCorrelation = (r: CorrelationRule) => r.rules.some((ref) => byRef.get(ref)?.kind === 'correlation');
  // Plain correlations first, then those that chain them (one level, as Sigma's examples do).
  const ordered = [...rules.filter((r) => r.kind === 'correlation' && !refersToCorrelation(r)), ...rules.filter((r) => r.kind === 'correlation' && refersToCorrelation(r))];
  for (const raw of ordered) {
    if (raw.kind !== 'correlation') continue;
    const r = applyOverride(raw, options.overrides?.[raw.id]);
    if (r.type === 'first_seen') {
      // A baseline (auditwatch extension): compiled on its own (baseline.ts), run against the state store.
      const b = compileFirstSeen(r, byRef, predicates, d, errors);
      if (b) {
        if (!r.generate) b.refs.forEach((x) => silenced.add(x));
        compiled.push(b);
      }
      continue;
    }
    const refs: DetectionRule[] = [];
    const inner: (CompiledCorrelation | null)[] = [];
    const chainedPredicates: (Sql | null)[] = [];
    let ok = true;
    for (const ref of r.rules) {
      const target = byRef.get(ref);
      if (!target) {
        errors.push(ruleError(r.file, r.at.rules, 'correlation.rules', `unknown rule "${ref}"; name a detection rule by its id or name`));
        ok = false;
      } else if (target.kind !== 'rule') {
        const chained = compiledCorrelations.get(target);
        if (chained && !chained.inner?.some((x) => x !== null)) {
          refs.push(chained.refs[0]!);
          inner.push(chained);
          chainedPredicates.push(join(chained.predicates.map((p) => sql`(${p})`), rawSql(' OR ')));
        } else {
          const why = chained || refersToCorrelation(target) ? 'chains another correlation itself; chain one level only' : 'is not a valid correlation (see its own error)';
          errors.push(ruleError(r.file, r.at.rules, 'correlation.rules', `"${ref}" ${why}`));
          ok = false;
        }
      } else {
        refs.push(target);
        inner.push(null);
        chainedPredicates.push(null);
      }
    }
    if (!ok) continue;
    const service = serviceOf(refs[0]!.logsource);
    if (!service.ok) continue;
    const groupBy: Sql[] = [];
    for (const g of r.groupBy) {
      const m = mapField(service.value, g);
      if (!m.ok) {
        errors.push(ruleError(r.file, r.at.groupBy, `correlation.group-by.${g}`, m.error));
        ok = false;
      } else {
        const e = scalarExpr(d, m.value.ref);
        if (e) groupBy.push(e);
        else {
          errors.push(ruleError(r.file, r.at.groupBy, `correlation.group-by.${g}`, `${m.value.canonical} is every member of a Name/Value list; group by one key (Parameters.Identity)`));
          ok = false;
        }
      }
    }
    let value: Sql | undefined;
    if (r.type === 'value_count' && r.condition.field !== undefined) {
      const m = mapField(service.value, r.condition.field);
      if (!m.ok) {
        errors.push(ruleError(r.file, r.at.condition, 'correlation.condition.field', m.error));
        ok = false;
      } else {
        const e = scalarExpr(d, m.value.ref);
        if (e) value = e;
        else {
          errors.push(ruleError(r.file, r.at.condition, 'correlation.condition.field', `${m.value.canonical} is every member of a Name/Value list; count one key (Parameters.Identity)`));
          ok = false;
        }
      }
    }
    if (!ok || refs.some((x) => !predicates.has(x))) continue;
    if (!r.generate) {
      refs.forEach((x, i) => {
        if (inner[i]) inner[i]!.emits = false;
        else silenced.add(x);
      });
    }
    const c: CompiledCorrelation = {
      kind: 'correlation',
      rule: r,
      refs,
      predicates: refs.map((x, i) => chainedPredicates[i] ?? predicates.get(x)!),
      groupBy,
      groupNames: [...r.groupBy],
      ...(value ? { value } : {}),
      spanMs: r.timespanMs,
      condition: r.condition,
      ...(inner.some((x) => x !== null) ? { inner } : {}),
    };
    compiledCorrelations.set(raw, c);
    compiled.push(c);
  }
  const detections: CompiledRule[] = [];
  for (const [rule, predicate] of predicates) detections.push({ kind: 'rule', rule, predicate, emits: !silenced.has(rule) });
  return { compiled: [...detections, ...compiled], errors };
}

/**
 * The query of a compiled correlation for windows anchored in [anchorFrom, anchorTo): a chained
 * correlation's inner correlations are evaluated over a range wide enough to yield every piece of
 * their evidence the outer windows can hold. `guard`: a cheap necessary condition per referenced
 * detection rule (see guard.ts), tested before its predicate.
 */
export function correlationQuery(c: CompiledCorrelation, anchorFrom: number, anchorTo: number, guard?: (rule: DetectionRule) => Sql | null): CorrelationQuery {
  return {
    type: c.rule.type,
    predicates: c.predicates,
    groupBy: c.groupBy,
    ...(c.value ? { value: c.value } : {}),
    spanMs: c.spanMs,
    condition: c.condition,
    anchorFrom,
    anchorTo,
    ...(c.inner ? { sources: c.inner.map((x) => (x ? correlationQuery(x, anchorFrom - x.spanMs, anchorTo + c.spanMs, guard) : null)) } : {}),
    ...(guard ? { guards: c.refs.map((r, i) => (c.inner?.[i] ? null : guard(r))) } : {}),
  };
}
