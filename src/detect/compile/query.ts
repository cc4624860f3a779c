// Whole queries: the events a detection rule matches in a scope, and Sigma correlations with exact
// sliding spans. A correlation window is anchored at every matching event t and covers [t, t + span]
// (both ends included), so "at least X events within any Y minutes" holds for any placement of the
// span, not fixed buckets. Overlapping firing windows of a group merge into islands; the evidence of an
// island is every matching event inside it.

import { ident, join, raw, sql, type Sql } from '../../store/index.js';
import type { CorrelationCondition } from '../sigma/ast.js';
import type { DetectDialect } from './dialects.js';

/** Columns every result row carries, to derive a hit's entities. */
export const ENTITY_COLUMNS = ['user_id', 'client_ip', 'mailbox_owner_upn', 'object_id', 'workload', 'record_type', 'application_id'] as const;

/** Which events a query looks at: an event-time range, or the records ingested in a watermark range. */
export type Scope =
  | { kind: 'event-time'; from: number; to: number }
  | { kind: 'ingested'; after: number; upTo: number };

function scopeFilter(d: DetectDialect, scope: Scope): Sql {
  if (scope.kind === 'event-time') {
    return sql`${ident('creation_time')} >= ${d.timestamp(scope.from)} AND ${ident('creation_time')} < ${d.timestamp(scope.to)}`;
  }
  return sql`${ident('ingested_at')} > ${d.timestamp(scope.after)} AND ${ident('ingested_at')} <= ${d.timestamp(scope.upTo)}`;
}

function entityColumns(prefix?: string): Sql {
  return join(ENTITY_COLUMNS.map((c) => (prefix ? sql`${raw(prefix)}.${ident(c)}` : ident(c))));
}

/** The events a detection rule matches: tenant_id, id, ms (event time) and the entity columns. */
export function compileMatches(d: DetectDialect, predicate: Sql, scope: Scope, limit?: number): Sql {
  return sql`SELECT ${ident('tenant_id')}, ${ident('id')}, ${d.ms(ident('creation_time'))} AS ms, ${entityColumns()} FROM ${ident('events')} WHERE ${scopeFilter(d, scope)} AND (${predicate}) ORDER BY ${ident('tenant_id')}, ms, ${ident('id')}${limit !== undefined ? sql` LIMIT ${limit}` : raw('')}`;
}

/**
 * Event-time buckets (of width `spanMs`) that hold records ingested in (after, upTo] matching any of
 * the predicates: the ranges an incremental pass must re-evaluate.
 */
export function compileTouchedBuckets(d: DetectDialect, predicates: Sql[], after: number, upTo: number, spanMs: number): Sql {
  const any = join(predicates.map((p) => sql`(${p})`), raw(' OR '));
  return sql`SELECT DISTINCT CAST(floor(${d.ms(ident('creation_time'))} / ${spanMs}) AS BIGINT) AS bucket FROM ${ident('events')} WHERE ${scopeFilter(d, { kind: 'ingested', after, upTo })} AND (${any}) ORDER BY bucket`;
}

export interface CorrelationQuery {
  type: 'event_count' | 'value_count' | 'temporal';
  /** One predicate per referenced rule (event_count / value_count OR them). */
  predicates: Sql[];
  /** Group-by expressions, already mapped. */
  groupBy: Sql[];
  /** value_count: the expression whose distinct values are counted. */
  value?: Sql;
  spanMs: number;
  condition: CorrelationCondition;
  /** Windows are anchored at events with anchorFrom <= t < anchorTo; data read up to anchorTo + span. */
  anchorFrom: number;
  anchorTo: number;
  /** Sigma chaining: per predicate, a correlation whose firing evidence stands in for it (null: the predicate). */
  sources?: (CorrelationQuery | null)[];
}

function conditionSql(c: CorrelationCondition, n: Sql): Sql {
  const parts: Sql[] = [];
  if (c.gt !== undefined) parts.push(sql`${n} > ${c.gt}`);
  if (c.gte !== undefined) parts.push(sql`${n} >= ${c.gte}`);
  if (c.lt !== undefined) parts.push(sql`${n} < ${c.lt}`);
  if (c.lte !== undefined) parts.push(sql`${n} <= ${c.lte}`);
  if (c.eq !== undefined) parts.push(sql`${n} = ${c.eq}`);
  return join(parts, raw(' AND '));
}

/**
 * Rows: tenant_id, g0…gN (group values as text, '' for none), island, lo, hi (ms), id, ms and the
 * entity columns, for every event of every island of firing windows.
 */
