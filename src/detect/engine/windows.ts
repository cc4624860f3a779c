// Correlation windows for engines without CTEs and window functions (ClickHouse before 21.12, e.g.
// Debian's 18.16): the engine selects each branch's base rows (the events of the referenced rules in the
// range the windows read, compile/query.ts correlationBranch) and the sliding spans, anchors, islands and
// evidence are finished here, with the same meaning as compileCorrelation's SQL (query.ts): a window
// anchored at every event t covers [t, t + span]; overlapping firing windows of a group merge into
// islands; the evidence of an island is every base row inside it. The rows returned have the columns of
// compileCorrelation's (tenant_id, g0…gN, island, lo, hi, id, ms, the entity columns, c0…cN), so the
// detector treats both alike. Engines that have CTEs and window functions run the SQL form.

import type { Row, Sql } from '../../store/index.js';
import type { CorrelationCondition } from '../sigma/ast.js';
import { cappedEntities, compileCorrelation, correlationExprs, correlationIslands, correlationRuleBranch, correlationRulesBranch, ENTITY_COLUMNS, ENTITY_SOURCES, minCount, type CorrelationIsland, type CorrelationQuery, type DetectDialect } from '../compile/index.js';

/** Runs a query built by the compiler (the store's analytics port). */
export interface QueryRunner {
  readonly dialect: { readonly capabilities: { readonly ctes: boolean; readonly windowFunctions: boolean } };
  query(q: Sql): Promise<Row[]>;
}

/** A correlation's islands (see the file comment): in SQL where the engine can, else finished here. */
export async function correlationRows(store: QueryRunner, d: DetectDialect, q: CorrelationQuery): Promise<CorrelationIsland[]> {
  const caps = store.dialect.capabilities;
  const rows = caps.ctes && caps.windowFunctions ? await store.query(compileCorrelation(d, q)) : hitRows(await windowedRows(store, d, q, []));
  return correlationIslands(rows, q.groupBy.length);
}

/**
 * The evidence rows of finish() in compileCorrelation's final shape: per island one row of its evidence
 * (kind '', ids), then its entity values (kind, val; ENTITY_SOURCES), as many of a kind as the SQL form
 * returns (cappedEntities).
 */
function hitRows(rows: Row[]): Row[] {
  const out: Row[] = [];
  const islands = new Map<string, { head: Row; pairs: [string, string][]; values: Map<string, Set<string>> }>();
  for (const row of rows) {
    const head: Row = {};
    for (const [k, v] of Object.entries(row)) if (k === 'tenant_id' || k === 'island' || k === 'lo' || k === 'hi' || /^g\d+$/.test(k)) head[k] = v;
    const key = JSON.stringify(Object.values(head));
    let island = islands.get(key);
    if (!island) islands.set(key, (island = { head, pairs: [], values: new Map() }));
    island.pairs.push([String(row['id'] ?? ''), String(row['ms'] ?? '')]);
    for (const e of ENTITY_SOURCES) {
      const value = row[e.column];
      if (value === null || value === undefined || String(value) === '') continue;
      if ('workloads' in e && !(e.workloads as readonly string[]).includes(String(row['workload']))) continue;
      if ('recordType' in e && Number(row['record_type']) !== e.recordType) continue;
      const set = island.values.get(e.kind) ?? new Set<string>();
      set.add(String(value));
      island.values.set(e.kind, set);
    }
  }
  for (const { head, pairs, values } of islands.values()) {
    out.push({ ...head, kind: '', val: '', ids: JSON.stringify(pairs) });
    for (const [kind, set] of values) for (const val of cappedEntities(set)) out.push({ ...head, kind, val, ids: '' });
  }
  return out;
}

interface BaseRow {
  t: string;
  g: string[];
  v: string | null;
  r: number;
  id: string;
  ms: number;
  /** The row as selected: entity columns and carried c0…cN. */
  row: Row;
}

