// Property test of the correlation windows finished in TypeScript (windows.ts, the path of servers
// without CTEs and window functions, e.g. ClickHouse 18.16) against the SQL form (compile/query.ts): on
// random failed and successful sign-ins in a real DuckDB store, for event_count, value_count, temporal
// and temporal_ordered, with random conditions, spans, group-by and anchor ranges, and a chained
// correlation (a success after a burst of failures), both give exactly the same rows.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fuzzAsync } from '../../core/fuzz.testing.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import { compileCorrelation, compileRules, correlationIslands, correlationQuery, DETECT_DIALECTS, type CompiledCorrelation } from '../compile/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { signInRecord } from './fixtures.testing.js';
import { correlationRows } from './windows.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 8);
let dir: string;
let store: Store;
let run = 0;
const fired = new Map<string, number>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-windows-fuzz-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const condition = fc.oneof(
  fc.record({ gte: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ gt: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ eq: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ lte: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ gte: fc.integer({ min: 1, max: 3 }), lt: fc.integer({ min: 2, max: 5 }) }),
);

const scenario = fc.record({
  type: fc.constantFrom('event_count', 'value_count', 'temporal', 'temporal_ordered', 'chained'),
  // Event times on a 30-second grid (often equal, often exactly a span apart), within 20 minutes.
  events: fc.array(fc.record({ at: fc.integer({ min: 0, max: 40 }), user: fc.integer({ min: 0, max: 4 }), ip: fc.integer({ min: 0, max: 2 }), ok: fc.boolean() }), { maxLength: 50 }),
  spanMin: fc.constantFrom(1, 2, 5, 30),
  condition,
  groupBy: fc.constantFrom('UserId', 'ClientIP', 'OrganizationId'),
  anchor: fc.tuple(fc.integer({ min: -10, max: 15 }), fc.integer({ min: 1, max: 40 })),
});

const FEEDERS = `---
title: failed
name: failed
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoginFailed}
  condition: s
---
title: success
name: success
logsource: {product: m365, service: azuread}
detection:
  s: {Operation: UserLoggedIn}
  condition: s
`;

function rulesText(s: { type: string; spanMin: number; condition: object; groupBy: string }): string {
  const cond = JSON.stringify(s.type === 'value_count' ? { field: 'UserId', ...s.condition } : s.type.startsWith('temporal') ? { gte: 2 } : s.condition);
  if (s.type === 'chained') {
    return `title: after burst
id: outer
correlation:
  type: temporal_ordered
  rules: [burst, success]
  group-by: [UserId]
  timespan: ${s.spanMin}m
  condition: {gte: 2}
level: high
---
title: burst
name: burst
correlation:
  type: event_count
  rules: [failed]
  group-by: [UserId]
  timespan: ${s.spanMin}m
  condition: ${JSON.stringify(s.condition)}
  generate: false
level: high
${FEEDERS}`;
  }
  return `title: c
id: outer
correlation:
  type: ${s.type}
  rules: [failed, success]
  group-by: [${s.groupBy}]
  timespan: ${s.spanMin}m
  condition: ${cond}
level: high
${FEEDERS}`;
}

const canonical = (rows: object[]) => rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))))).sort();

test('correlation windows finished in TypeScript give exactly the rows of the SQL form', async (t) => {
  const d = DETECT_DIALECTS.duckdb;
  // The same store, seen as an engine without CTEs and window functions.
  const old = { dialect: { capabilities: { ctes: false, windowFunctions: false } }, query: (q: Parameters<Store['query']>[0]) => store.query(q) };
  await fuzzAsync(t, scenario, async (s) => {
    const tenant = `fuzz-${++run}`;
    const rows = s.events.map((e) => signInRecord(tenant, T0 + e.at * 30_000, `user${e.user}@contoso.com`, { ClientIP: `203.0.113.${e.ip}`, ...(e.ok ? { Operation: 'UserLoggedIn', ErrorNumber: '0' } : {}) }));
    if (rows.length) await store.importRecords({ tenantId: tenant, sourceId: 'import:test', rows, rejects: [], ingestedAt: T0 });
    const parsed = parseRuleText(rulesText(s), 'fuzz.yml');
    assert.deepEqual(parsed.errors, []);
    const { compiled, errors } = compileRules(parsed.rules, d);
    assert.deepEqual(errors, []);
    const rule = compiled.find((c): c is CompiledCorrelation => c.kind === 'correlation' && c.rule.id === 'outer')!;
    const from = T0 + s.anchor[0] * MIN;
    const q = correlationQuery(rule, from, from + s.anchor[1] * MIN);
    const sqlRows = correlationIslands(await store.query(compileCorrelation(d, q)), q.groupBy.length).filter((r) => r.tenantId === tenant);
    const tsRows = (await correlationRows(old, d, q)).filter((r) => r.tenantId === tenant);
    assert.deepEqual(canonical(tsRows), canonical(sqlRows));
    if (sqlRows.length) fired.set(s.type, (fired.get(s.type) ?? 0) + 1);
  }, 80);
  // Not vacuous: scenarios of several types fired (which ones varies with the random seed).
  const total = [...fired.values()].reduce((a, b) => a + b, 0);
  assert.ok(fired.size >= 3 && total >= 10, `fired: ${JSON.stringify(Object.fromEntries(fired))}`);
});
