// Rules: the built-in pack and the user's folders, each rule enabled or not (who changed it, when), what it
// detects (a correlation's threshold, window and grouping), its last hit and hits in 7 days, and the files that
// failed to load; admins enable or disable a rule
// (POST /api/v1/rules/:id/enable|disable, recorded with who and why).

import { useState } from 'preact/hooks';
import { post, get } from '../api.js';
import { useCan } from '../session.js';
import { ErrorBox, Loading, Sev, Txt, useAsync, When } from '../ui.js';

interface Rule { id: string; title: string; level: string; source?: string; file: string; enabled: boolean; lastHitAt?: string | null; hits7d?: number; loadError?: string | null; changedBy?: string | null; changedAt?: string | null; kind?: string }
interface RulesList { rules: Rule[]; errors: string[] }

export function RulesPage() {
  const r = useAsync(() => get<RulesList>('/rules'), []);
  const admin = useCan('admin');
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  const toggle = async (rule: Rule) => {
    setError(null);
    try {
      const reason = (document.getElementById('rule-reason') as HTMLInputElement | null)?.value.trim();
      await post(`/rules/${encodeURIComponent(rule.id)}/${rule.enabled ? 'disable' : 'enable'}`, reason ? { reason } : {});
      r.reload();
    } catch (err) {
      setError(err);
    }
  };
  const rules = (r.data?.rules ?? []).filter((x) => !filter || `${x.id} ${x.title} ${x.file}`.toLowerCase().includes(filter.toLowerCase()));
  const groups = new Map<string, Rule[]>();
  for (const rule of rules) {
    const key = rule.source === 'builtin' ? 'Built-in pack' : rule.source === 'user' ? 'Your rule folders' : rule.source ? `Folder ${rule.source.slice(0, 200)}` : 'Rules';
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  return (
    <section>
      <h1>Rules</h1>
      <ErrorBox error={r.error || error} />
      <Loading on={r.loading && !r.data} />
      {r.data && r.data.errors.length > 0 && (
        <div class="card bad" id="load-errors">
          <h2>Files that failed to load</h2>
          <ul>{r.data.errors.map((e, i) => <li key={i}><Txt v={e} max={500} /></li>)}</ul>
        </div>
      )}
      <p class="filters">
        <label class="inline">Filter <input value={filter} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} maxLength={200} /></label>
        {admin && <label class="inline">Reason for a change <input id="rule-reason" maxLength={2000} /></label>}
      </p>
      {[...groups].map(([group, list]) => (
        <div key={group}>
          <h2>{group} ({list.length})</h2>
          <table class="grid" id="rules">
            <thead><tr><th>Rule</th><th>Level</th><th>Detection</th><th>File</th><th>Enabled</th><th>Last hit</th><th>Hits 7 d</th><th>Load error</th>{admin && <th />}</tr></thead>
            <tbody>
              {list.map((rule) => (
                <tr key={rule.id} class={rule.loadError ? 'bad' : rule.enabled ? '' : 'off'} data-rule={rule.id}>
                  <td><Txt v={rule.title} max={200} /><br /><span class="muted"><Txt v={rule.id} max={200} /></span></td>
                  <td><Sev s={rule.level} /></td>
                  <td class="detection"><Txt v={rule.kind ?? ''} max={200} /></td>
                  <td><Txt v={rule.file} max={200} /></td>
                  <td>{rule.enabled ? 'yes' : 'no'}{rule.changedBy && <span class="muted"> (<Txt v={rule.changedBy} max={60} />, <When t={rule.changedAt ?? null} />)</span>}</td>
                  <td><When t={rule.lastHitAt ?? null} /></td>
                  <td class="num">{rule.hits7d ?? '—'}</td>
                  <td><Txt v={rule.loadError ?? ''} max={300} /></td>
                  {admin && <td><button type="button" class="toggle" onClick={() => toggle(rule)}>{rule.enabled ? 'Disable' : 'Enable'}</button></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