/** Groups per IN list, so that a chained temporal correlation's group cut stays a modest query. */
const CUT_CHUNK = 500;

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function baseOf(row: Row, groups: number, r: number): BaseRow {
  return {
    t: text(row['t']),
    g: Array.from({ length: groups }, (_, i) => text(row[`g${i}`])),
    v: row['v'] === null || row['v'] === undefined ? null : String(row['v']),
    r,
    id: text(row['id']),
    ms: Number(row['ms']),
    row,
  };
}

async function windowedRows(store: QueryRunner, d: DetectDialect, q: CorrelationQuery, carry: Sql[]): Promise<Row[]> {
  return finish(q, await baseRows(store, d, q, carry), carry.length);
}

/** The base rows of every branch: chained correlations' evidence and the referenced rules' events. */
async function baseRows(store: QueryRunner, d: DetectDialect, q: CorrelationQuery, carry: Sql[]): Promise<BaseRow[]> {
  const G = q.groupBy.length;
  const temporal = q.type === 'temporal' || q.type === 'temporal_ordered';
  const { groupExprs, valueExpr } = correlationExprs(d, q);
  const hi = q.anchorTo + q.spanMs;
  const out: BaseRow[] = [];
  const plain: number[] = [];
  let sourceGroups: Set<string> | null = null;
  for (let i = 0; i < q.predicates.length; i++) {
    const src = q.sources?.[i];
    if (!src) {
      plain.push(i);
      continue;
    }
    // A chained correlation contributes its evidence, carrying this one's group-by and value (c0…).
    const inner = await windowedRows(store, d, src, [...groupExprs, valueExpr, ...carry]);
    const groups = new Set<string>();
    for (const row of inner) {
      const ms = Number(row['ms']);
      if (ms < q.anchorFrom || ms > hi) continue;
      const mapped: Row = {};
      for (const c of ENTITY_COLUMNS) mapped[c] = row[c] ?? null;
      carry.forEach((_, j) => (mapped[`c${j}`] = row[`c${G + 1 + j}`] ?? null));
      const b: BaseRow = {
        t: text(row['tenant_id']),
        g: Array.from({ length: G }, (_, k) => text(row[`c${k}`])),
        v: row[`c${G}`] === null || row[`c${G}`] === undefined ? null : String(row[`c${G}`]),
        r: temporal ? i : 0,
        id: text(row['id']),
        ms,
        row: mapped,
      };
      groups.add(groupKey(b));
      out.push(b);
    }
    sourceGroups ??= groups;
  }
  const min = minCount(q.condition);
  // As in the SQL form: a temporal correlation that needs every rule fires only for the chained source's groups.
  const cut = temporal && min !== null && min >= q.predicates.length && sourceGroups !== null ? [...sourceGroups] : null;
  const add = (rows: Row[], r: number) => {
    for (const row of rows) out.push(baseOf(row, G, r));
  };
  if (temporal) {
    for (const i of plain) {
      if (cut === null) add(await store.query(correlationRuleBranch(d, q, i, carry)), i);
      else for (const keys of chunk(cut, CUT_CHUNK)) add(await store.query(correlationRuleBranch(d, q, i, carry, keys.map((k) => k.split('\u0000')))), i);
    }
    return out;
  }
  if (plain.length) add(await store.query(correlationRulesBranch(d, q, plain, carry)), 0);
  // UNION: an event both in a chained correlation's evidence and matching a rule counts once.
  const seen = new Set<string>();
  return out.filter((b) => {
    const k = `${groupKey(b)}\u0000${b.id}\u0000${b.v ?? '\u0001'}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const groupKey = (b: BaseRow) => [b.t, ...b.g].join('\u0000');

function holds(c: CorrelationCondition, n: number): boolean {
  return (c.gt === undefined || n > c.gt) && (c.gte === undefined || n >= c.gte) && (c.lt === undefined || n < c.lt) && (c.lte === undefined || n <= c.lte) && (c.eq === undefined || n === c.eq);
}

/** Windows, islands and evidence per group (tenant and group-by values). */
function finish(q: CorrelationQuery, base: BaseRow[], carried: number): Row[] {
  const partitions = new Map<string, BaseRow[]>();
  for (const b of base) {
    const k = groupKey(b);
    const list = partitions.get(k);
    if (list) list.push(b);
    else partitions.set(k, [b]);
  }
  const out: Row[] = [];
  for (const rows of partitions.values()) {
    rows.sort((a, b) => a.ms - b.ms || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.r - b.r));
    const anchors = firingAnchors(q, rows);
    if (anchors.length === 0) continue;
    // Islands: anchors closer than the span apart share one; each island's window is [first, last + span].
    const islands: { lo: number; hi: number }[] = [];
    for (const a of anchors) {
      const last = islands[islands.length - 1];
      if (last && a - (last.hi - q.spanMs) <= q.spanMs) last.hi = a + q.spanMs;
      else islands.push({ lo: a, hi: a + q.spanMs });
    }
    const first = rows[0]!;
    islands.forEach((w, i) => {
      const seen = new Set<string>();
      for (const b of rows) {
        if (b.ms < w.lo || b.ms > w.hi || seen.has(b.id)) continue;
        seen.add(b.id);
        const row: Row = { tenant_id: first.t };
        first.g.forEach((g, j) => (row[`g${j}`] = g));
        Object.assign(row, { island: i + 1, lo: w.lo, hi: w.hi, id: b.id, ms: b.ms });
        for (const c of ENTITY_COLUMNS) row[c] = b.row[c] ?? null;
        for (let j = 0; j < carried; j++) row[`c${j}`] = b.row[`c${j}`] ?? null;
        out.push(row);
      }
    });
  }
  return out;
}

/** The distinct event times in [anchorFrom, anchorTo) where a window [t, t + span] meets the condition. */
function firingAnchors(q: CorrelationQuery, rows: BaseRow[]): number[] {
  const span = q.spanMs;
  const times = [...new Set(rows.map((b) => b.ms))];
  const out: number[] = [];
  if (q.type === 'temporal_ordered') {
    // The chain follows the earliest event of each later rule at or after the previous one, within its span.
    const byRule = q.predicates.map((_, i) => rows.filter((b) => b.r === i).map((b) => b.ms));
    for (const a of new Set(byRule[0]!)) {
      if (a < q.anchorFrom || a >= q.anchorTo) continue;
      let m: number | null = a;
      for (let i = 1; i < byRule.length && m !== null; i++) m = firstAtOrAfter(byRule[i]!, m, m + span);
      if (m !== null && m <= a + span) out.push(a);
    }
    return out.sort((x, y) => x - y);
  }
  // A sliding window over the rows sorted by time: [left, right) holds the rows with t <= ms <= t + span.
  const counts = new Map<string | number, number>();
  let left = 0;
  let right = 0;
  let n = 0;
  const key = (b: BaseRow): string | number | null => (q.type === 'event_count' ? null : q.type === 'value_count' ? b.v : b.r);
  const add = (b: BaseRow) => {
    const k = key(b);
    if (q.type === 'event_count') n++;
    else if (k !== null) {
      const c = counts.get(k) ?? 0;
      if (c === 0) n++;
      counts.set(k, c + 1);
    }
  };
  const drop = (b: BaseRow) => {
    const k = key(b);
    if (q.type === 'event_count') n--;
    else if (k !== null) {
      const c = counts.get(k)!;
      if (c === 1) n--;
      counts.set(k, c - 1);
    }
  };
  for (const t of times) {
    while (right < rows.length && rows[right]!.ms <= t + span) add(rows[right++]!);
    while (left < rows.length && rows[left]!.ms < t) drop(rows[left++]!);
    if (t >= q.anchorFrom && t < q.anchorTo && holds(q.condition, n)) out.push(t);
  }
  return out;
}

/** The first value of an ascending list in [from, to], or null. */
function firstAtOrAfter(sorted: number[], from: number, to: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! <= to ? sorted[lo]! : null;
}
