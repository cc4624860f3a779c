// The page's small parts. Every audit string reaches the DOM through Txt, More or JsonView: made safe
// by text.ts (control and bidi characters as visible escapes, cut to a length) and put in a text node
// by Preact. Links are drawn only for app-relative paths (AppLink); anything else stays text.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { Link } from 'wouter-preact';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import { DETAIL_MAX, LIST_MAX, showText } from '../text.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export function Txt({ v, max = LIST_MAX }: { v: unknown; max?: number }) {
  return <span class="t">{showText(v, max)}</span>;
}

/** Long text in a detail view: the first `max` characters, and "show more" for ten times as many (still text). */
export function More({ v, max = DETAIL_MAX }: { v: unknown; max?: number }) {
  const [open, setOpen] = useState(false);
  const full = typeof v === 'string' ? v.length : showText(v, max * 10).length;
  const limit = open ? max * 10 : max;
  return (
    <span class="more">
      <span class="t pre">{showText(v, limit, true)}</span>
      {full > max && (
        <button type="button" class="link" onClick={() => setOpen(!open)}>
          {open ? 'show less' : `show more (${full.toLocaleString()} characters)`}
        </button>
      )}
    </span>
  );
}

/** A link only when `to` is a path of this app; otherwise the text alone. */
export function AppLink({ to, children }: { to: string; children: ComponentChildren }) {
  if (!/^\/(?![/\\])/.test(to)) return <>{children}</>;
  return <Link href={to}>{children}</Link>;
}

export const userLink = (u: string) => `/users/${encodeURIComponent(u)}`;
/** A path segment decoded; kept as it came when it is not valid percent-encoding. */
const decodeSegment = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};
/**
 * An entity page's value (`/users/VALUE`, `/ips/VALUE`) read from the address bar as the browser keeps it
 * (percent-encoded) and decoded once. The router's parameter is decoded already (decodeURI turns `%25`
 * into `%`), so decoding it again would show the user `a%40b` as `a@b`; it serves only when the
 * address does not start with the prefix.
 */
export const entitySegment = (prefix: '/users/' | '/ips/', routed: string): string => {
  const path = typeof window === 'undefined' ? '' : window.location.pathname;
  return path.startsWith(prefix) ? decodeSegment(path.slice(prefix.length).split('/')[0] ?? '') : decodeSegment(routed);
};
export const ipLink = (ip: string) => `/ips/${encodeURIComponent(ip)}`;
export const searchLink = (q: Record<string, string>) => `/search?${new URLSearchParams(q).toString()}`;

/** The raw record as a tree of text nodes (details/summary per object), bounded in depth and breadth. */
export function JsonView({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }) {
  const label = name !== undefined ? <span class="jk">{showText(name, 200)}: </span> : null;
  if (value === null || typeof value !== 'object') {
    const cls = typeof value === 'string' ? 'js' : 'jn';
    return (
      <div class="jl">
        {label}
        <span class={cls}>{typeof value === 'string' ? <More v={value} max={1000} /> : showText(value === undefined ? 'undefined' : JSON.stringify(value))}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  const shown = entries.slice(0, 200);
  if (depth > 12) return <div class="jl">{label}<span class="jn">…</span></div>;
  return (
    <details class="jo" open={depth < 2}>
      <summary>
        {label}
        <span class="jn">{Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}</span>
      </summary>
      {shown.map(([k, v]) => (
        <JsonView key={k} name={k} value={v} depth={depth + 1} />
      ))}
      {entries.length > shown.length && <div class="jl jn">… {entries.length - shown.length} more</div>}
    </details>
  );
}

export function When({ t }: { t: string | number | null | undefined }) {
  if (t === null || t === undefined || t === '') return <span class="muted">—</span>;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return <Txt v={t} max={40} />;
  return <time dateTime={d.toISOString()}>{d.toISOString().replace('T', ' ').slice(0, 19)}Z</time>;
}

export function Sev({ s }: { s: string }) {
  return <span class={`sev sev-${/^[a-z]+$/.test(s) ? s : 'x'}`}>{showText(s, 20)}</span>;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const msg = error instanceof Error ? error.message : String(error);
  return (
    <p class="error" role="alert">
      {showText(msg, 600)}
    </p>
  );
}

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change (and on reload()); the latest answer wins. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** A Chart.js canvas; the same numbers are in a table beside it for print and screen readers. */
export function ChartBox({ config, label }: { config: ChartConfiguration; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
    return () => chart.destroy();
  }, [JSON.stringify(config.data)]);
  return (
    <div class="chart">
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
}

export function Loading({ on }: { on: boolean }) {
  return on ? <p class="muted">Loading…</p> : null;
}
