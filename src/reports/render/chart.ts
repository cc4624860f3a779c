// Bar charts drawn on the server as inline SVG (no script, nothing fetched): categories from a column,
// one or more numeric series as grouped bars, nice y ticks, and optional filling of every day or hour of
// the period with zero so that quiet days show. Every label is escaped and bounded.

import { DAY, HOUR, escapeHtml } from '../../core/index.js';
import type { Row } from '../../store/index.js';
import type { ChartSpec, Column, Period } from '../types.js';
import { displayValue } from './values.js';

export const SERIES_COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706'];
const MAX_CATEGORIES = 40;

interface Bar {
  label: string;
  values: number[];
}

function bars(rows: readonly Row[], spec: ChartSpec, columns: readonly Column[], period: Period): Bar[] {
  const xCol = columns.find((c) => c.key === spec.x);
  const sums = new Map<string, number[]>();
  const add = (label: string, values: number[]) => {
    const cur = sums.get(label) ?? spec.y.map(() => 0);
    values.forEach((v, i) => (cur[i]! += v));
    sums.set(label, cur);
  };
  if (spec.fill) {
    const step = spec.fill === 'day' ? DAY : HOUR;
    const keyOf = (t: number) => Math.floor(t / step) * step;
    const byTime = new Map<number, number[]>();
    for (const r of rows) {
      const t = keyOf(Date.parse(String(r[spec.x])));
      if (!Number.isFinite(t)) continue;
      const cur = byTime.get(t) ?? spec.y.map(() => 0);
      spec.y.forEach((y, i) => (cur[i]! += Number(r[y] ?? 0) || 0));
      byTime.set(t, cur);
    }
    const out: Bar[] = [];
    for (let t = keyOf(period.from); t < period.to && out.length < 24 * 62; t += step) {
      out.push({ label: displayValue(new Date(t).toISOString(), spec.fill), values: byTime.get(t) ?? spec.y.map(() => 0) });
    }
    return out;
  }
  for (const r of rows) add(displayValue(r[spec.x] ?? '(none)', xCol?.kind) || '(none)', spec.y.map((y) => Number(r[y] ?? 0) || 0));
  return [...sums.entries()]
    .map(([label, values]) => ({ label, values }))
    .sort((a, b) => b.values.reduce((s, v) => s + v, 0) - a.values.reduce((s, v) => s + v, 0))
    .slice(0, MAX_CATEGORIES);
}

function niceMax(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const stepInt = Math.max(1, step);
  return { top: Math.ceil(max / stepInt) * stepInt, step: stepInt };
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1));

function legend(spec: ChartSpec, labelOf: (k: string) => string, x: number): string {
  if (spec.y.length < 2) return '';
  let lx = x;
  return spec.y
    .map((key, s) => {
      const name = labelOf(key).slice(0, 40);
      const out = `<rect x="${lx}" y="6" width="12" height="12" fill="${SERIES_COLORS[s % SERIES_COLORS.length]}"/><text x="${lx + 17}" y="16" class="legend">${escapeHtml(name, 40)}</text>`;
      lx += 36 + name.length * 7;
      return out;
    })
    .join('');
}

