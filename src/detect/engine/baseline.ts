// Runs first-seen rules (compile/baseline.ts). Incrementally (after every ingest), a pass reads only the
// records ingested since the rule's watermark, grouped per (tenant, entity, values); looks up the
// entities' known terms in the state store; alerts on a term not seen for the entity within the history,
// once the tenant's learning period is over; and, once the hits are emitted (commit), records what it
// saw and expires terms last seen before the history window. No pass rescans the history.
//
// The learning period of a tenant starts when the rule first runs on it: it ends `learning` after the
// tenant's earliest event, or after the start of the history window at that first run when the data
// goes back further (a rule added to an old install learns the last `history` first). Values seen
// before it ends — a backfill included — are learned, not alerted.
//
// Over an event-time range (hunt, eval, detect --from) nothing is read from or written to the state: a
// term alerts when its first occurrence in the tenant's data lies in the range and after the end of the
// learning period counted from the tenant's earliest event (the history window is not applied there).

import type { BaselineTerm, Row, Store } from '../../store/index.js';
import { compileEarliestEvents, compileFirstSeenPairs, ENTITY_COLUMNS, type CompiledBaseline, type DetectDialect } from '../compile/index.js';
import type { Sql } from '../../store/index.js';
import type { DetectionRule } from '../sigma/ast.js';
import type { DetectionHit } from '../types.js';
import { buildHits, type EvidenceRow } from './hits.js';

/**
 * What a detector remembers between passes: the learning ends it read (set once, never changed) and
 * when it last expired a rule's terms in a tenant, so a steady pass reads the state once and writes
 * little.
 */
export interface BaselineMemo {
  learning: Map<string, Map<string, number>>;
  expired: Map<string, number>;
}

export const createBaselineMemo = (): BaselineMemo => ({ learning: new Map(), expired: new Map() });

/**
 * A known term's last sighting is rewritten only when it moves by more than this share of the history:
 * a steady pass, which sees mostly known values, then writes almost nothing. Last sightings are thus
 * recorded up to one slack early, so terms are kept one slack longer (never dropped early).
 */
const SLACK_SHARE = 1 / 30;

export type BaselineScope = { from: number; to: number } | { after: number; upTo: number };

export interface BaselinePass {
  /** The hits of a first-seen rule over a scope; an incremental scope stages its state writes. */
  hits(rule: CompiledBaseline, scope: BaselineScope): Promise<DetectionHit[]>;
  /** Writes what the incremental evaluations saw (call after their hits are emitted). */
  commit(): Promise<void>;
}

interface Observation {
  tenantId: string;
  entity: string;
  values: string[];
  first: number;
  last: number;
  row: Row;
}

/** The terms an observation stands for: its combination, or each field's value on its own. */
export function termsOf(rule: CompiledBaseline, values: readonly string[]): string[] {
  return rule.spec.novelty === 'each' ? values.map((v, i) => JSON.stringify([i, v])) : [JSON.stringify(values)];
}

