// The overview: what needs attention first, open alerts by severity, alerts per day (Chart.js, the
// numbers also in a table for print), collection health per tenant × content type (lag, last blob,
// gaps, dead letters, errors) and the rules that failed to load or run: GET /api/v1/overview.

import { get } from '../api.js';
import { SEVERITIES } from '../types.js';
import { AppLink, ChartBox, ErrorBox, Loading, Sev, Txt, useAsync, When } from '../ui.js';

export interface Overview {
  openBySeverity: Record<string, number>;
  alertsPerDay: { day: string; severity: string; count: number }[];
  collection: { tenant: string; contentType: string; lagSeconds: number | null; lastBlobAt: string | null; gaps: number; deadLetters: number; errors: number | string | null }[];
  ruleFailures: { rule: string; file: string; line: number | null; error: string; since: string | null }[];
  attention: { kind: string; message: string; link: string | null }[];
}

const COLORS: Record<string, string> = { critical: '#7f1d1d', high: '#dc2626', medium: '#f59e0b', low: '#3b82f6', informational: '#9ca3af' };

/** The last `n` UTC days, oldest first, as YYYY-MM-DD. */
const lastDays = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.now() - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10));

const lag = (s: number | null) => (s === null ? '—' : s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

export function OverviewPage() {
  const o = useAsync(() => get<Overview>('/overview'), []);
  const d = o.data;
  if (!d) return <><Loading on={o.loading} /><ErrorBox error={o.error} /></>;
  const days = [...new Set([...lastDays(14), ...d.alertsPerDay.map((r) => r.day)])].sort().slice(-14);
  const count = (day: string, sev: string) => d.alertsPerDay.filter((r) => r.day === day && r.severity === sev).reduce((n, r) => n + r.count, 0);
  const sevs = [...SEVERITIES].reverse();
  return (
    <section>
      <h1>Overview</h1>
      <ErrorBox error={o.error} />
      <div class="card" id="attention">
        <h2>Needs attention first</h2>
        {d.attention.length === 0 ? (
          <p class="muted">Nothing: no open critical or high alerts, no gaps, no failing rules, no dead letters.</p>
        ) : (
          <ol>
            {d.attention.slice(0, 50).map((a, i) => (
              <li key={i} class={`att att-${/^[a-z_]+$/.test(a.kind) ? a.kind : 'x'}`}>
                <span class="kind"><Txt v={a.kind} max={30} /></span>{' '}
                {a.link ? <AppLink to={a.link}><Txt v={a.message} max={300} /></AppLink> : <Txt v={a.message} max={300} />}
              </li>
            ))}
          </ol>
        )}
      </div>
      <div class="cols">
        <div class="card" id="open-by-severity">
          <h2>Open alerts</h2>
          <table class="grid small">
            <tbody>
              {sevs.map((s) => (
                <tr key={s}>
                  <td><Sev s={s} /></td>
                  <td class="num">
                    <AppLink to={`/alerts?status=new,acknowledged&severity=${s}`}>{String(d.openBySeverity[s] ?? 0)}</AppLink>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="card grow">
          <h2>Alerts per day (last 14 days)</h2>
          <ChartBox
            label="alerts per day by severity"
            config={{
              type: 'bar',
              data: { labels: days, datasets: sevs.map((s) => ({ label: s, data: days.map((day) => count(day, s)), backgroundColor: COLORS[s] ?? '#888' })) },
              options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
            }}
          />
        </div>
      </div>
      <div class="card" id="collection">
        <h2>Collection health</h2>
        <table class="grid">
          <thead>
            <tr><th>Tenant</th><th>Content type</th><th>Lag</th><th>Last blob</th><th>Gaps</th><th>Dead letters</th><th>Errors</th></tr>
          </thead>
          <tbody>
            {d.collection.map((c, i) => (
              <tr key={i} class={c.gaps || c.deadLetters || c.errors ? 'bad' : ''}>
                <td><Txt v={c.tenant} max={80} /></td>
                <td><Txt v={c.contentType} max={60} /></td>
                <td class="num">{lag(c.lagSeconds)}</td>
                <td><When t={c.lastBlobAt} /></td>
                <td class="num">{String(c.gaps)}</td>
                <td class="num">{String(c.deadLetters)}</td>
                <td><Txt v={c.errors ?? 0} max={200} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        {d.collection.length === 0 && <p class="muted">No tenant has been collected yet.</p>}
      </div>
      <div class="card" id="rule-failures">
        <h2>Rule failures</h2>
        {d.ruleFailures.length === 0 ? (
          <p class="muted">Every rule loads and runs.</p>
        ) : (
          <table class="grid">
            <thead><tr><th>Rule</th><th>File</th><th>Error</th><th>Since</th></tr></thead>
            <tbody>
              {d.ruleFailures.map((r, i) => (
                <tr key={i}>
                  <td><Txt v={r.rule} max={120} /></td>
                  <td><Txt v={r.line ? `${r.file}:${r.line}` : r.file} max={200} /></td>
                  <td><Txt v={r.error} max={500} /></td>
                  <td><When t={r.since} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
