// Rule tests: each rule file `X.yml` may have `X.tests.yml` beside it with positive and negative cases
// of raw audit records (the JSON shape of ual-schema.md). The runner normalises the records (the same
// normaliser as ingest), learns identities from them, loads them into a temporary in-memory DuckDB
// store — each case in a tenant of its own — and runs the rule through the real compiler and detector.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { AppError, formatApiTime, ManualClock, parseDuration, parseUtc, silentLogger } from '../../core/index.js';
import { createEnricher, normalize, type EventRow } from '../../records/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import type { AnyRule } from '../sigma/ast.js';
import { createDetector } from './detector.js';
import { learnIdentities } from './learn.js';
import type { RuleOverride } from '../compile/index.js';

export interface RuleTestCase {
  name: string;
  expect: 'match' | 'no-match';
  /** Exact number of hits, when given. */
  hits?: number;
  records: Record<string, unknown>[];
  line: number;
}

export interface RuleTestFile {
  file: string;
  /** The rule under test (id or name). */
  rule: string;
  cases: RuleTestCase[];
}

export interface RuleTestResult {
  file: string;
  ruleId: string;
  name: string;
  passed: boolean;
  /** Why it failed, or what it found. */
  detail: string;
}

/** `rules/x.yml` → `rules/x.tests.yml`. */
export function testFileFor(ruleFile: string): string {
  return ruleFile.replace(/\.ya?ml$/i, '.tests.yml');
}

const GUID_OF = (text: string) => {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Reads a tests file; `rulesOfFile` picks the default rule (the file's correlation, else its only rule). */
export function readRuleTests(path: string, display: string, rulesOfFile: AnyRule[]): RuleTestFile {
  const lc = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lc });
  const fail = (node: Node | null | undefined, msg: string): never => {
    const p = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    throw new AppError('rule_test_invalid', msg, { location: { file: display, line: p.line, column: p.col } });
  };
  if (doc.errors.length) fail(null, `YAML syntax error: ${doc.errors[0]!.message.split('\n')[0]}`);
  const root = doc.contents;
  if (!isMap(root)) return fail(root as Node, 'a tests file is a map with "tests" (and optionally "rule", "defaults")');
  const js = doc.toJS() as { rule?: unknown; defaults?: unknown; tests?: unknown };
  const correlation = rulesOfFile.find((r) => r.kind === 'correlation');
  const rule = typeof js.rule === 'string' ? js.rule : (correlation ?? rulesOfFile[0])?.id;
  if (!rule) fail(root, 'no rule to test: name it with "rule: <id>"');
  const defaults = js.defaults && typeof js.defaults === 'object' ? (js.defaults as Record<string, unknown>) : {};
  const testsNode = root.get('tests', true) as Node | undefined;
  if (!isSeq(testsNode) || !Array.isArray(js.tests) || js.tests.length === 0) return fail(testsNode ?? root, '"tests" must be a list of cases');
  const cases: RuleTestCase[] = js.tests.map((t: unknown, i: number) => {
    const node = testsNode.items[i] as Node;
    const line = node?.range ? lc.linePos(node.range[0]).line : 1;
    const c = t as { name?: unknown; expect?: unknown; hits?: unknown; records?: unknown };
    if (!c || typeof c !== 'object') fail(node, 'a case is a map with name, expect and records');
    if (c.expect !== 'match' && c.expect !== 'no-match') fail(node, `case ${i + 1}: "expect" must be match or no-match`);
    if (c.hits !== undefined && (typeof c.hits !== 'number' || !Number.isInteger(c.hits) || c.hits < 0)) fail(node, `case ${i + 1}: "hits" must be a whole number`);
    if (!Array.isArray(c.records) || c.records.length === 0) fail(node, `case ${i + 1}: "records" must be a non-empty list of raw audit records`);
    const name = typeof c.name === 'string' ? c.name : `case ${i + 1}`;
    const records = expand(c.records as unknown[], defaults, `${display}#${i}`, (msg) => fail(node, `case "${name}": ${msg}`));
    return { name, expect: c.expect as 'match' | 'no-match', ...(typeof c.hits === 'number' ? { hits: c.hits } : {}), records, line };
  });
  return { file: display, rule: rule!, cases };
}

