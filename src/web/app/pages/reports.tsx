// Reports: every built-in report over the chosen period drawn in the page (each section as a table of
// text), with downloads as HTML, CSV and JSON (GET /api/v1/reports/:name?format=…), and the runs the
// schedules produced, each file downloadable.

import { useState } from 'preact/hooks';
import { apiUrl, get } from '../api.js';
import { ErrorBox, Loading, Txt, useAsync, When } from '../ui.js';

interface ReportInfo { name: string; title: string; description: string; defaultPeriod: string }
interface Section { id: string; title: string; note?: string; columns: { key: string; label: string }[]; rows: Record<string, unknown>[]; truncated: boolean }
interface Report { name: string; title: string; description: string; period: { from: number | string; to: number | string }; sections: Section[] }
interface Run { id?: string; schedule: string; report: string; status: string; dueAt: number | string; periodFrom: number | string | null; periodTo: number | string | null; files: { format: string; filename: string }[]; error: string | null }

const PERIODS = ['last-24h', 'last-day', 'last-7d', 'last-week', 'last-30d', 'this-month', 'last-month'];

function OneReport({ info, period }: { info: ReportInfo; period: string }) {
  const r = useAsync(() => get<Report>(`/reports/${encodeURIComponent(info.name)}`, { period }), [info.name, period]);
  const dl = (format: string) => apiUrl(`/reports/${encodeURIComponent(info.name)}`, { period, format });
  return (
    <article class="card report" id={`report-${info.name}`}>
      <h2><Txt v={info.title} max={200} /></h2>
      <p class="muted"><Txt v={info.description} max={500} /></p>
      <p class="downloads">
        Download: <a href={dl('html')} download>HTML</a> · <a href={dl('csv')} download>CSV</a> · <a href={dl('json')} download>JSON</a>
      </p>
      <ErrorBox error={r.error} />
      <Loading on={r.loading} />
      {r.data?.sections.map((s) => (
        <section key={s.id}>
          <h3><Txt v={s.title} max={200} /></h3>
          {s.note && <p class="muted"><Txt v={s.note} max={500} /></p>}
          {s.rows.length === 0 ? (
            <p class="muted">No rows.</p>
          ) : (
            <table class="grid small">
              <thead><tr>{s.columns.map((c) => <th key={c.key}><Txt v={c.label} max={60} /></th>)}</tr></thead>
              <tbody>
                {s.rows.slice(0, 200).map((row, i) => (
                  <tr key={i}>{s.columns.map((c) => <td key={c.key}><Txt v={row[c.key]} max={200} /></td>)}</tr>
                ))}
              </tbody>
            </table>
          )}
          {(s.truncated || s.rows.length > 200) && <p class="muted">More rows in the downloads.</p>}
        </section>
      ))}
    </article>
  );
}

export function ReportsPage() {
  const list = useAsync(() => get<ReportInfo[]>('/reports'), []);
  const runs = useAsync(() => get<Run[]>('/reports/runs', { limit: 50 }), []);
  const [period, setPeriod] = useState('last-7d');
  return (
    <section>
      <h1>Reports</h1>
      <label class="inline">
        Period{' '}
        <select id="period" value={period} onChange={(e) => setPeriod((e.currentTarget as HTMLSelectElement).value)}>
          {PERIODS.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <ErrorBox error={list.error} />
      {(list.data ?? []).map((info) => <OneReport key={info.name} info={info} period={period} />)}
      <h2>Scheduled runs</h2>
      <ErrorBox error={runs.error} />
      <table class="grid" id="runs">
        <thead><tr><th>Schedule</th><th>Report</th><th>Due</th><th>Status</th><th>Files</th></tr></thead>
        <tbody>
          {(runs.data ?? []).map((run, i) => {
            const id = run.id ?? `${run.schedule}@${run.dueAt}`;
            return (
              <tr key={i}>
                <td><Txt v={run.schedule} max={100} /></td>
                <td><Txt v={run.report} max={100} /></td>
                <td><When t={run.dueAt} /></td>
                <td><Txt v={run.status} max={30} />{run.error && <> — <Txt v={run.error} max={300} /></>}</td>
                <td>
                  {run.files.map((f) => (
                    <a key={f.format} href={apiUrl(`/report-runs/${encodeURIComponent(id)}/download`, { format: f.format })} download>
                      {/^[a-z]+$/.test(f.format) ? f.format.toUpperCase() : 'file'}{' '}
                    </a>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {runs.data?.length === 0 && <p class="muted">No scheduled runs yet (reports.schedules in the config).</p>}
    </section>
  );
}