export function createBaselinePass(o: { store: Store; d: DetectDialect; now: number; guard: (rule: DetectionRule) => Sql | null; memo?: BaselineMemo }): BaselinePass {
  const { store, d } = o;
  const memo = o.memo ?? createBaselineMemo();
  const staged: (() => Promise<void>)[] = [];
  const earliest = new Map<string, number>();

  async function earliestOf(tenants: string[]): Promise<Map<string, number>> {
    const missing = tenants.filter((t) => !earliest.has(t));
    if (missing.length) {
      for (const r of await store.query(compileEarliestEvents(d, missing))) earliest.set(String(r['t']), Number(r['first_ms']));
    }
    return earliest;
  }

  async function observations(rule: CompiledBaseline, scope: BaselineScope): Promise<Observation[]> {
    const q = compileFirstSeenPairs(
      d,
      rule,
      'from' in scope ? { kind: 'event-time', from: 0, to: scope.to } : { kind: 'ingested', after: scope.after, upTo: scope.upTo },
      rule.refs.map((r) => o.guard(r)),
    );
    const rows = await store.query(q);
    return rows
      .map((r) => {
        const row: Row = {};
        for (const c of ['id', ...ENTITY_COLUMNS]) row[c] = r[`e_${c}`] ?? null;
        return {
          tenantId: String(r['t']),
          entity: rule.groupBy.map((_, i) => String(r[`g${i}`] ?? '')).join('\u0001'),
          values: rule.values.map((_, i) => String(r[`v${i}`] ?? '')),
          first: Number(r['first_ms']),
          last: Number(r['last_ms']),
          row,
        };
      })
      .sort((a, b) => a.first - b.first || (String(a.row['id']) < String(b.row['id']) ? -1 : 1));
  }

  function hitsOf(rule: CompiledBaseline, fresh: Observation[]): DetectionHit[] {
    const evidence: EvidenceRow[] = fresh.map((x) => {
      const groupValues: Record<string, string> = {};
      const entityParts = x.entity.split('\u0001');
      rule.groupNames.forEach((n, i) => (groupValues[n] = entityParts[i] ?? ''));
      rule.valueNames.forEach((n, i) => (groupValues[n] = x.values[i] ?? ''));
      const groupKey = Object.entries(groupValues).map(([k, v]) => `${k}=${v}`).join('|');
      return { tenantId: x.tenantId, groupKey, groupValues, id: String(x.row['id']), ms: x.first, row: x.row };
    });
    return buildHits(rule, evidence);
  }

  /** Over a range, statelessly: first occurrences since the tenant's earliest event, after its learning. */
  async function overRange(rule: CompiledBaseline, from: number, to: number): Promise<DetectionHit[]> {
    const obs = await observations(rule, { from, to });
    if (obs.length === 0) return [];
    const starts = await earliestOf([...new Set(obs.map((x) => x.tenantId))]);
    // The first sighting of each term (per tenant and entity): an observation is new when it is the first
    // sighting of every one of its terms.
    const firstOf = new Map<string, number>();
    const key = (x: Observation, term: string) => `${x.tenantId}\u0000${x.entity}\u0000${term}`;
    const entityFirst = new Map<string, number>();
    for (const x of obs) {
      for (const t of termsOf(rule, x.values)) if (!firstOf.has(key(x, t))) firstOf.set(key(x, t), x.first);
      if (!entityFirst.has(key(x, ''))) entityFirst.set(key(x, ''), x.first);
    }
    const fresh = obs.filter((x) => {
      const learned = (starts.get(x.tenantId) ?? x.first) + rule.spec.learningMs;
      if (rule.spec.newEntity === 'learn' && entityFirst.get(key(x, '')) === x.first) return false;
      return x.first >= from && x.first < to && x.first >= learned && termsOf(rule, x.values).every((t) => firstOf.get(key(x, t)) === x.first);
    });
    return hitsOf(rule, fresh);
  }

  /** Incrementally: the records ingested in (after, upTo] against the state store. */
  async function incremental(rule: CompiledBaseline, after: number, upTo: number): Promise<DetectionHit[]> {
    const obs = await observations(rule, { after, upTo });
    if (obs.length === 0) return [];
    const ruleId = rule.rule.id;
    const { historyMs, learningMs } = rule.spec;
    const slack = Math.floor(historyMs * SLACK_SHARE);
    const tenants = [...new Set(obs.map((x) => x.tenantId))];
    let ends = memo.learning.get(ruleId);
    if (!ends || tenants.some((t) => !ends!.has(t))) memo.learning.set(ruleId, (ends = await store.state.baselines.learningEnds(ruleId)));
    const unknown = tenants.filter((t) => !ends!.has(t));
    if (unknown.length) {
      const starts = await earliestOf(unknown);
      for (const t of unknown) {
        const start = Math.max(starts.get(t) ?? o.now, o.now - historyMs);
        ends.set(t, await store.state.baselines.startLearning(ruleId, t, start + learningMs, o.now));
      }
    }
    const fresh: Observation[] = [];
    for (const tenantId of tenants) {
      const mine = obs.filter((x) => x.tenantId === tenantId);
      // Known terms per entity: the state's last sighting, then what this pass saw before (in event time).
      const known = new Map<string, number>();
      const k = (entity: string, term: string) => `${entity}\u0000${term}`;
      // Entities with a value still in the history (new-entity: learn); and the first sighting of each
      // entity in this pass.
      const knownEntities = new Set<string>();
      for (const t of await store.state.baselines.terms(ruleId, tenantId, [...new Set(mine.map((x) => x.entity))])) {
        known.set(k(t.entity, t.term), t.lastSeen);
        if (t.lastSeen >= mine[0]!.first - historyMs - slack) knownEntities.add(t.entity);
      }
      const entityFirst = new Map<string, number>();
      for (const x of mine) if (!entityFirst.has(x.entity)) entityFirst.set(x.entity, x.first);
      const seenBefore = new Map<string, number>();
      const writes: BaselineTerm[] = [];
      for (const x of mine) {
        const terms = termsOf(rule, x.values);
        const isNew = terms.every((t) => {
          const last = known.get(k(x.entity, t));
          const earlier = seenBefore.get(k(x.entity, t));
          return (last === undefined || last < x.first - historyMs - slack) && (earlier === undefined || earlier >= x.first);
        });
        const newEntity = rule.spec.newEntity === 'learn' && !knownEntities.has(x.entity) && entityFirst.get(x.entity) === x.first;
        if (isNew && !newEntity && x.first >= ends!.get(tenantId)!) fresh.push(x);
        for (const t of terms) {
          if (!seenBefore.has(k(x.entity, t))) seenBefore.set(k(x.entity, t), x.first);
          // A known term is rewritten only when its last sighting moves by more than the slack.
          const last = known.get(k(x.entity, t));
          if (last === undefined || x.last > last + slack) writes.push({ tenantId, entity: x.entity, term: t, firstSeen: x.first, lastSeen: x.last });
        }
      }
      const newest = Math.max(...mine.map((x) => x.last));
      const before = newest - historyMs - slack;
      const expiredKey = `${ruleId}\u0000${tenantId}`;
      const expire = before > (memo.expired.get(expiredKey) ?? -Infinity) + slack;
      staged.push(async () => {
        await store.state.baselines.observe(ruleId, writes);
        if (expire) {
          await store.state.baselines.expire(ruleId, tenantId, before);
          memo.expired.set(expiredKey, before);
        }
      });
    }
    return hitsOf(rule, fresh);
  }

  return {
    hits: (rule, scope) => ('from' in scope ? overRange(rule, scope.from, scope.to) : incremental(rule, scope.after, scope.upTo)),
    async commit() {
      for (const write of staged.splice(0)) await write();
    },
  };
}
