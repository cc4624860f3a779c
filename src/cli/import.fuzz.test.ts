// Property test of the three importers end to end (NDJSON, JSON array, Purview CSV → normaliser → a
// real DuckDB store): whatever a file holds — valid records with hostile values, hostile JSON, deep
// nesting, garbage lines — `auditwatch import` never fails, and every input is either stored or kept
// in dead_letters with its original text. Nothing is lost, nothing is counted twice.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { fuzzAsync, hostileJson, hostileString, nestedJson } from '../core/fuzz.testing.js';
import { UAL_EXAMPLES } from '../records/index.js';
import { runCli } from './testing.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'auditwatch-import-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLES = Object.values(UAL_EXAMPLES).map((t) => JSON.parse(t) as Record<string, unknown>);
const text = hostileString({ maxLength: 400 });

/** One input: a real record with hostile values, any hostile JSON value, or a deeply nested object. */
type Item = { kind: 'record'; value: Record<string, unknown> } | { kind: 'json'; value: unknown } | { kind: 'deep'; depth: number };

const record: fc.Arbitrary<Item> = fc
  .record({
    base: fc.constantFrom(...EXAMPLES),
    user: text,
    operation: text,
    ip: fc.oneof(text, fc.constantFrom('198.51.100.7', '::ffff:192.0.2.1', '[2001:db8::1]:443', '10.0.0.1:80')),
    object: text,
    params: fc.array(fc.record({ Name: text, Value: text }), { maxLength: 3 }),
    extra: fc.dictionary(text, hostileJson, { maxKeys: 2 }),
  })
  .map(({ base, user, operation, ip, object, params, extra }) => ({
    kind: 'record' as const,
    value: { ...extra, ...base, UserId: user, Operation: operation === '' ? base['Operation'] : operation, ClientIP: ip, ObjectId: object, Parameters: params },
  }));

const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 5, arbitrary: record },
  { weight: 3, arbitrary: hostileJson.map((value) => ({ kind: 'json' as const, value })) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 6000 }).map((depth) => ({ kind: 'deep' as const, depth })) },
);

/** NDJSON lines may also be garbage (no line breaks inside, not blank). */
const line = fc.oneof(
  { weight: 4, arbitrary: item.map((i) => ({ item: i })) },
  { weight: 1, arbitrary: text.map((s) => s.replace(/[\r\n\u2028\u2029\u0085]/g, ' ')).filter((s) => s.trim() !== '' && !s.startsWith('\ufeff')).map((garbage) => ({ garbage })) },
);

let uid = 0;
/** JSON text of an item; records get a fresh Id so that every valid record is stored once. */
function json(i: Item): { text: string; id: string | null } {
  if (i.kind === 'deep') return { text: nestedJson(i.depth), id: null };
  if (i.kind === 'json') return { text: JSON.stringify(i.value) ?? 'null', id: null };
  const id = `f0000000-0000-4000-8000-${(++uid).toString(16).padStart(12, '0')}`;
  return { text: JSON.stringify({ ...i.value, Id: id }), id };
}

/** What the file holds as the importer reads it: UTF-8 turns a lone surrogate into U+FFFD. */
const asRead = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

interface Rows {
  ids: Set<string>;
  deadLetters: Map<string, string[]>;
}

async function storeRows(cfg: string): Promise<Rows> {
  const ev = await runCli(['query', '--config', cfg, '--format', 'json', 'SELECT source_id, lower(id) AS id FROM events']);
  assert.equal(ev.code, 0, ev.stderr);
  const dl = await runCli(['query', '--config', cfg, '--format', 'json', 'SELECT source_id, raw FROM dead_letters']);
  assert.equal(dl.code, 0, dl.stderr);
  const lines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
  const deadLetters = new Map<string, string[]>();
  for (const r of lines(dl.stdout)) deadLetters.set(r['source_id']!, [...(deadLetters.get(r['source_id']!) ?? []), r['raw']!]);
  return { ids: new Set(lines(ev.stdout).map((r) => `${r['source_id']}/${r['id']}`)), deadLetters };
}

