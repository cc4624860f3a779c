// Whole queries: the events a detection rule matches in a scope, and Sigma correlations with exact
// sliding spans. A correlation window is anchored at every matching event t and covers [t, t + span]
// (both ends included), so "at least X events within any Y minutes" holds for any placement of the
// span, not fixed buckets. Overlapping firing windows of a group merge into islands; the evidence of an
// island is every matching event inside it.

import { ident, join, raw, sql, sqlFalse, type Row, type Sql } from '../../store/index.js';
import type { CorrelationCondition, CorrelationType } from '../sigma/ast.js';
import type { DetectDialect } from './dialects.js';
import { guarded } from './guard.js';

/** Columns every result row carries, to derive a hit's entities. */
export const ENTITY_COLUMNS = ['user_id', 'client_ip', 'mailbox_owner_upn', 'object_id', 'workload', 'record_type', 'application_id'] as const;

/**
 * A hit's entities, from its evidence rows: each kind from a column (a non-empty value), some only on
 * rows of given workloads or of a record type. The engine reads them off a detection rule's rows; a
 * correlation's query returns them per island (compileCorrelation).
 */
export const ENTITY_SOURCES = [
  { kind: 'users', column: 'user_id' },
  { kind: 'ips', column: 'client_ip' },
  { kind: 'mailboxes', column: 'mailbox_owner_upn' },
  { kind: 'files', column: 'object_id', workloads: ['SharePoint', 'OneDrive'] },
  { kind: 'mailboxes', column: 'object_id', recordType: 1 },
  { kind: 'applications', column: 'application_id' },
] as const;

/**
 * The most entity values of a kind a hit shows (the first in sort order); a correlation's query returns
 * no more of a kind per island than a hit can show.
 */
export const ENTITY_MAX = 20;

/** Which events a query looks at: an event-time range, or the records ingested in a watermark range. */
export type Scope =
  | { kind: 'event-time'; from: number; to: number }
  | { kind: 'ingested'; after: number; upTo: number };

export function scopeFilter(d: DetectDialect, scope: Scope): Sql {
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
  return sql`SELECT ${ident('tenant_id')}, ${ident('id')}, ${d.ms(ident('creation_time'))} AS ms, ${entityColumns()} ${d.fromEvents(sql`${scopeFilter(d, scope)} AND (${predicate})`)} ORDER BY ${ident('tenant_id')}, ms, ${ident('id')}${limit !== undefined ? sql` LIMIT ${limit}` : raw('')}`;
}

/**
 * The events any of several detection rules matches, in one scan: the columns of compileMatches plus
 * m0…mN, whether rule i matches the row. The OR in WHERE runs every predicate once per row at most;
 * the flags are computed only on the rows that passed it (few). `guard` (see guard.ts), a cheap
 * necessary condition, goes first.
 */
export function compileMatchesMany(d: DetectDialect, predicates: Sql[], scope: Scope, guard?: Sql): Sql {
  const flags = predicates.map((p, i) => sql`coalesce(${p}, ${sqlFalse}) AS ${ident(`m${i}`)}`);
  const any = join(predicates.map((p) => sql`(${p})`), raw(' OR '));
  return sql`SELECT ${ident('tenant_id')}, ${ident('id')}, ${d.ms(ident('creation_time'))} AS ms, ${entityColumns()}, ${join(flags)} ${d.fromEvents(sql`${scopeFilter(d, scope)}${guard ? sql` AND (${guard})` : raw('')} AND (${any})`)} ORDER BY ${ident('tenant_id')}, ms, ${ident('id')}`;
}

/**
 * Event-time buckets (of width `spanMs`) that hold records ingested in (after, upTo] matching any of
 * the predicates: the ranges an incremental pass must re-evaluate.
 */
export function compileTouchedBuckets(d: DetectDialect, predicates: Sql[], after: number, upTo: number, spanMs: number): Sql {
  const any = join(predicates.map((p) => sql`(${p})`), raw(' OR '));
  return sql`SELECT DISTINCT CAST(floor(${d.ms(ident('creation_time'))} / ${spanMs}) AS BIGINT) AS bucket ${d.fromStoredRows(sql`${scopeFilter(d, { kind: 'ingested', after, upTo })} AND (${any})`)} ORDER BY bucket`;
}

