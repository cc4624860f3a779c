// HTML reports: one self-contained page (inline CSS, server-side SVG charts, no script, nothing fetched;
// a CSP meta forbids everything else), readable on screen and printable (print CSS, repeated table
// headers). Every audit string is escaped and length-limited (core escapeHtml).

import { escapeHtml } from '../../core/index.js';
import { describePeriod } from '../period.js';
import type { ReportResult, SectionResult } from '../types.js';
import { renderChart } from './chart.js';
import { displayValue } from './values.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--head:#f1f5f9;--accent:#1d4ed8;--zebra:#f8fafc}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
header{padding:28px 40px 20px;border-bottom:4px solid var(--accent);background:linear-gradient(180deg,#eff6ff,#fff)}
.brand{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:var(--accent);font-weight:600}
h1{margin:6px 0 8px;font-size:26px;line-height:1.2}
.desc{margin:0 0 14px;max-width:980px;color:#334155}
.meta{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0;font-size:13px}
.meta div{display:flex;gap:6px}.meta dt{color:var(--muted)}.meta dd{margin:0;font-weight:600}
nav{padding:12px 40px;border-bottom:1px solid var(--line);font-size:13px}
nav a{color:var(--accent);text-decoration:none;margin-right:18px}
main{padding:8px 40px 40px}
section{margin-top:26px}
h2{font-size:18px;margin:0 0 4px;display:flex;align-items:baseline;gap:10px}
h2 .count{font-size:12px;font-weight:500;color:var(--muted)}
.note{margin:0 0 8px;color:var(--muted);font-size:13px}
.chart{width:100%;max-width:880px;height:auto;display:block;margin:8px 0 12px}
.chart .grid{stroke:#e5e7eb;stroke-width:1}.chart .axis{stroke:#94a3b8;stroke-width:1}
.chart text{font:11px system-ui,sans-serif;fill:#475569}.chart .val{fill:#0f172a;font-weight:600}.chart .legend{font-size:12px;fill:#0f172a}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 10px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
th{background:var(--head);font-weight:600;white-space:nowrap;position:sticky;top:0}
tbody tr:nth-child(even){background:var(--zebra)}
td{overflow-wrap:anywhere;max-width:420px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums}
.empty{padding:14px 16px;border:1px dashed var(--line);border-radius:6px;color:var(--muted);margin:8px 0}
.cut{color:#b45309;font-size:12px;margin:6px 0 0}
footer{padding:14px 40px 28px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{
  @page{size:A4 landscape;margin:12mm}
  body{font-size:11px}
  header{background:none;padding:0 0 10px}
  nav{display:none}
  main,footer{padding-left:0;padding-right:0}
  section{break-inside:auto}
  h2{break-after:avoid}
  .chart{break-inside:avoid;max-width:100%}
  .table-wrap{overflow:visible;border:none}
  th{position:static}
  thead{display:table-header-group}
  tr{break-inside:avoid}
  td{max-width:none}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

function section(s: SectionResult, report: ReportResult): string {
  const out: string[] = [`<section id="${escapeHtml(s.id, 80)}">`];
  const count = s.chartOnly ? '' : `<span class="count">${s.rows.length}${s.truncated ? '+' : ''} row${s.rows.length === 1 ? '' : 's'}</span>`;
  out.push(`<h2>${escapeHtml(s.title, 200)}${count}</h2>`);
  if (s.note) out.push(`<p class="note">${escapeHtml(s.note, 500)}</p>`);
  if (s.rows.length === 0) {
    out.push('<p class="empty">No matching records in this period.</p>', '</section>');
    return out.join('\n');
  }
  if (s.chart) {
    const svg = renderChart(s.rows, s.chart, s.columns, report.period);
    if (svg) out.push(`<figure style="margin:0">${svg}<figcaption class="note">${escapeHtml(s.chart.title, 200)}</figcaption></figure>`);
  }
  if (!s.chartOnly) {
    const cls = (kind: string | undefined) => (kind === 'number' ? ' class="num"' : kind === 'time' || kind === 'day' || kind === 'hour' ? ' class="time"' : '');
    const head = s.columns.map((c) => `<th${c.kind === 'number' ? ' class="num"' : ''}>${escapeHtml(c.label, 100)}</th>`).join('');
    const body = s.rows
      .map((r) => `<tr>${s.columns.map((c) => `<td${cls(c.kind)}>${escapeHtml(displayValue(r[c.key], c.kind), c.max ?? 200)}</td>`).join('')}</tr>`)
      .join('\n');
    out.push(`<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`);
    if (s.truncated) out.push(`<p class="cut">Only the first ${s.rows.length} rows are shown; narrow the period or use --format csv/json with --limit.</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

export function renderHtml(report: ReportResult): string {
  const title = escapeHtml(report.title, 200);
  const nav =
    report.sections.length > 1
      ? `<nav>${report.sections.map((s) => `<a href="#${escapeHtml(s.id, 80)}">${escapeHtml(s.title, 100)}</a>`).join('')}</nav>`
      : '';
  const generated = new Date(report.generatedAt).toISOString().slice(0, 19).replace('T', ' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} — auditwatch</title>
<style>${CSS}</style>
</head>
<body>
<header>
<div class="brand">auditwatch report · ${escapeHtml(report.name, 80)}</div>
<h1>${title}</h1>
<p class="desc">${escapeHtml(report.description, 1000)}</p>
<dl class="meta"><div><dt>Period</dt><dd>${escapeHtml(describePeriod(report.period))}</dd></div><div><dt>Generated</dt><dd>${escapeHtml(generated)} UTC</dd></div><div><dt>Store</dt><dd>${escapeHtml(report.engine, 40)}</dd></div></dl>
</header>
${nav}
<main>
${report.sections.map((s) => section(s, report)).join('\n')}
</main>
<footer>Generated by auditwatch from the Microsoft 365 unified audit log. Audit data is shown escaped and shortened; the CSV and JSON formats carry the full values.</footer>
</body>
</html>
`;
}
