// One alert: what happened in a sentence, its entities with pivots (user and IP pages, event search),
// the evidence records on a timeline with each raw record in a JSON viewer of text nodes, the history
// and comments, and the workflow actions (drawn only for analysts; the API refuses the others anyway).

import { useState } from 'preact/hooks';
import { ApiError, get, post } from '../api.js';
import { useCan, useSession } from '../session.js';
import type { Alert, AlertDetail, EventRow } from '../types.js';
import { AppLink, ErrorBox, ipLink, JsonView, Loading, More, searchLink, Sev, Txt, useAsync, userLink, When } from '../ui.js';

const EVIDENCE_SHOWN = 25;

function summary(a: Alert): string {
  const users = a.entities.users ?? [];
  const ips = a.entities.ips ?? [];
  const who = users.length ? ` involving ${users.slice(0, 2).join(', ')}${users.length > 2 ? ` and ${users.length - 2} more` : ''}` : '';
  const from = ips.length ? ` from ${ips.slice(0, 2).join(', ')}${ips.length > 2 ? ` and ${ips.length - 2} more` : ''}` : '';
  const t = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z');
  const span = a.firstSeen === a.lastSeen ? ` at ${t(a.firstSeen)}` : ` between ${t(a.firstSeen)} and ${t(a.lastSeen)}`;
  return `${a.title}: ${a.count} matching event${a.count === 1 ? '' : 's'}${who}${from}${span} in tenant ${a.tenant}.`;
}

/** The evidence records, when the daemon serves single events; otherwise null (the ids are shown). */
async function loadEvidence(a: Alert): Promise<EventRow[] | null> {
  const rows: EventRow[] = [];
  for (const id of a.evidence.slice(0, EVIDENCE_SHOWN)) {
    try {
      rows.push(await get<EventRow>(`/events/${encodeURIComponent(a.tenant)}/${encodeURIComponent(id)}`));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && err.code === 'not_found' && rows.length === 0 && /Nothing at/.test(err.message)) return null;
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
  }
  return rows.sort((x, y) => x.time.localeCompare(y.time));
}

