// The alert queue: filters (status, severity, rule, tenant, assignee, time) kept in the address so a
// view can be shared, sorting, bulk acknowledge / assign / resolve / suppress for analysts, and a poll
// every 10 s that adds new alerts without a reload (they are marked until looked at).

import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useSearch } from 'wouter-preact';
import { get, post } from '../api.js';
import { useCan, useSession } from '../session.js';
import { SEVERITIES, STATUSES, type Alert, type AlertPage } from '../types.js';
import { AppLink, ErrorBox, Sev, Txt, useAsync, When } from '../ui.js';

export const POLL_MS = 10_000;
const SORTS = ['newest', 'oldest', 'severity', 'count'] as const;

interface Filters {
  status: string;
  severity: string;
  rule: string;
  tenant: string;
  assignee: string;
  since: string;
  until: string;
  sort: string;
}
const KEYS: (keyof Filters)[] = ['status', 'severity', 'rule', 'tenant', 'assignee', 'since', 'until', 'sort'];

function readFilters(search: string): Filters {
  const q = new URLSearchParams(search);
  const f = Object.fromEntries(KEYS.map((k) => [k, q.get(k) ?? ''])) as unknown as Filters;
  if (!q.has('status')) f.status = 'new,acknowledged';
  return f;
}

/** The alerts the filters ask for, filtered and sorted by the API (GET /alerts). */
async function loadAlerts(f: Filters): Promise<AlertPage> {
  const alerts = await get<Alert[]>('/alerts', { status: f.status, severity: f.severity, rule: f.rule, tenant: f.tenant, assignee: f.assignee, since: f.since, until: f.until, sort: f.sort || 'newest', limit: 500 });
  return { alerts };
}

