// The alerts that name an entity (user or IP page): a short list linking to each alert.
import type { Alert } from '../types.js';
import { AppLink, Sev, Txt, When } from '../ui.js';

export function AlertList({ alerts }: { alerts: Alert[] }) {
  if (!alerts.length) return <p class="muted">No alerts.</p>;
  return (
    <ul class="alert-list">
      {alerts.slice(0, 100).map((a) => (
        <li key={a.id}>
          <Sev s={a.severity} /> <AppLink to={`/alerts/${encodeURIComponent(a.id)}`}><Txt v={a.title} max={200} /></AppLink> <Txt v={a.status} max={20} />{' '}
          <When t={a.lastSeen} />
        </li>
      ))}
    </ul>
  );
}
