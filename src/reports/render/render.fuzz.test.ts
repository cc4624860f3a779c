// Property tests of the report renderers (HTML with its charts, CSV, JSON) with hostile text in the
// title, the rows and the chart labels: nothing throws, no active control reaches the output, the HTML
// has exactly the tags of the same report with harmless text, every CSV row parses back to its cells
// with no formula start, and JSON gives back every value as it was.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, hostileString } from '../../core/fuzz.testing.js';
import { hasActiveControl } from '../../core/index.js';
import type { ReportResult } from '../types.js';
import { renderCsv, renderHtml, renderJson } from './index.js';
import { parseCsv } from './csv.testing.js';

interface Input {
  title: string;
  rows: Array<{ value: string; n: number }>;
}

const input: fc.Arbitrary<Input> = fc.record({
  title: hostileString({ maxLength: 300 }),
  rows: fc.array(fc.record({ value: hostileString({ maxLength: 800 }), n: fc.nat({ max: 10_000 }) }), { minLength: 1, maxLength: 6 }),
});

function report(i: Input): ReportResult {
  return {
    name: 'fuzz',
    title: i.title,
    description: i.title,
    period: { from: Date.UTC(2026, 1, 1), to: Date.UTC(2026, 1, 8) },
    generatedAt: Date.UTC(2026, 1, 8, 6),
    engine: 'duckdb',
    sections: [
      {
        id: 'values',
        title: i.title,
        columns: [
          { key: 'value', label: 'Value' },
          { key: 'n', label: 'Count', kind: 'number' },
        ],
        chart: { x: 'value', y: ['n'], title: i.title },
        rows: i.rows,
        truncated: false,
      },
      { id: 'second', title: 'Second', columns: [{ key: 'value', label: 'Value' }], rows: i.rows.map((r) => ({ value: r.value })), truncated: false },
    ],
  };
}

/** The same input with harmless text: empty stays empty, distinct values stay distinct (charts group by value). */
function tame(i: Input): Input {
  const names = new Map<string, string>();
  const x = (s: string) => (s === '' ? '' : names.get(s) ?? (names.set(s, `v${names.size}`), `v${names.size - 1}`));
  return { title: x(i.title), rows: i.rows.map((r) => ({ value: x(r.value), n: r.n })) };
}
const tags = (html: string) => (html.match(/<\/?[A-Za-z!][^>]*>/g) ?? []).map((t) => t.replace(/"[^"]*"/g, '""'));

test('HTML report: the template\'s tags only (attributes aside), no active control', (t) => {
  fuzz(t, input, (i) => {
    const html = renderHtml(report(i));
    assert.equal(hasActiveControl(html, { newline: true }), false);
    assert.deepEqual(tags(html), tags(renderHtml(report(tame(i)))));
  }, 120);
});

test('CSV report: rows parse back to the same shape, no formula start, no active control', (t) => {
  fuzz(t, input, (i) => {
    const csv = renderCsv(report(i));
    const rows = parseCsv(csv.slice(1));
    assert.deepEqual(rows.map((r) => r.length), parseCsv(renderCsv(report(tame(i))).slice(1)).map((r) => r.length));
    for (const cell of rows.flat()) {
      assert.doesNotMatch(cell, /^[=+\-@\t\r|%]/);
      assert.equal(hasActiveControl(cell, { tab: true, newline: true }), false, JSON.stringify(cell));
    }
  }, 120);
});

test('JSON report: every value back as it was, no raw active control', (t) => {
  fuzz(t, input, (i) => {
    const text = renderJson(report(i));
    assert.equal(hasActiveControl(text, { newline: true }), false);
    const parsed = JSON.parse(text) as { title: string; sections: Array<{ rows: Array<{ value: string }> }> };
    assert.equal(parsed.title, JSON.parse(JSON.stringify(i.title)));
    assert.deepEqual(parsed.sections[0]!.rows.map((r) => r.value), i.rows.map((r) => JSON.parse(JSON.stringify(r.value)) as string));
  }, 120);
});
