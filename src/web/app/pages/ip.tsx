// An IP address's page: country and ASN, the users seen from it, their operations and the alerts
// naming it (GET /api/v1/entities/ips/:ip).

import { get } from '../api.js';
import type { Alert } from '../types.js';
import { AppLink, entitySegment, ErrorBox, Loading, searchLink, Txt, useAsync, userLink } from '../ui.js';
import { AlertList } from './entity-alerts.js';

export interface IpEntity {
  ip: string;
  country: string | null;
  asn: string | number | null;
  users: { user: string; count: number }[];
  operations: { operation: string; count: number }[];
  alerts: Alert[];
}

export function IpPage({ ip: raw }: { ip: string }) {
  const ip = entitySegment('/ips/', raw);
  const r = useAsync(() => get<IpEntity>(`/entities/ips/${encodeURIComponent(ip)}`, { since: '30d' }), [ip]);
  const d = r.data;
  return (
    <section>
      <h1>
        IP <Txt v={ip} max={100} />
      </h1>
      <p>
        <AppLink to={searchLink({ ip })}>Search this IP's events</AppLink>
      </p>
      <ErrorBox error={r.error} />
      <Loading on={r.loading && !d} />
      {d && (
        <>
          <dl class="facts">
            <dt>Country</dt><dd><Txt v={d.country ?? 'unknown'} max={60} /></dd>
            <dt>ASN</dt><dd id="asn"><Txt v={d.asn ?? 'unknown'} max={200} /></dd>
          </dl>
          <div class="cols">
            <div class="card">
              <h2>Users</h2>
              <table class="grid small">
                <tbody>
                  {d.users.slice(0, 200).map((u) => (
                    <tr key={u.user}><td><AppLink to={userLink(u.user)}><Txt v={u.user} max={200} /></AppLink></td><td class="num">{u.count}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="card">
              <h2>Operations</h2>
              <table class="grid small">
                <tbody>
                  {d.operations.slice(0, 200).map((o) => (
                    <tr key={o.operation}><td><Txt v={o.operation} max={120} /></td><td class="num">{o.count}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <h2>Alerts</h2>
          <AlertList alerts={d.alerts} />
        </>
      )}
    </section>
  );
}