export interface CorrelationQuery {
  /** Never first_seen: those compile to baseline queries (baseline.ts). */
  type: CorrelationType;
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
  /** Per predicate, a cheap necessary condition tested before it (see guard.ts); null: none. */
  guards?: (Sql | null)[];
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
 * Rows of every island of firing windows: tenant_id, g0…gN (group values as text, '' for none), island,
 * lo, hi (ms), kind, val, ids: per island one row of its evidence (kind '', ids the JSON text of its
 * [id, ms] pairs in no given order; an event that several referenced rules match, temporal, comes once
 * per rule), and one row per entity value it returns (kind, val, ids ''; see ENTITY_SOURCES and
 * ENTITY_MAX). correlationIslands reads them back.
 */
export function compileCorrelation(d: DetectDialect, q: CorrelationQuery): Sql {
  return correlationSql(d, q, [], true);
}

/**
 * The same rows as compileCorrelation, with value_count counted by count(DISTINCT) OVER a sliding frame
 * (the plain form, slow on a large partition): the reference the property test holds the fast form to.
 */
export function compileCorrelationReference(d: DetectDialect, q: CorrelationQuery): Sql {
  return correlationSql(d, q, [], true, true);
}

/** A correlation's group-by columns (g0…gN), their expressions (as text, '' for none) and the counted value's. */
export function correlationExprs(d: DetectDialect, q: CorrelationQuery): { groups: Sql[]; groupExprs: Sql[]; valueExpr: Sql } {
  return {
    groups: q.groupBy.map((_, i) => ident(`g${i}`)),
    groupExprs: q.groupBy.map((g) => d.coalesce(d.text(g), sql`''`)),
    valueExpr: q.type === 'value_count' && q.value ? d.text(q.value) : raw('NULL'),
  };
}

/**
 * One branch of a correlation's base rows: the events matching `pred` in the range the windows read, as
 * t, id, ms, g0…gN, v, r (= index), the entity columns and c0…cN (the carried expressions).
 */
export function correlationBranch(d: DetectDialect, q: CorrelationQuery, pred: Sql, index: number, carry: Sql[], extra: Sql = raw('')): Sql {
  const creation = ident('creation_time');
  const range = sql`${creation} >= ${d.timestamp(q.anchorFrom)} AND ${creation} <= ${d.timestamp(q.anchorTo + q.spanMs)}`;
  const { groups, groupExprs, valueExpr } = correlationExprs(d, q);
  const carried = carry.map((c, i) => sql`, ${c} AS ${ident(`c${i}`)}`);
  return sql`SELECT ${ident('tenant_id')} AS t, ${ident('id')}, ${d.ms(creation)} AS ms${groupExprs.length ? sql`, ${join(groupExprs.map((g, i) => sql`${g} AS ${groups[i]!}`))}` : raw('')}, ${valueExpr} AS v, ${index} AS r, ${entityColumns()}${join(carried, raw(''))} ${d.fromEvents(sql`${range} AND (${pred})${extra}`)}`;
}

/**
 * The base rows of referenced rule `index` alone (temporal correlations: r = index), behind its guard;
 * with `groups` (each [tenant, group values…]), only rows of those groups.
 */
export function correlationRuleBranch(d: DetectDialect, q: CorrelationQuery, index: number, carry: Sql[], groups?: string[][]): Sql {
  const { groupExprs } = correlationExprs(d, q);
  const cut = groups ? sql` AND (${join([ident('tenant_id'), ...groupExprs])}) IN (${join(groups.map((k) => sql`(${join(k.map((x) => sql`${x}`))})`))})` : raw('');
  return correlationBranch(d, q, guarded(q.guards?.[index], q.predicates[index]!), index, carry, cut);
}

/** The base rows of several referenced rules together (event_count, value_count: r = 0), as correlationSql selects them. */
export function correlationRulesBranch(d: DetectDialect, q: CorrelationQuery, indexes: number[], carry: Sql[]): Sql {
  const { valueExpr } = correlationExprs(d, q);
  const min = minCount(q.condition);
  const needsValue = q.type === 'value_count' && q.value && min !== null && onlyLowerBound(q.condition);
  const any = join(indexes.map((i) => sql`(${guarded(q.guards?.[i], q.predicates[i]!)})`), raw(' OR '));
  return correlationBranch(d, q, any, 0, carry, needsValue ? sql` AND ${valueExpr} IS NOT NULL` : raw(''));
}

/**
 * The correlation query. `carry`: expressions over `events` computed on every base row and returned as
 * c0…cN (a chaining correlation carries its own group-by and value through its sources, so the
 * sources' evidence is never looked up again in `events`). `ordered`: whether the rows come sorted.
 */
function correlationSql(d: DetectDialect, q: CorrelationQuery, carry: Sql[], ordered: boolean, reference = false): Sql {
  const span = q.spanMs;
  const { groups, groupExprs, valueExpr } = correlationExprs(d, q);
  const partition = join([ident('t'), ...groups]);
  const temporal = q.type === 'temporal' || q.type === 'temporal_ordered';
  const counted = q.type === 'event_count' ? null : temporal ? ident('r') : ident('v');
  const carriedOut = (prefix: string) => join(carry.map((_, i) => sql`, ${raw(prefix)}.${ident(`c${i}`)}`), raw(''));

  const branch = (pred: Sql, index: number, extra: Sql = raw('')) => correlationBranch(d, q, pred, index, carry, extra);
  // A chained correlation contributes the events of its firing windows (its evidence), not its
  // predicate's: its query carries this one's group-by and value, so its rows need no second look-up.
  const sourceCtes: Sql[] = [];
  const sourceBranch = (src: CorrelationQuery, index: number): Sql => {
    const name = ident(`src${index}`);
    const inner = correlationSql(d, src, [...groupExprs, valueExpr, ...carry], false, reference);
    sourceCtes.push(sql`${name} ${raw(d.materialized)} (${inner})`);
    const cg = groups.map((x, i) => sql`, ${ident(`c${i}`)} AS ${x}`);
    const rest = carry.map((_, i) => sql`, ${ident(`c${groups.length + 1 + i}`)} AS ${ident(`c${i}`)}`);
    return sql`SELECT ${ident('tenant_id')} AS t, ${ident('id')}, ms${join(cg, raw(''))}, ${ident(`c${groups.length}`)} AS v, ${index} AS r, ${entityColumns()}${join(rest, raw(''))} FROM ${name} WHERE ms >= ${q.anchorFrom} AND ms <= ${q.anchorTo + span}`;
  };
  const sourceIndex = q.sources?.findIndex((s) => s) ?? -1;
  const min = minCount(q.condition);
  // A temporal correlation that needs every referenced rule fires only for groups the chained source
  // (few rows) has: the other rules' events are cut to those groups before anything else.
  const needsAll = temporal && min !== null && min >= q.predicates.length;
  const groupCut =
    needsAll && sourceIndex >= 0
      ? sql` AND (${join([ident('tenant_id'), ...groupExprs])}) IN (SELECT ${partition} FROM ${ident(`src${sourceIndex}_groups`)})`
      : raw('');
  const guardedAt = (i: number): Sql => guarded(q.guards?.[i], q.predicates[i]!);
  let base: Sql;
  if (temporal) {
    const parts = q.predicates.map((_, i) => {
      const src = q.sources?.[i];
      return src ? sourceBranch(src, i) : branch(guardedAt(i), i, groupCut);
    });
    base = join(parts, raw(' UNION ALL '));
  } else {
    const parts: Sql[] = [];
    const plain: Sql[] = [];
    q.predicates.forEach((_, i) => {
      const src = q.sources?.[i];
      if (src) parts.push(sourceBranch(src, 0));
      else plain.push(sql`(${guardedAt(i)})`);
    });
    // value_count with only a lower bound: a record without the counted value never helps a window
    // fire, so it is neither counted nor evidence.
    const needsValue = q.type === 'value_count' && q.value && min !== null && onlyLowerBound(q.condition);
    if (plain.length) parts.push(branch(join(plain, raw(' OR ')), 0, needsValue ? sql` AND ${valueExpr} IS NOT NULL` : raw('')));
    // An event both in a chained correlation's evidence and matching a rule counts once.
    base = join(parts, raw(` ${d.unionDistinct} `));
  }
  if (needsAll && sourceIndex >= 0) {
    const sg = groups.map((x, i) => sql`, ${ident(`c${i}`)} AS ${x}`);
    sourceCtes.push(sql`${ident(`src${sourceIndex}_groups`)} AS (SELECT DISTINCT ${ident('tenant_id')} AS t${join(sg, raw(''))} FROM ${ident(`src${sourceIndex}`)})`);
  }

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
  const onlyLower = onlyLowerBound(q.condition);
  const gOn = (a: string, b: string) => join([sql`${raw(a)}.t = ${raw(b)}.t`, ...groups.map((x) => sql`${raw(a)}.${x} = ${raw(b)}.${x}`)], raw(' AND '));
  const c = counted ? d.countDistinct(counted) : raw('count(*)');
  let prune = raw('');
  let source = raw('base');
  // Where base holds each event once (one branch: no temporal rules, no chained source), the pruned rows
  // carry only what the windows read, and the evidence takes its entity columns from base by Id: copying
  // the seven entity columns of every pruned row cost more than that join (the spray rule: 540k rows).
  const narrow = !temporal && !(q.sources ?? []).some(Boolean);
  const kept = narrow
    ? sql`base.t, base.${ident('id')}, base.ms${join(groups.map((x) => sql`, base.${x}`), raw(''))}, base.v, base.r${join(carry.map((_, i) => sql`, base.${ident(`c${i}`)}`), raw(''))}`
    : raw('base.*');
  if (min !== null && min > 1) {
    const k = d.bucket(ident('ms'), span);
    prune = onlyLower
      ? sql`
buckets AS (${
        counted
          ? sql`SELECT t${g}, k, count(*) AS c FROM (SELECT DISTINCT t${g}, ${k} AS k, ${counted} AS x FROM base WHERE ${counted} IS NOT NULL) z GROUP BY t${g}, k`
          : sql`SELECT t${g}, ${k} AS k, count(*) AS c FROM base GROUP BY t${g}, k`
      }),
pairs AS (SELECT x.t${gx('x', groups)}, x.k AS k FROM buckets x LEFT JOIN buckets y ON ${gOn('y', 'x')} AND y.k = x.k + 1 WHERE x.c + ${d.coalesce(raw('y.c'), raw('0'))} >= ${min}),
keep AS (SELECT DISTINCT t${g}, k FROM (SELECT t${g}, k FROM pairs UNION ALL SELECT t${g}, k + 1 AS k FROM pairs) z),
pruned AS (SELECT ${kept} FROM base JOIN keep ON ${gOn('base', 'keep')} AND ${d.bucket(raw('base.ms'), span)} = keep.k),`
      : sql`
keep AS (SELECT t${g} FROM base GROUP BY t${g} HAVING ${c} >= ${min}),
pruned AS (SELECT ${kept} FROM base JOIN keep ON ${gOn('base', 'keep')}),`;
    source = raw('pruned');
  }

  const inAnchorRange = sql`ms >= ${q.anchorFrom} AND ms < ${q.anchorTo}`;
  let anchorCtes: Sql;
  if (q.type === 'temporal_ordered') {
    // In order: a window anchored at an event of the first rule fires when an event of the second
    // follows it (at the same time or later), then one of the third after that one, …, the last within
    // the span. nx: per row, the earliest event of each later rule in [ms, ms + span]; the chain follows
    // the earliest successor, which is never worse than any other.
    const later = q.predicates.map((_, i) => i).slice(1);
    const nx = later.map((i) => sql`, min(CASE WHEN r = ${i} THEN ms END) OVER (${frame}) AS ${ident(`n${i}`)}`);
    const steps = later.map((i) => {
      const prev = i === 1 ? 's0' : `s${i - 1}`;
      return sql`,
s${raw(String(i))} AS (SELECT a.t${gx('a', groups)}, a.anchor AS anchor, x.${ident(`n${i}`)} AS m FROM ${raw(prev)} a JOIN nx x ON ${gOn('x', 'a')} AND x.ms = a.m)`;
    });
    const last = `s${q.predicates.length - 1}`;
    anchorCtes = sql`
nx AS (SELECT DISTINCT t${g}, ms${join(nx, raw(''))} FROM ${source}),
s0 AS (SELECT DISTINCT t${g}, ms AS anchor, ms AS m FROM ${source} WHERE r = 0 AND ${inAnchorRange})${join(steps, raw(''))},
anchors AS (SELECT DISTINCT t${g}, anchor AS ms FROM ${raw(last)} WHERE m IS NOT NULL AND m <= anchor + ${span}),`;
  } else if (q.type === 'value_count' && !reference) {
    // Distinct values in [t, t + span] without count(DISTINCT) OVER a sliding frame (costly on a large
    // partition): the occurrences of one value whose gaps are at most the span form a run [a, b]; the
    // value is in [t, t + span] exactly when a - span <= t <= b (runs of one value are disjoint). So the
    // count at t is a running sum of +1 at a - span and -1 at b + 1 (ms are integers), read at every row.
    const S = Math.trunc(span);
    const gv = join([ident('t'), ...groups, ident('v')]);
    anchorCtes = sql`
occ AS (SELECT DISTINCT t${g}, v, ms FROM ${source} WHERE v IS NOT NULL),
occb AS (SELECT t${g}, v, ms, CASE WHEN ms - ${d.lag(ident('ms'), sql`PARTITION BY ${gv} ORDER BY ms`)} <= ${S} THEN 0 ELSE 1 END AS brk FROM occ),
occr AS (SELECT t${g}, v, ms, sum(brk) OVER (PARTITION BY ${gv} ORDER BY ms ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run FROM occb),
runs AS (SELECT t${g}, min(ms) AS a, max(ms) AS b FROM occr GROUP BY t${g}, v, run),
deltas AS (SELECT t${g}, a - ${S} AS p, 1 AS dlt FROM runs UNION ALL SELECT t${g}, b + 1 AS p, -1 AS dlt FROM runs UNION ALL SELECT DISTINCT t${g}, ms AS p, 0 AS dlt FROM ${source}),
swept AS (SELECT t${g}, p, dlt, sum(dlt) OVER (PARTITION BY ${partition} ORDER BY p RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM deltas),
counted AS (SELECT t${g}, p AS ms, n FROM swept WHERE dlt = 0),
anchors AS (SELECT DISTINCT t${g}, ms FROM counted WHERE ${inAnchorRange} AND ${conditionSql(q.condition, ident('n'))}),`;
  } else {
    anchorCtes = sql`
counted AS (SELECT t${g}, ms, ${n} AS n FROM ${source}),
anchors AS (SELECT DISTINCT t${g}, ms FROM counted WHERE ${inAnchorRange} AND ${conditionSql(q.condition, ident('n'))}),`;
  }

  const ctes = sourceCtes.length ? sql`${join(sourceCtes)}, ` : raw('');
  const head = sql`WITH ${ctes}base ${raw(d.materialized)} (${base}),${prune}${anchorCtes}
marked AS (SELECT t${g}, ms, CASE WHEN ms - ${d.lag(ident('ms'), lagOver)} <= ${span} THEN 0 ELSE 1 END AS brk FROM anchors),
islands AS (SELECT t${g}, ms, sum(brk) OVER (PARTITION BY ${partition} ORDER BY ms ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island FROM marked),
windows AS (SELECT t${g}, island, min(ms) AS lo, max(ms) + ${span} AS hi FROM islands GROUP BY t${g}, island)`;
  const lookup = narrow && min !== null && min > 1;
  const e = lookup ? 'e' : 'b';
  const evidence = sql`FROM windows w JOIN ${source} b ON b.t = w.t${groupJoin}${lookup ? sql` JOIN base e ON e.t = b.t AND e.${ident('id')} = b.${ident('id')}` : raw('')}
WHERE b.ms >= w.lo AND b.ms <= w.hi`;
  // A chained correlation's rows feed another query: every column, each event once.
  if (!ordered) return sql`${head}
SELECT DISTINCT b.t AS tenant_id${bg}, w.island AS island, w.lo AS lo, w.hi AS hi, b.${ident('id')} AS id, b.ms AS ms, ${entityColumns(e)}${carriedOut('b')}
${evidence}`;
  // The rows a hit needs: per island, its evidence as one text of [id, ms] pairs (kind ''; a busy island
  // has hundreds of thousands of records, and a row each cost more than the windows), and its distinct
  // entity values (kind and val), at most ENTITY_MAX of a kind: the first in sort order, which are the
  // only ones a hit can show (see ENTITY_MAX), and any value whose order may differ between the engine's
  // byte order and JavaScript's (a character from U+E000 up), so the engine picks exactly those.
  // No aggregate is named after a column it reads (ClickHouse would take the alias inside it).
  const key = sql`t AS tenant_id${g}, island, lo, hi`;
  const entityRows = ENTITY_SOURCES.map((e) => {
    const c = ident(e.column);
    const only = [
      ...('workloads' in e ? [sql`${ident('workload')} IN (${join(e.workloads.map((w) => sql`${w}`))})`] : []),
      ...('recordType' in e ? [sql`${ident('record_type')} = ${e.recordType}`] : []),
    ];
    return sql`SELECT t${g}, island, lo, hi, ${e.kind} AS kind, ${c} AS val FROM ev WHERE ${c} <> ''${only.length ? sql` AND ${join(only, raw(' AND '))}` : raw('')}`;
  });
  return sql`${head},
ev ${raw(d.materialized)} (SELECT b.t AS t${bg}, w.island AS island, w.lo AS lo, w.hi AS hi, b.${ident('id')} AS id, b.ms AS ms, ${entityColumns(e)} ${evidence}),
ent AS (SELECT t${g}, island, lo, hi, kind, val FROM (${join(entityRows, raw('\nUNION ALL '))}) e GROUP BY t${g}, island, lo, hi, kind, val),
ranked AS (SELECT t${g}, island, lo, hi, kind, val, row_number() OVER (PARTITION BY t${g}, island, kind ORDER BY val) AS rk FROM ent)
SELECT * FROM (SELECT ${key}, '' AS kind, '' AS val, ${d.pairsJson(ident('id'), ident('ms'))} AS ids FROM ev GROUP BY t${g}, island, lo, hi
UNION ALL SELECT ${key}, kind, val, '' AS ids FROM ranked WHERE rk <= ${ENTITY_MAX} OR ${d.regex(ident('val'), sql`${UNORDERED_CHARS}`)}) z
ORDER BY tenant_id${g}, island, kind, val`;
}

/** Characters whose order differs between UTF-8 bytes (the engines) and UTF-16 units (JavaScript's sort). */
const UNORDERED_CHARS = '[\\x{E000}-\\x{10FFFF}]';

/** One island of a correlation's firing windows, read back from compileCorrelation's rows. */
export interface CorrelationIsland {
  tenantId: string;
  /** The group-by values as text ('' for none), in group-by order. */
  groups: string[];
  lo: number;
  hi: number;
  /** Each record once, by event time, then Id. */
  evidence: { id: string; ms: number }[];
  /** Distinct entity values (ENTITY_SOURCES), sorted; of a kind at least the first ENTITY_MAX. */
  entities: [kind: string, value: string][];
}

/** compileCorrelation's rows as islands, in the order the rows came (`groups`: the number of group-by columns). */
export function correlationIslands(rows: Row[], groups: number): CorrelationIsland[] {
  const out = new Map<string, CorrelationIsland>();
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  for (const r of rows) {
    const g = Array.from({ length: groups }, (_, i) => text(r[`g${i}`]));
    const k = JSON.stringify([text(r['tenant_id']), ...g, text(r['island'])]);
    let island = out.get(k);
    if (!island) out.set(k, (island = { tenantId: text(r['tenant_id']), groups: g, lo: Number(r['lo']), hi: Number(r['hi']), evidence: [], entities: [] }));
    const kind = text(r['kind']);
    if (kind !== '') {
      island.entities.push([kind, text(r['val'])]);
      continue;
    }
    const pairs = JSON.parse(text(r['ids'])) as [string, string][];
    for (let i = 0; i < pairs.length; i++) island.evidence.push({ id: pairs[i]![0], ms: Number(pairs[i]![1]) });
  }
  for (const island of out.values()) {
    const ev = island.evidence.sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // An event that several referenced rules match (temporal) comes once per rule: once sorted, its
    // copies are neighbours (same time, same Id).
    let n = 0;
    for (let i = 0; i < ev.length; i++) if (n === 0 || ev[i]!.id !== ev[n - 1]!.id || ev[i]!.ms !== ev[n - 1]!.ms) ev[n++] = ev[i]!;
    ev.length = n;
    island.entities.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  }
  return [...out.values()];
}

/** The entity values of a kind an island returns (see compileCorrelation): the engines' first in byte order, and any with a character from U+E000 up. */
export function cappedEntities(values: Iterable<string>): string[] {
  const sorted = [...new Set(values)].sort(byCodePoint);
  return sorted.filter((v, i) => i < ENTITY_MAX || /[\uE000-\uFFFF\uD800-\uDFFF]/.test(v));
}

/** Code-point order (UTF-8 byte order), as the engines sort text. */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** Whether the condition is only a lower bound (gt / gte). */
export function onlyLowerBound(c: CorrelationCondition): boolean {
  return c.lt === undefined && c.lte === undefined && c.eq === undefined;
}

/** The smallest count a firing window needs, when the condition sets one. */
export function minCount(c: CorrelationCondition): number | null {
  const mins = [c.gte, c.gt === undefined ? undefined : c.gt + 1, c.eq].filter((x): x is number => x !== undefined);
  return mins.length ? Math.max(...mins) : null;
}

function gx(alias: string, groups: Sql[]): Sql {
  return groups.length ? sql`, ${join(groups.map((x) => sql`${raw(alias)}.${x} AS ${x}`))}` : raw('');
}