/** Categories (countries, users, error names) as horizontal bars: long labels stay readable. */
function horizontal(data: Bar[], spec: ChartSpec, labelOf: (k: string) => string): string {
  const width = 880;
  const labelW = 230;
  const top = spec.y.length > 1 ? 30 : 8;
  const rowH = spec.y.length > 1 ? 12 * spec.y.length + 8 : 22;
  const height = top + data.length * rowH + 26;
  const plotW = width - labelW - 60;
  const max = Math.max(0, ...data.flatMap((b) => b.values));
  const { top: xTop, step } = niceMax(max);
  const x = (v: number) => labelW + (v / xTop) * plotW;
  const parts: string[] = [legend(spec, labelOf, labelW)];
  for (let v = 0; v <= xTop + 1e-9; v += step) {
    parts.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${top}" y2="${top + data.length * rowH}" class="grid"/>`);
    parts.push(`<text x="${x(v).toFixed(1)}" y="${top + data.length * rowH + 16}" text-anchor="middle" class="tick">${escapeHtml(fmt(v))}</text>`);
  }
  const barH = (rowH - 6) / spec.y.length;
  data.forEach((b, i) => {
    const y0 = top + i * rowH + 3;
    parts.push(`<text x="${labelW - 8}" y="${(y0 + (rowH - 6) / 2 + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(b.label, 34)}</text>`);
    b.values.forEach((v, s) => {
      const w = Math.max(0, x(v) - labelW);
      const yy = y0 + s * barH;
      parts.push(
        `<rect x="${labelW}" y="${yy.toFixed(1)}" width="${w.toFixed(1)}" height="${Math.max(1, barH - 1).toFixed(1)}" fill="${SERIES_COLORS[s % SERIES_COLORS.length]}"><title>${escapeHtml(`${b.label} — ${labelOf(spec.y[s]!)}: ${fmt(v)}`, 200)}</title></rect>`,
      );
      if (v > 0) parts.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${(yy + barH / 2 + 3.5).toFixed(1)}" class="val">${escapeHtml(fmt(v))}</text>`);
    });
  });
  parts.push(`<line x1="${labelW}" x2="${labelW}" y1="${top}" y2="${top + data.length * rowH}" class="axis"/>`);
  const aria = escapeHtml(`${spec.title}: ${data.length} bars`, 200);
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${aria}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** The SVG of a chart, or '' when there is nothing to draw. */
export function renderChart(rows: readonly Row[], spec: ChartSpec, columns: readonly Column[], period: Period): string {
  const data = bars(rows, spec, columns, period);
  if (data.length === 0) return '';
  const labelOf = (key: string) => columns.find((c) => c.key === key)?.label ?? key;
  if (!spec.fill) return horizontal(data, spec, labelOf);
  const width = 880;
  const rotate = data.length > 12 || data.some((b) => b.label.length > 10);
  const left = rotate ? 84 : 56;
  const right = 16;
  const top = spec.y.length > 1 ? 34 : 16;
  const bottom = rotate ? 92 : 36;
  const height = 230 + top + bottom;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(0, ...data.flatMap((b) => b.values));
  const { top: yTop, step } = niceMax(max);
  const y = (v: number) => top + plotH - (v / yTop) * plotH;
  const band = plotW / data.length;
  const gap = Math.max(Math.min(band * 0.25, 12), band - 72 * spec.y.length);
  const barW = Math.max(1, (band - gap) / spec.y.length);
  const parts: string[] = [];
  for (let v = 0; v <= yTop + 1e-9; v += step) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(fmt(v))}</text>`);
  }
  const every = Math.max(1, Math.ceil(data.length / (rotate ? 42 : 16)));
  data.forEach((b, i) => {
    const x0 = left + i * band + gap / 2;
    b.values.forEach((v, s) => {
      const h = Math.max(0, y(0) - y(v));
      const title = `${b.label} — ${labelOf(spec.y[s]!)}: ${fmt(v)}`;
      parts.push(
        `<rect x="${(x0 + s * barW).toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(0.5, barW - (spec.y.length > 1 ? 1 : 0)).toFixed(1)}" height="${h.toFixed(1)}" fill="${SERIES_COLORS[s % SERIES_COLORS.length]}"><title>${escapeHtml(title, 200)}</title></rect>`,
      );
      if (data.length <= 16 && v > 0) {
        parts.push(`<text x="${(x0 + s * barW + barW / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" class="val">${escapeHtml(fmt(v))}</text>`);
      }
    });
    if (i % every === 0) {
      const cx = left + i * band + band / 2;
      const label = escapeHtml(b.label, 24);
      parts.push(
        rotate
          ? `<text x="${cx.toFixed(1)}" y="${top + plotH + 12}" text-anchor="end" class="tick" transform="rotate(-45 ${cx.toFixed(1)} ${top + plotH + 12})">${label}</text>`
          : `<text x="${cx.toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" class="tick">${label}</text>`,
      );
    }
  });
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" class="axis"/>`);
  parts.push(legend(spec, labelOf, left));
  const aria = escapeHtml(`${spec.title}: ${data.length} bars`, 200);
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${aria}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
