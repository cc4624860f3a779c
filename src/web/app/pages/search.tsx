// Investigation: event search over any period by user, IP, operation, workload, result, tenant and
// free text (GET /api/v1/events), paged by cursor, with the same filters as a CSV download; and, for
// admins, one read-only SQL statement over the store (POST /api/v1/query) shown as a table of text.

import { useState } from 'preact/hooks';
import { useLocation, useSearch } from 'wouter-preact';
import { apiUrl, get, post } from '../api.js';
import { useCan } from '../session.js';
import type { EventRow } from '../types.js';
import { ErrorBox, Loading, Txt, useAsync } from '../ui.js';
import { EventTable } from './events.js';

const FIELDS = ['since', 'until', 'user', 'ip', 'operation', 'workload', 'result', 'tenant', 'q'] as const;
const PAGE = 100;

function SqlBox() {
  const [rows, setRows] = useState<Record<string, unknown>[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    const sql = String(new FormData(e.currentTarget as HTMLFormElement).get('sql') ?? '');
    setError(null);
    try {
      setRows(await post<Record<string, unknown>[]>('/query', { sql }));
    } catch (err) {
      setError(err);
    }
  };
  const cols = rows && rows.length ? Object.keys(rows[0]!) : [];
  return (
    <details class="card" id="sql">
      <summary>SQL (read-only, admins)</summary>
      <form onSubmit={run}>
        <textarea name="sql" rows={4} maxLength={100000} placeholder="select operation, count(*) as n from events group by operation order by n desc limit 20" />
        <button type="submit">Run</button>
      </form>
      <ErrorBox error={error} />
      {rows && (
        <table class="grid">
          <thead><tr>{cols.map((c) => <th key={c}><Txt v={c} max={60} /></th>)}</tr></thead>
          <tbody>
            {rows.slice(0, 1000).map((r, i) => (
              <tr key={i}>{cols.map((c) => <td key={c}><Txt v={r[c]} max={300} /></td>)}</tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

export function SearchPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const q = new URLSearchParams(search);
  const filters: Record<string, string> = Object.fromEntries(FIELDS.map((f) => [f, q.get(f) ?? '']));
  if (!filters.since) filters.since = '7d';
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const res = useAsync(() => get<{ events: EventRow[]; nextCursor: string | null }>('/events', { ...filters, limit: PAGE, cursor }), [search, cursor]);
  const admin = useCan('admin');
  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const f of FIELDS) {
      const v = String(form.get(f) ?? '').trim();
      if (v) next.set(f, v);
    }
    setCursors([]);
    navigate(`/search?${next.toString()}`);
  };
  const csv = apiUrl('/events.csv', filters);
  return (
    <section>
      <h1>Search events</h1>
      <form class="filters" onSubmit={submit} key={search}>
        {FIELDS.map((f) => (
          <label key={f}>
            {f === 'q' ? 'text' : f}
            <input name={f} value={filters[f]} maxLength={500} placeholder={f === 'since' || f === 'until' ? '7d or ISO time' : ''} />
          </label>
        ))}
        <button type="submit">Search</button>
        <a class="button" href={csv} download id="csv">CSV</a>
      </form>
      <ErrorBox error={res.error} />
      <Loading on={res.loading} />
      {res.data && (
        <>
          <p class="muted">{res.data.events.length} events on this page{cursors.length ? ` (page ${cursors.length + 1})` : ''}.</p>
          <EventTable rows={res.data.events} id="events" />
          <p class="pager">
            <button type="button" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
            <button type="button" id="next-page" disabled={!res.data.nextCursor} onClick={() => res.data?.nextCursor && setCursors([...cursors, res.data.nextCursor])}>Next</button>
          </p>
        </>
      )}
      {admin && <SqlBox />}
    </section>
  );
}
