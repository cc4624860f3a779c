// Guards: a cheap necessary condition of a detection rule on the `operation` column (the set of
// operations the rule can match, lower-cased), read off its selections and condition, and turned into
// an exact-case `operation IN (…)` with the spellings the store holds (the detector keeps that list up
// to date by ingest time). Lower-casing every row costs more than the rest of a scan; an exact IN list
// is checked inside the scan. Detection runs many rules in one scan of `events`; the union of their
// guards is tested first, so the costly parts of the predicates (JSON, regular expressions, identity
// look-ups) run only on the few rows that pass.

import { ident, join, raw, sql, sqlFalse, type Sql } from '../../store/index.js';
import { mapField, serviceOf, type ServiceMapping } from '../mapping/index.js';
import type { ConditionNode, DetectionRule, FieldMatch, Selection } from '../sigma/ast.js';
import { nameMatches } from '../sigma/condition.js';
import type { DetectDialect } from './dialects.js';

/** null: no constraint found (any operation may match). */
type Ops = Set<string> | null;

const union = (a: Ops, b: Ops): Ops => (a === null || b === null ? null : new Set([...a, ...b]));
const intersect = (a: Ops, b: Ops): Ops => (a === null ? b : b === null ? a : new Set([...a].filter((x) => b.has(x))));

function fieldOps(service: ServiceMapping, fm: FieldMatch): Ops {
  if (fm.field === null) return null;
  const m = mapField(service, fm.field);
  if (!m.ok || m.value.ref.kind !== 'column' || m.value.ref.column !== 'operation' || m.value.values) return null;
  const out = new Set<string>();
  for (const x of fm.matchers) {
    if (x.kind !== 'str' || !x.parts.every((p) => p.t === 'lit')) return null;
    out.add(x.parts.map((p) => (p.t === 'lit' ? p.s : '')).join('').toLowerCase());
  }
  return out.size ? out : null;
}

function selectionOps(service: ServiceMapping, s: Selection): Ops {
  if (s.kind === 'or') return s.items.map((i) => selectionOps(service, i)).reduce<Ops>((a, b) => union(a, b), new Set());
  return s.items.map((fm) => fieldOps(service, fm)).reduce<Ops>((a, b) => intersect(a, b), null);
}

function conditionOps(service: ServiceMapping, rule: DetectionRule, node: ConditionNode): Ops {
  switch (node.t) {
    case 'ref': {
      const s = rule.selections.get(node.name);
      return s ? selectionOps(service, s.selection) : new Set();
    }
    case 'not':
      return null;
    case 'of': {
      const names = [...rule.selections.keys()].filter((n) => nameMatches(node.pattern, n));
      const parts = names.map((n) => selectionOps(service, rule.selections.get(n)!.selection));
      if (parts.length === 0) return node.quantifier === 'all' ? null : new Set();
      return node.quantifier === 'all' ? parts.reduce<Ops>((a, b) => intersect(a, b), null) : parts.reduce<Ops>((a, b) => union(a, b), new Set());
    }
    case 'and':
      return node.items.map((i) => conditionOps(service, rule, i)).reduce<Ops>((a, b) => intersect(a, b), null);
    case 'or':
      return node.items.map((i) => conditionOps(service, rule, i)).reduce<Ops>((a, b) => union(a, b), new Set());
  }
}

/** The lower-cased operations a rule can match, or null when it may match any. */
export function ruleOperations(rule: DetectionRule): Set<string> | null {
  const service = serviceOf(rule.logsource);
  if (!service.ok) return null;
  return conditionOps(service.value, rule, rule.condition);
}

/** The operations stored, exactly as spelt, each with its lower-case form (as the SQL engine lowers it). */
export type KnownOperations = Map<string, string>;

/**
 * A rule's guard: `operation IN (…)` with the stored spellings of the operations it can match (an
 * equality the engine checks in the scan, with no lower-casing per row), FALSE when none is stored,
 * null when the rule's operations cannot be read off.
 */
export function operationGuard(rule: DetectionRule, known: KnownOperations): Sql | null {
  const ops = ruleOperations(rule);
  return ops === null ? null : inList([...known].filter(([, low]) => ops.has(low)).map(([exact]) => exact));
}

/** Whether none of the operations a rule can match is stored (its guard is FALSE: it matches nothing). */
export function noneStored(rule: DetectionRule, known: KnownOperations): boolean {
  const ops = ruleOperations(rule);
  return ops !== null && ![...known.values()].some((low) => ops.has(low));
}

function inList(values: string[]): Sql {
  return values.length ? sql`${ident('operation')} IN (${join(values.sort().map((v) => sql`${v}`))})` : sqlFalse;
}

/**
 * The guard of several rules: true for every row any of them can match. A rule whose operations cannot
 * be read off (e.g. `Operation|contains`) joins with its own predicate.
 */
export function guardOf(rules: { rule: DetectionRule; predicate: Sql }[], known: KnownOperations): Sql {
  const exact = new Set<string>();
  const others: Sql[] = [];
  for (const r of rules) {
    const ops = ruleOperations(r.rule);
    if (ops === null) others.push(sql`(${r.predicate})`);
    else for (const [x, low] of known) if (ops.has(low)) exact.add(x);
  }
  const parts = exact.size ? [inList([...exact]), ...others] : others;
  return parts.length ? join(parts, raw(' OR ')) : sqlFalse;
}

/**
 * A predicate behind its guard. The guard alone is what the engine pushes into the scan; the CASE keeps
 * the predicate's own column tests (lower-casing, JSON) from being pushed there too and run on every
 * row before the guard has cut them down.
 */
export function guarded(guard: Sql | null | undefined, predicate: Sql): Sql {
  return guard ? sql`(${guard}) AND CASE WHEN ${guard} THEN (${predicate}) ELSE ${sqlFalse} END` : predicate;
}

/**
 * Whether a rule looks people up in the identities table (`|sameperson`). Each look-up is a join in the
 * plan; many of them in one statement outgrow a small memory limit, so such rules get a scan of their own.
 */
export function usesIdentities(rule: DetectionRule): boolean {
  for (const { selection } of rule.selections.values()) if (selectionUses(selection)) return true;
  return false;
}

function selectionUses(s: Selection): boolean {
  return s.kind === 'or' ? s.items.some(selectionUses) : s.items.some((fm) => fm.matchers.some((m) => m.kind === 'sameperson'));
}

/**
 * The operations stored (exact spelling, its lower case, and the newest ingest time of each), for
 * KnownOperations; with `sinceMs`, only operations of records ingested after it.
 */
export function compileKnownOperations(d: DetectDialect, sinceMs: number | null): Sql {
  const since = sinceMs === null ? raw('') : sql` AND ${ident('ingested_at')} > ${d.timestamp(sinceMs)}`;
  return sql`SELECT ${ident('operation')} AS operation, ${d.lower(ident('operation'))} AS low, max(${d.ms(ident('ingested_at'))}) AS w ${d.fromStoredRows(sql`${ident('operation')} IS NOT NULL${since}`)} GROUP BY ${ident('operation')}`;
}