function Entities({ a }: { a: Alert }) {
  const kinds = Object.entries(a.entities).filter(([, v]) => v && v.length);
  return (
    <dl class="entities">
      {kinds.map(([kind, values]) => (
        <div key={kind}>
          <dt>
            <Txt v={kind} max={40} />
          </dt>
          <dd>
            {values!.slice(0, 50).map((v, i) => (
              <span class="entity" key={i}>
                {kind === 'users' ? <AppLink to={userLink(v)}><Txt v={v} max={200} /></AppLink> : kind === 'ips' ? <AppLink to={ipLink(v)}><Txt v={v} max={200} /></AppLink> : <Txt v={v} max={200} />}{' '}
                <AppLink to={searchLink(kind === 'users' ? { user: v } : kind === 'ips' ? { ip: v } : { q: v })}>
                  <span class="pivot">search</span>
                </AppLink>
              </span>
            ))}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Actions({ a, onChange }: { a: Alert; onChange: () => void }) {
  const session = useSession();
  const [error, setError] = useState<unknown>(null);
  const act = async (action: string, body: Record<string, unknown> = {}) => {
    setError(null);
    try {
      await post(`/alerts/${encodeURIComponent(a.id)}/${action}`, { actor: session.user, ...body });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  const value = (id: string) => (document.getElementById(id) as HTMLInputElement | HTMLTextAreaElement).value.trim();
  const open = a.status === 'new' || a.status === 'acknowledged';
  return (
    <section class="card actions" id="actions">
      <h2>Workflow</h2>
      <ErrorBox error={error} />
      {a.status === 'new' && (
        <button type="button" id="ack" onClick={() => act('ack')}>
          Acknowledge
        </button>
      )}
      <div class="row">
        <input id="assignee" placeholder="assignee" maxLength={200} value={a.assignee ?? ''} />
        <button type="button" id="assign" onClick={() => act('assign', { assignee: value('assignee') || null })}>
          Assign
        </button>
      </div>
      <div class="row">
        <textarea id="comment" placeholder="comment" maxLength={10000} rows={2} />
        <button type="button" id="add-comment" onClick={() => value('comment') && act('comment', { text: value('comment') })}>
          Comment
        </button>
      </div>
      {open ? (
        <div class="row">
          <label class="inline">
            <input type="checkbox" id="false-positive" /> false positive
          </label>
          <button
            type="button"
            id="resolve"
            onClick={() => act('resolve', { falsePositive: (document.getElementById('false-positive') as HTMLInputElement).checked, ...(value('comment') ? { comment: value('comment') } : {}) })}
          >
            Resolve
          </button>
        </div>
      ) : (
        <button type="button" id="reopen" onClick={() => act('reopen', value('comment') ? { comment: value('comment') } : {})}>
          Reopen
        </button>
      )}
    </section>
  );
}

export function AlertPage({ id }: { id: string }) {
  const detail = useAsync(() => get<AlertDetail>(`/alerts/${encodeURIComponent(id)}`), [id]);
  const a = detail.data?.alert;
  const evidence = useAsync(() => (a ? loadEvidence(a) : Promise.resolve(null)), [a?.id, a?.evidence.length]);
  const can = useCan('analyst');
  if (!a) return <><Loading on={detail.loading} /><ErrorBox error={detail.error} /></>;
  return (
    <section class="alert-detail">
      <p class="crumbs">
        <AppLink to="/alerts">Alerts</AppLink> ›
      </p>
      <h1>
        <Sev s={a.severity} /> <Txt v={a.title} max={300} />
      </h1>
      <p class="summary" id="summary">
        <Txt v={summary(a)} max={800} />
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd id="status"><Txt v={a.status} max={20} /></dd>
        <dt>Assignee</dt>
        <dd id="assignee-now"><Txt v={a.assignee ?? 'nobody'} max={200} /></dd>
        <dt>Rule</dt>
        <dd><Txt v={a.rule} max={200} /></dd>
        <dt>Tenant</dt>
        <dd><Txt v={a.tenant} max={200} /></dd>
        <dt>Grouped by</dt>
        <dd><More v={a.groupKey} max={500} /></dd>
        <dt>Tags</dt>
        <dd><Txt v={a.tags.join(', ')} max={500} /></dd>
        <dt>First / last seen</dt>
        <dd><When t={a.firstSeen} /> – <When t={a.lastSeen} /></dd>
        {a.suppressedBy && <><dt>Suppressed by</dt><dd><Txt v={a.suppressedBy} max={200} /></dd></>}
      </dl>
      <ErrorBox error={detail.error} />
      <div class="cols">
        <div>
          <h2>Entities</h2>
          <Entities a={a} />
          <h2>Evidence ({a.evidenceTotal})</h2>
          <ErrorBox error={evidence.error} />
          {evidence.data === null && !evidence.loading && (
            <ul class="evidence-ids">
              {a.evidence.map((e, i) => (
                <li key={i}><Txt v={e} max={200} /></li>
              ))}
            </ul>
          )}
          <ol class="timeline" id="evidence">
            {(evidence.data ?? []).map((e) => (
              <li key={e.id}>
                <When t={e.time} /> <strong><Txt v={e.operation} max={120} /></strong> by{' '}
                {e.user ? <AppLink to={userLink(e.user)}><Txt v={e.user} max={200} /></AppLink> : '—'} from{' '}
                {e.ip ? <AppLink to={ipLink(e.ip)}><Txt v={e.ip} max={60} /></AppLink> : '—'} <Txt v={e.country} max={40} /> <Txt v={e.result} max={60} />
                <details>
                  <summary>raw record</summary>
                  <div class="json"><JsonView value={e.raw} /></div>
                </details>
              </li>
            ))}
          </ol>
        </div>
        <div>
          {can && <Actions a={a} onChange={detail.reload} />}
          <h2>History</h2>
          <ol class="history" id="history">
            {(detail.data?.history ?? []).map((h, i) => (
              <li key={i} class={h.action === 'comment' ? 'comment' : ''}>
                <When t={h.at} /> <strong><Txt v={h.actor} max={100} /></strong> <Txt v={h.action} max={30} />
                {h.from && h.from !== h.to ? <> (<Txt v={h.from} max={20} /> → <Txt v={h.to} max={20} />)</> : null}
                {h.detail ? <div class="detail"><More v={h.detail} max={1000} /></div> : null}
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}
