// Renderers against hostile audit data: CSV formula injection neutralised, HTML escaping and length
// bounds, charts with hostile labels, JSON keeping the full values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportResult } from '../types.js';
import { renderCsv, renderHtml, renderJson } from './index.js';
import { parseCsv } from './csv.testing.js';

const MEGA = 'A'.repeat(1_000_000);
const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+cmd|/c calc', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', '<script>alert(1)</script>', 'a"b\'c`d', 'line1\r\nline2', MEGA, '\u202Eevil', '<img src=x onerror=alert(1)>'];

function report(): ReportResult {
  return {
    name: 'hostile',
    title: 'Hostile <b>report</b>',
    description: 'Description with "quotes" & <tags>',
    period: { from: Date.UTC(2026, 1, 1), to: Date.UTC(2026, 2, 1) },
    generatedAt: Date.UTC(2026, 2, 1, 6),
    engine: 'duckdb',
    sections: [
      {
        id: 'values',
        title: 'Values',
        columns: [
          { key: 'value', label: 'Value' },
          { key: 'n', label: 'Count', kind: 'number' },
          { key: 'time', label: 'Time', kind: 'time' },
        ],
        chart: { x: 'value', y: ['n'], title: 'By <value>' },
        rows: HOSTILE.map((value, i) => ({ value, n: i + 1, time: '2026-02-03T04:05:06.000Z' })),
        truncated: true,
      },
      {
        id: 'per-day',
        title: 'Per day',
        columns: [
          { key: 'day', label: 'Day', kind: 'day' },
          { key: 'n', label: 'N', kind: 'number' },
        ],
        chart: { x: 'day', y: ['n'], title: 'Per day', fill: 'day' },
        rows: [{ day: '2026-02-10T00:00:00.000Z', n: 4 }],
        truncated: false,
      },
    ],
  };
}

test('CSV: BOM, CRLF, every cell quoted, formula starts neutralised', () => {
  const csv = renderCsv(report());
  assert.ok(csv.startsWith('\uFEFF'), 'starts with a UTF-8 BOM');
  assert.ok(!/[^\r]\n/.test(csv.replace(/"(?:[^"]|"")*"/g, '""')), 'every line outside quotes ends with CRLF');
  const rows = parseCsv(csv.slice(1));
  const values = rows.map((r) => r[0] ?? '').filter((v) => HOSTILE.some((h) => v.endsWith(h.slice(1, 40)) || v === h));
  for (const h of ['=HYPERLINK', '+cmd', '-2+3', '@SUM', '\tTAB', '\rCR']) {
    const cell = rows.find((r) => (r[0] ?? '').includes(h.trim().slice(0, 5)))?.[0];
    assert.ok(cell !== undefined, `a row carries ${JSON.stringify(h)}`);
    assert.ok(cell.startsWith("'"), `${JSON.stringify(cell.slice(0, 20))} is neutralised with a leading quote`);
  }
  assert.ok(values.length > 0);
  assert.ok(rows.some((r) => r[0] === 'line1\r\nline2'), 'CR/LF stays inside one quoted cell');
  assert.ok(rows.some((r) => r[0] === 'a"b\'c`d'), 'quotes are doubled and read back intact');
  assert.ok(csv.includes('(only the first'), 'a cut table says so');
  assert.ok(csv.length < 200_000, 'a megabyte cell is bounded (32,000 characters)');
});

test('HTML: escaped, bounded, CSP, no script, hostile chart labels escaped', () => {
  const html = renderHtml(report());
  assert.ok(html.includes(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`));
  assert.ok(!/<script/i.test(html), 'no script element anywhere');
  assert.ok(!/<img/i.test(html), 'no injected element');
  assert.ok(!/onerror=/i.test(html.replace(/onerror=alert\(1\)&gt;/g, '')) || html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('Hostile &lt;b&gt;report&lt;/b&gt;'));
  assert.ok(html.includes('a&quot;b&#39;c&#96;d'));
  assert.ok(!html.includes('line1\r\nline2') && html.includes('line1\\u000d\\u000aline2'), 'CR/LF shown as visible escapes');
  assert.ok(!html.includes('\u202E'), 'bidi override removed');
  assert.ok(html.length < 60_000, `a megabyte value is cut (page is ${html.length} chars)`);
  assert.ok(html.includes('<svg class="chart"'), 'charts are inline SVG');
  assert.ok(html.includes('By &lt;value&gt;'));
  assert.ok(html.includes('@media print'), 'print CSS');
  assert.ok(/<rect[^>]*><title>2026-02-10 — N: 4<\/title>/.test(html), 'the day chart has the day with data');
});

test('JSON keeps full values and the period as ISO times', () => {
  const parsed = JSON.parse(renderJson(report())) as { period: { from: string }; sections: { rows: { value: string }[]; truncated: boolean }[] };
  assert.equal(parsed.period.from, '2026-02-01T00:00:00.000Z');
  assert.equal(parsed.sections[0]!.rows.find((r) => r.value.length === MEGA.length)?.value, MEGA);
  assert.equal(parsed.sections[0]!.truncated, true);
});