/** Applies defaults, `_repeat` (copies) and `_every` (time step between copies), and fills missing Ids. */
function expand(items: unknown[], defaults: Record<string, unknown>, seed: string, fail: (msg: string) => never): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  items.forEach((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) fail(`record ${i + 1} is not a map`);
    const { _repeat, _every, ...rest } = item as Record<string, unknown>;
    const repeat = _repeat === undefined ? 1 : Number(_repeat);
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 10_000) fail(`record ${i + 1}: _repeat must be a whole number from 1 to 10000`);
    const every = _every === undefined ? 0 : parseDuration(String(_every), '_every');
    const base = { ...defaults, ...rest };
    const start = typeof base['CreationTime'] === 'string' ? parseUtc(base['CreationTime']) : Number.NaN;
    if (repeat > 1 && every > 0 && !Number.isFinite(start)) fail(`record ${i + 1}: _every needs a CreationTime`);
    for (let k = 0; k < repeat; k++) {
      const r: Record<string, unknown> = { ...base };
      if (every > 0) r['CreationTime'] = formatApiTime(start + k * every);
      if (r['Id'] === undefined || repeat > 1) r['Id'] = GUID_OF(`${seed}/${i}/${k}/${String(r['Id'] ?? '')}`);
      out.push(r);
    }
  });
  return out;
}

/** Runs test files against the rules (the whole pack, for references); one temporary store for all. */
export async function runRuleTests(
  files: RuleTestFile[],
  rules: AnyRule[],
  options: { overrides?: Record<string, RuleOverride> } = {},
): Promise<RuleTestResult[]> {
  const results: RuleTestResult[] = [];
  // Enriched as at ingest (country, ASN of ClientIP), so rules on ClientIP.Country can be tested.
  const enricher = await createEnricher();
  const store: Store = await openDuckDbStore({ path: ':memory:' });
  try {
    await store.migrate();
    let n = 0;
    for (const tf of files) {
      const target = rules.find((r) => r.id === tf.rule || r.name === tf.rule);
      if (!target) {
        results.push({ file: tf.file, ruleId: tf.rule, name: '(all)', passed: false, detail: `no valid rule "${tf.rule}" (see rules validate)` });
        continue;
      }
      const detector = createDetector({ store, clock: new ManualClock(Date.UTC(2030, 0, 1)), logger: silentLogger, rules, ...(options.overrides ? { overrides: options.overrides } : {}) });
      for (const c of tf.cases) {
        const tenantId = `rule-test-${++n}`;
        const rows: EventRow[] = [];
        const rejected: string[] = [];
        for (const rec of c.records) {
          const res = normalize(rec, { tenantId, contentType: null, sourceId: 'import:rule-test' });
          if (res.ok) rows.push(enricher.enrich(res.row));
          else rejected.push(res.rejection.reason);
        }
        if (rejected.length) {
          results.push({ file: tf.file, ruleId: target.id, name: c.name, passed: false, detail: `record refused by the normaliser: ${rejected[0]}` });
          continue;
        }
        await store.importRecords({ tenantId, sourceId: 'import:rule-test', rows, rejects: [], ingestedAt: Date.UTC(2030, 0, 1) });
        await learnIdentities(store, rows);
        const hits = (await detector.hunt({ from: 0, to: Date.UTC(2100, 0, 1), ruleIds: [target.id] })).filter((h) => h.tenantId === tenantId);
        const matched = hits.length > 0;
        let passed = c.expect === 'match' ? matched : !matched;
        let detail = `${hits.length} hit(s)`;
        if (passed && c.hits !== undefined && hits.length !== c.hits) {
          passed = false;
          detail = `expected ${c.hits} hit(s), got ${hits.length}`;
        } else if (!passed) detail = c.expect === 'match' ? 'expected a hit, got none' : `expected no hit, got ${hits.length} (evidence ${hits[0]!.evidence.slice(0, 3).join(', ')})`;
        results.push({ file: tf.file, ruleId: target.id, name: c.name, passed, detail });
      }
    }
  } finally {
    await store.close();
  }
  return results;
}

/** The tests files of a set of rule files (those that exist). */
export function testFilesOf(ruleFiles: string[]): string[] {
  return ruleFiles.map(testFileFor).filter((f) => existsSync(f));
}
