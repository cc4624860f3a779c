// First-seen rules (`correlation: type: first_seen`, an auditwatch extension of Sigma correlations, like
// Elastic's "new terms"): a value of `fields` (or their combination) not seen for the group-by entity
// within `history`. This file compiles such a rule (references, group-by and value fields mapped) and
// renders its queries: per pass, the (tenant, entity, values) seen in a scope with their first and last
// event time and the first record's columns, one GROUP BY and plain aggregates (min, max, argMin), so it
// runs on every engine, ClickHouse 18.16 included (no CTE, no window function). Which of them are new is
// decided against the state store by the engine (engine/baseline.ts), not by rescanning the history.

import type { AppError } from '../../core/index.js';
import { dialectFragment, ident, join, raw, sql, type Sql } from '../../store/index.js';
import { mapField, serviceOf } from '../mapping/index.js';
import type { AnyRule, CorrelationRule, DetectionRule, FirstSeenSpec, Pos } from '../sigma/ast.js';
import { ruleError } from '../sigma/parse.js';
import type { DetectDialect } from './dialects.js';
import { guarded } from './guard.js';
import { scalarExpr } from './predicate.js';
import { ENTITY_COLUMNS, scopeFilter, type Scope } from './query.js';

export interface CompiledBaseline {
  kind: 'baseline';
  rule: CorrelationRule;
  refs: DetectionRule[];
  predicates: Sql[];
  /** The entity: group-by expressions (none: the tenant is the entity). */
  groupBy: Sql[];
  groupNames: string[];
  /** The value fields, in the order of `fields:`. */
  values: Sql[];
  valueNames: string[];
  spec: FirstSeenSpec;
  /** False when a chaining correlation silences it (never, today); absent means it raises hits. */
  emits?: boolean;
}

/** A field of a first-seen rule as one scalar expression, or an error at the rule's key. */
function scalarOf(d: DetectDialect, r: CorrelationRule, refs: DetectionRule[], name: string, key: 'group-by' | 'fields', pos: Pos, errors: AppError[]): Sql | null {
  const service = serviceOf(refs[0]!.logsource);
  if (!service.ok) return null;
  const m = mapField(service.value, name);
  if (!m.ok) {
    errors.push(ruleError(r.file, pos, `correlation.${key}.${name}`, m.error));
    return null;
  }
  const e = scalarExpr(d, m.value.ref);
  if (!e) errors.push(ruleError(r.file, pos, `correlation.${key}.${name}`, `${m.value.canonical} is every member of a Name/Value list; use one key (Parameters.Identity)`));
  return e;
}

/** Compiles a first_seen rule against the detection rules it references (by id or name). */
export function compileFirstSeen(
  r: CorrelationRule,
  byRef: ReadonlyMap<string, AnyRule>,
  predicates: ReadonlyMap<DetectionRule, Sql>,
  d: DetectDialect,
  errors: AppError[],
): CompiledBaseline | null {
  const spec = r.firstSeen;
  if (!spec) return null;
  const before = errors.length;
  const refs: DetectionRule[] = [];
  for (const ref of r.rules) {
    const target = byRef.get(ref);
    if (!target) errors.push(ruleError(r.file, r.at.rules, 'correlation.rules', `unknown rule "${ref}"; name a detection rule by its id or name`));
    else if (target.kind !== 'rule') errors.push(ruleError(r.file, r.at.rules, 'correlation.rules', `"${ref}" is a correlation; a first_seen rule references detection rules only`));
    else refs.push(target);
  }
  if (errors.length > before || refs.some((x) => !predicates.has(x))) return null;
  const groupBy = r.groupBy.map((g) => scalarOf(d, r, refs, g, 'group-by', r.at.groupBy, errors));
  const values = spec.fields.map((f) => scalarOf(d, r, refs, f, 'fields', r.at.condition, errors));
  if (errors.length > before || groupBy.some((x) => x === null) || values.some((x) => x === null)) return null;
  return {
    kind: 'baseline',
    rule: r,
    refs,
    predicates: refs.map((x) => predicates.get(x)!),
    groupBy: groupBy as Sql[],
    groupNames: [...r.groupBy],
    values: values as Sql[],
    valueNames: [...spec.fields],
    spec,
  };
}

/** Epoch ms of an aggregate of creation_time, in the form the server release has (18.16: no DateTime64). */
const msOf = (aggregate: 'min' | 'max'): Sql => dialectFragment((b) => b.msFromTimestamp(`${aggregate}(${b.quoteIdent('creation_time')})`));
const creation = ident('creation_time');

/**
 * Per (tenant, entity, values) seen in the scope among the rule's matches: t, g0…, v0…, first_ms,
 * last_ms, n, and the first record's id and entity columns (as e_<column>). Values that are empty or
 * NULL are no observation (a sign-in without a country teaches nothing). `guards` (see guard.ts) go
 * before each predicate.
 */
export function compileFirstSeenPairs(d: DetectDialect, b: Pick<CompiledBaseline, 'predicates' | 'groupBy' | 'values'>, scope: Scope, guards?: (Sql | null)[]): Sql {
  const groups = b.groupBy.map((g) => d.coalesce(d.text(g), sql`''`));
  const values = b.values.map((v) => d.text(v));
  const any = join(b.predicates.map((p, i) => sql`(${guarded(guards?.[i], p)})`), raw(' OR '));
  const present = join(values.map((v) => sql`${d.coalesce(v, sql`''`)} <> ''`), raw(' AND '));
  const keys = [sql`${ident('tenant_id')} AS t`, ...groups.map((g, i) => sql`${g} AS ${ident(`g${i}`)}`), ...values.map((v, i) => sql`${v} AS ${ident(`v${i}`)}`)];
  const groupKeys = [raw('t'), ...groups.map((_, i) => ident(`g${i}`)), ...values.map((_, i) => ident(`v${i}`))];
  const firsts = ['id', ...ENTITY_COLUMNS].map((c) => sql`argMin(${ident(c)}, ${creation}) AS ${ident(`e_${c}`)}`);
  return sql`SELECT ${join(keys)}, ${msOf('min')} AS first_ms, ${msOf('max')} AS last_ms, count(*) AS n, ${join(firsts)}
${d.fromEvents(sql`${scopeFilter(d, scope)} AND (${any}) AND ${present}`)}
GROUP BY ${join(groupKeys)}`;
}

/** The earliest event time per tenant (among `tenants`, or all): where a tenant's learning period starts. */
export function compileEarliestEvents(d: DetectDialect, tenants?: readonly string[]): Sql {
  const where = tenants ? sql`${ident('tenant_id')} IN (${join(tenants.map((t) => sql`${t}`))})` : undefined;
  return sql`SELECT ${ident('tenant_id')} AS t, ${msOf('min')} AS first_ms ${d.fromStoredRows(where)} GROUP BY ${ident('tenant_id')}`;
}