let n = 0;
test('import: every line, array item and CSV row is stored or dead-lettered with its text', async (t) => {
  const input = fc.record({
    ndjson: fc.array(line, { minLength: 1, maxLength: 12 }),
    array: fc.array(item, { minLength: 1, maxLength: 8 }),
    csv: fc.array(item, { minLength: 1, maxLength: 8 }),
  });
  await fuzzAsync(t, input, async (files) => {
    const caseDir = path.join(dir, `case-${++n}`);
    const cfg = path.join(dir, `case-${n}.yaml`);
    writeFileSync(cfg, `store:\n  path: ${JSON.stringify(path.join(dir, `case-${n}.duckdb`))}\n`);
    rmSync(caseDir, { recursive: true, force: true });
    mkdirSync(caseDir);

    // A valid record first, so that the format is detected from it and not from a garbage line.
    const first = json({ kind: 'record', value: EXAMPLES[0]! });
    const nd = files.ndjson.map((l) => ('garbage' in l ? { text: l.garbage, id: null } : json(l.item)));
    // A line, item or AuditData cell holding an array is a saved blob: each element is one input (an empty one holds none).
    const units = (list: Array<{ text: string; id: string | null }>) =>
      list.flatMap((u) => {
        const v = u.id === null && u.text.startsWith('[') ? parseOrNull(u.text) : null;
        return Array.isArray(v) ? v.map((e) => ({ text: JSON.stringify(e) ?? 'null', id: null })) : [u];
      });
    const arr = files.array.map(json);
    const csv = files.csv.map(json);
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const paths = { nd: path.join(caseDir, 'a.ndjson'), arr: path.join(caseDir, 'b.json'), csv: path.join(caseDir, 'c.csv') };
    writeFileSync(paths.nd, [first, ...nd].map((l) => `${l.text}\n`).join(''));
    writeFileSync(paths.arr, `[${arr.map((a) => a.text).join(',\n')}]`);
    writeFileSync(paths.csv, `CreationDate,UserIds,Operations,AuditData\r\n${csv.map((c) => `2026-01-02T03:04:05,u,op,${q(c.text)}`).join('\r\n')}\r\n`);

    const r = await runCli(['import', '--config', cfg, paths.nd, paths.arr, paths.csv]);
    assert.ok(r.code === 0 || r.code === 3, `import exit ${r.code}: ${r.stderr.slice(0, 500)}`);
    const rows = await storeRows(cfg);
    const sources = [...rows.deadLetters.keys(), ...[...rows.ids].map((k) => k.slice(0, k.lastIndexOf('/')))];
    const sourceOf = (file: string) => {
      const s = sources.find((x) => x.endsWith(path.basename(file)));
      return s ?? `import:${file}`;
    };
    for (const [file, inputs] of [[paths.nd, units([first, ...nd])], [paths.arr, units(arr)], [paths.csv, units(csv)]] as const) {
      const source = sourceOf(file);
      const dead = [...(rows.deadLetters.get(source) ?? [])];
      let stored = 0;
      for (const inp of inputs) {
        if (inp.id !== null && rows.ids.has(`${source}/${inp.id}`)) {
          stored++;
          continue;
        }
        // Not stored: its text must be in dead_letters (JSON array items and CSV cells as their JSON).
        const want = asRead(inp.text);
        const at = dead.findIndex((d) => d === want || sameJson(d, want));
        assert.notEqual(at, -1, `${path.basename(file)}: lost input ${JSON.stringify(want.slice(0, 200))}; dead letters: ${JSON.stringify(dead.map((d) => d.slice(0, 80)))}`);
        dead.splice(at, 1);
      }
      assert.deepEqual(dead, [], `${path.basename(file)}: dead letters that match no input (counted twice?)`);
      assert.ok(stored <= inputs.length);
    }
  }, 4);
});

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