export function QueuePage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = readFilters(search);
  const can = useCan('analyst');
  const session = useSession();
  const list = useAsync(() => loadAlerts(filters), [search]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const seen = useRef<Set<string> | null>(null);

  useEffect(() => {
    const t = setInterval(() => list.reload(), POLL_MS);
    return () => clearInterval(t);
  }, [search]);
  useEffect(() => {
    seen.current = null;
  }, [search]);
  useEffect(() => {
    const alerts = list.data?.alerts;
    if (!alerts) return;
    if (seen.current) {
      const added = alerts.filter((a) => !seen.current!.has(a.id)).map((a) => a.id);
      if (added.length) setFresh((f) => new Set([...f, ...added]));
    }
    seen.current = new Set(alerts.map((a) => a.id));
  }, [list.data]);

  const setFilter = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const q = new URLSearchParams();
    for (const k of KEYS) {
      const v = k === 'status' ? form.getAll('status').join(',') : String(form.get(k) ?? '');
      if (v !== '' || k === 'status') q.set(k, v);
    }
    navigate(`/alerts?${q.toString()}`);
  };

  const bulk = async (action: 'ack' | 'assign' | 'resolve' | 'suppress') => {
    const ids = [...selected];
    if (!ids.length) return;
    const assignee = action === 'assign' ? (document.getElementById('bulk-assignee') as HTMLInputElement).value.trim() || null : undefined;
    const reason = (document.getElementById('bulk-reason') as HTMLInputElement).value.trim() || undefined;
    setError(null);
    try {
      const r = await post<{ changed: unknown[]; failed: { id: string; error: string }[] }>('/alerts/bulk', { ids, action, actor: session.user, ...(assignee !== undefined ? { assignee } : {}), ...(reason ? { reason } : {}) });
      if (r.failed.length) setError(new Error(`${r.failed.length} not changed: ${r.failed[0]!.error}`));
      setNote(`${action} done for ${r.changed.length} of ${ids.length} alert${ids.length === 1 ? "" : "s"}.`);
      setSelected(new Set());
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  const alerts = list.data?.alerts ?? [];
  const toggle = (id: string) => setSelected((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  const statuses = new Set(filters.status.split(',').filter(Boolean));
  return (
    <section>
      <h1>Alerts</h1>
      <form class="filters" onSubmit={setFilter} key={search}>
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label class="inline" key={s}>
              <input type="checkbox" name="status" value={s} checked={statuses.has(s)} /> {s.replace('_', ' ')}
            </label>
          ))}
        </fieldset>
        <label>
          Severity at least
          <select name="severity" value={filters.severity}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option value={s} key={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule <input name="rule" value={filters.rule} maxLength={200} />
        </label>
        <label>
          Tenant <input name="tenant" value={filters.tenant} maxLength={200} />
        </label>
        <label>
          Assignee <input name="assignee" value={filters.assignee} maxLength={200} placeholder="- for nobody" />
        </label>
        <label>
          Since <input name="since" value={filters.since} maxLength={64} placeholder="24h, 7d or ISO time" />
        </label>
        <label>
          Until <input name="until" value={filters.until} maxLength={64} />
        </label>
        <label>
          Sort
          <select name="sort" value={filters.sort || 'newest'}>
            {SORTS.map((s) => (
              <option value={s} key={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
      </form>
      {can && (
        <div class="bulk" id="bulk">
          <span>{selected.size} selected</span>
          <button type="button" onClick={() => bulk('ack')} disabled={!selected.size}>
            Acknowledge
          </button>
          <input id="bulk-assignee" placeholder="assignee" maxLength={200} />
          <button type="button" onClick={() => bulk('assign')} disabled={!selected.size}>
            Assign
          </button>
          <input id="bulk-reason" placeholder="reason / comment" maxLength={2000} />
          <button type="button" onClick={() => bulk('resolve')} disabled={!selected.size}>
            Resolve
          </button>
          <button type="button" onClick={() => bulk('suppress')} disabled={!selected.size}>
            Suppress
          </button>
        </div>
      )}
      {note && <p class="note">{note}</p>}
      <ErrorBox error={error || list.error} />
      {fresh.size > 0 && (
        <p class="note" id="new-alerts">
          {fresh.size} new alert{fresh.size === 1 ? '' : 's'} since you opened the page.{' '}
          <button type="button" class="link" onClick={() => setFresh(new Set())}>
            Mark seen
          </button>
        </p>
      )}
      <p class="muted">
        {list.data ? `${list.data.total ?? alerts.length} alert${(list.data.total ?? alerts.length) === 1 ? '' : 's'}` : 'Loading…'}; refreshed every {POLL_MS / 1000} s.
      </p>
      <table class="grid" id="queue">
        <thead>
          <tr>
            {can && (
              <th>
                <input
                  type="checkbox"
                  aria-label="select all"
                  checked={alerts.length > 0 && selected.size === alerts.length}
                  onChange={(e) => setSelected((e.currentTarget as HTMLInputElement).checked ? new Set(alerts.map((a) => a.id)) : new Set())}
                />
              </th>
            )}
            <th>Severity</th>
            <th>Alert</th>
            <th>Rule</th>
            <th>Tenant</th>
            <th>Entities</th>
            <th>Status</th>
            <th>Assignee</th>
            <th>Last seen</th>
            <th>Count</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.id} class={fresh.has(a.id) ? 'fresh' : ''} data-id={a.id}>
              {can && (
                <td>
                  <input type="checkbox" aria-label="select" checked={selected.has(a.id)} onChange={() => toggle(a.id)} />
                </td>
              )}
              <td>
                <Sev s={a.severity} />
              </td>
              <td>
                <AppLink to={`/alerts/${encodeURIComponent(a.id)}`}>
                  <Txt v={a.title} max={200} />
                </AppLink>
              </td>
              <td>
                <Txt v={a.rule} max={80} />
              </td>
              <td>
                <Txt v={a.tenant} max={40} />
              </td>
              <td>
                <Txt v={[...(a.entities.users ?? []), ...(a.entities.ips ?? [])].slice(0, 3).join(', ')} max={120} />
              </td>
              <td>
                <Txt v={a.status} max={20} />
              </td>
              <td>
                <Txt v={a.assignee ?? ''} max={60} />
              </td>
              <td>
                <When t={a.lastSeen} />
              </td>
              <td class="num">{a.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