export function compileCorrelation(d: DetectDialect, q: CorrelationQuery): Sql {
  const span = q.spanMs;
  const creation = ident('creation_time');
  const range = sql`${creation} >= ${d.timestamp(q.anchorFrom)} AND ${creation} <= ${d.timestamp(q.anchorTo + span)}`;
  const groups = q.groupBy.map((_, i) => ident(`g${i}`));
  const groupSelect = q.groupBy.map((g, i) => sql`${d.coalesce(d.text(g), sql`''`)} AS ${ident(`g${i}`)}`);
  const partition = join([ident('t'), ...groups]);
  const counted = q.type === 'event_count' ? null : q.type === 'temporal' ? ident('r') : ident('v');

  const branch = (pred: Sql, index: number) =>
    sql`SELECT ${ident('tenant_id')} AS t, ${ident('id')}, ${d.ms(creation)} AS ms${groupSelect.length ? sql`, ${join(groupSelect)}` : raw('')}, ${
      q.type === 'value_count' && q.value ? d.text(q.value) : raw('NULL')
    } AS v, ${index} AS r, ${entityColumns()} FROM ${ident('events')} WHERE ${range} AND (${pred})`;
  // A chained correlation contributes the events of its firing windows (its evidence), not its predicate's.
  const predicates = q.predicates.map((p, i) => {
    const src = q.sources?.[i];
    return src ? sql`(${ident('tenant_id')}, ${ident('id')}) IN (SELECT ${ident('tenant_id')}, ${ident('id')} FROM (${compileCorrelation(d, src)}) AS ${ident(`chained${i}`)})` : p;
  });
  const base =
    q.type === 'temporal'
      ? join(predicates.map((p, i) => branch(p, i)), raw(' UNION ALL '))
      : branch(join(predicates.map((p) => sql`(${p})`), raw(' OR ')), 0);

  const frame = sql`PARTITION BY ${partition} ORDER BY ms RANGE BETWEEN CURRENT ROW AND ${raw(String(Math.trunc(span)))} FOLLOWING`;
  const n = counted ? d.countDistinctWindow(counted, frame) : sql`count(*) OVER (${frame})`;
  const g = groups.length ? sql`, ${join(groups)}` : raw('');
  const bg = groups.length ? sql`, ${join(groups.map((x) => sql`b.${x} AS ${x}`))}` : raw('');
  const groupJoin = groups.length ? sql` AND ${join(groups.map((x) => sql`b.${x} = w.${x}`), raw(' AND '))}` : raw('');
  const lagOver = sql`PARTITION BY ${partition} ORDER BY ms`;

  // Pruning, exact: a window [t, t + span] lies within two adjacent span-wide buckets, so it can reach
  // `min` only where two adjacent buckets together hold `min` (events, or distinct values). With only
  // gt / gte, rows outside such bucket pairs cannot change a firing window and are dropped before the
  // window functions; with eq, whole groups below `min` are dropped; with only lt / lte, nothing is.
  const min = minCount(q.condition);
  const onlyLower = q.condition.lt === undefined && q.condition.lte === undefined && q.condition.eq === undefined;
  const gOn = (a: string, b: string) => join([sql`${raw(a)}.t = ${raw(b)}.t`, ...groups.map((x) => sql`${raw(a)}.${x} = ${raw(b)}.${x}`)], raw(' AND '));
  const c = counted ? d.countDistinct(counted) : raw('count(*)');
  let prune = raw('');
  let source = raw('base');
  if (min !== null && min > 1) {
    const k = d.bucket(ident('ms'), span);
    prune = onlyLower
      ? sql`
buckets AS (SELECT t${g}, ${k} AS k, ${c} AS c FROM base GROUP BY t${g}, k),
pairs AS (SELECT x.t${gx('x', groups)}, x.k AS k FROM buckets x LEFT JOIN buckets y ON ${gOn('y', 'x')} AND y.k = x.k + 1 WHERE x.c + ${d.coalesce(raw('y.c'), raw('0'))} >= ${min}),
keep AS (SELECT DISTINCT t${g}, k FROM (SELECT t${g}, k FROM pairs UNION ALL SELECT t${g}, k + 1 AS k FROM pairs) z),
pruned AS (SELECT base.* FROM base JOIN keep ON ${gOn('base', 'keep')} AND ${d.bucket(raw('base.ms'), span)} = keep.k),`
      : sql`
keep AS (SELECT t${g} FROM base GROUP BY t${g} HAVING ${c} >= ${min}),
pruned AS (SELECT base.* FROM base JOIN keep ON ${gOn('base', 'keep')}),`;
    source = raw('pruned');
  }

  return sql`WITH base ${raw(d.materialized)} (${base}),${prune}
counted AS (SELECT t${g}, ms, ${n} AS n FROM ${source}),
anchors AS (SELECT DISTINCT t${g}, ms FROM counted WHERE ms >= ${q.anchorFrom} AND ms < ${q.anchorTo} AND ${conditionSql(q.condition, ident('n'))}),
marked AS (SELECT t${g}, ms, CASE WHEN ms - ${d.lag(ident('ms'), lagOver)} <= ${span} THEN 0 ELSE 1 END AS brk FROM anchors),
islands AS (SELECT t${g}, ms, sum(brk) OVER (PARTITION BY ${partition} ORDER BY ms ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island FROM marked),
windows AS (SELECT t${g}, island, min(ms) AS lo, max(ms) + ${span} AS hi FROM islands GROUP BY t${g}, island)
SELECT DISTINCT b.t AS tenant_id${bg}, w.island AS island, w.lo AS lo, w.hi AS hi, b.${ident('id')} AS id, b.ms AS ms, ${entityColumns('b')}
FROM windows w JOIN ${source} b ON b.t = w.t${groupJoin}
WHERE b.ms >= w.lo AND b.ms <= w.hi
ORDER BY tenant_id${g}, island, ms, id`;
}

/** The smallest count a firing window needs, when the condition sets one. */
function minCount(c: CorrelationCondition): number | null {
  const mins = [c.gte, c.gt === undefined ? undefined : c.gt + 1, c.eq].filter((x): x is number => x !== undefined);
  return mins.length ? Math.max(...mins) : null;
}

function gx(alias: string, groups: Sql[]): Sql {
  return groups.length ? sql`, ${join(groups.map((x) => sql`${raw(alias)}.${x} AS ${x}`))}` : raw('');
}
