// The architecture's two rules, checked on the source tree so they stay true:
// 1. Imports follow the flow: a part (a folder under src/) imports only from the parts before it in FLOW,
//    and from another part only through its index.ts. So there is no cycle between folders either.
// 2. SQL is written only in src/store, the rule compiler (src/detect/compile) and report definitions
//    (src/reports/definitions): no `sql` template and no string that starts with a SQL statement
//    elsewhere.
// Test files (*.test.ts) and test helpers (*.testing.ts) are exempt: an end-to-end test drives the CLI
// and reads the store as it likes. Each rule is shown failing on a planted violation first.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

/** The parts in the order data flows; each may import only from those before it. */
export const FLOW = ['core', 'config', 'records', 'api', 'emulator', 'store', 'collect', 'detect', 'alerts', 'reports', 'service', 'server', 'web', 'cli', 'bench'] as const;
const SQL_PLACES = ['store/', 'detect/compile/', 'reports/definitions/'];

interface Violation {
  file: string;
  line: number;
  rule: 'flow' | 'index' | 'unknown-part' | 'sql';
  text: string;
}

function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

const isTestFile = (rel: string): boolean => /\.(test|fuzz\.test|testing)\.ts$/.test(rel);
const partOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '');

/** Every violation of the two rules in the tree under `root` (a src/ folder). */
export function checkTree(root: string): Violation[] {
  const found: Violation[] = [];
  for (const path of sourceFiles(root)) {
    const rel = relative(root, path).split(sep).join('/');
    if (isTestFile(rel)) continue;
    const part = partOf(rel);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((text, i) => {
      const line = i + 1;
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = normalize(join(dirname(rel), m[1]!)).split(sep).join('/');
        const targetPart = partOf(target);
        if (targetPart === part || targetPart === '') continue;
        const rank = FLOW.indexOf(targetPart as (typeof FLOW)[number]);
        const own = FLOW.indexOf(part as (typeof FLOW)[number]);
        if (rank < 0 || own < 0) found.push({ file: rel, line, rule: 'unknown-part', text: `${part || '(src)'} → ${targetPart}: add the part to FLOW in src/boundaries.test.ts` });
        else if (rank >= own) found.push({ file: rel, line, rule: 'flow', text: `${part} imports ${target}, a part after it in the flow` });
        else if (target !== `${targetPart}/index.js`) found.push({ file: rel, line, rule: 'index', text: `${part} imports ${target}; import ${targetPart}/index.js instead` });
      }
      if (!SQL_PLACES.some((p) => rel.startsWith(p))) {
        if (/(^|[^\w.])sql`/.test(text) || /(?<!auditwatch query[^'"`]{0,80})['"`]\s*(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (TABLE|INDEX|VIEW)|ALTER TABLE|DROP TABLE|WITH \w+ AS \()\s/.test(text)) {
          found.push({ file: rel, line, rule: 'sql', text: text.trim().slice(0, 120) });
        }
      }
    });
  }
  return found;
}

const here = dirname(fileURLToPath(import.meta.url));
const SRC = join(here, '..', 'src');
const show = (v: Violation[]): string => v.map((x) => `${x.file}:${x.line} [${x.rule}] ${x.text}`).join('\n');

test('the checker catches a planted import against the flow, a deep import and SQL outside its places', () => {
  const root = mkdtempSync(join(tmpdir(), 'aw-bounds-'));
  try {
    const put = (rel: string, text: string): void => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    put('core/index.ts', "export const x = 1;\n");
    put('store/index.ts', "import { x } from '../core/index.js';\nexport const q = sql`SELECT 1`;\n");
    put('store/duckdb/a.ts', "export const t = 'SELECT * FROM events';\n");
    put('detect/index.ts', "import { q } from '../store/index.js';\nimport { y } from '../alerts/index.js';\n");
    put('alerts/index.ts', "import { a } from '../store/duckdb/a.js';\nexport const s = `SELECT id FROM alerts`;\n");
    put('alerts/x.test.ts', "import { run } from '../cli/index.js';\nconst q = 'SELECT 1 FROM t';\n");
    put('cli/hint.ts', "export const h = 'Try: auditwatch query \"SELECT count(*) FROM events\"';\n");
    const v = checkTree(root);
    const got = v.map((x) => `${x.file}:${x.line}:${x.rule}`).sort();
    assert.deepEqual(got, ['alerts/index.ts:1:index', 'alerts/index.ts:2:sql', 'detect/index.ts:2:flow'], show(v));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the source tree follows the flow and keeps SQL in the store, the rule compiler and report definitions', () => {
  const files = sourceFiles(SRC);
  assert.ok(files.length > 100, `expected the TypeScript sources under ${SRC}`);
  const v = checkTree(SRC);
  assert.deepEqual(v, [], `fix these (or move the code to where it belongs):\n${show(v)}`);
  // The SQL check looks at the right things: the allowed places do hold SQL it would flag.
  const store = files.filter((f) => relative(SRC, f).startsWith(`store${sep}`)).map((f) => readFileSync(f, 'utf8'));
  assert.ok(store.some((t) => /['"`]\s*SELECT\s/.test(t)), 'the SQL pattern matches nothing in src/store');
});
