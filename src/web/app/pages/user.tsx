// A user's page: sign-ins by country (succeeded and failed, as a chart and a table), the IPs used, the
// recent activity and the alerts naming the user (GET /api/v1/entities/users/:user).

import { get } from '../api.js';
import type { Alert, EventRow } from '../types.js';
import { AppLink, ChartBox, entitySegment, ErrorBox, ipLink, Loading, searchLink, Txt, useAsync } from '../ui.js';
import { AlertList } from './entity-alerts.js';
import { EventTable } from './events.js';
import { showText } from '../../text.js';

export interface UserEntity {
  user: string;
  signInsByCountry: { country: string | null; ok: number; failed: number }[];
  recentEvents: EventRow[];
  alerts: Alert[];
  ips: { ip: string; country: string | null; asn: string | number | null; count: number }[];
}

export function UserPage({ user: raw }: { user: string }) {
  const user = entitySegment('/users/', raw);
  const r = useAsync(() => get<UserEntity>(`/entities/users/${encodeURIComponent(user)}`, { since: '30d' }), [user]);
  const d = r.data;
  return (
    <section>
      <h1>
        User <Txt v={user} max={200} />
      </h1>
      <p>
        <AppLink to={searchLink({ user })}>Search this user's events</AppLink>
      </p>
      <ErrorBox error={r.error} />
      <Loading on={r.loading && !d} />
      {d && (
        <>
          <div class="cols">
            <div class="card grow">
              <h2>Sign-ins by country (30 days)</h2>
              <ChartBox
                label="sign-ins by country"
                config={{
                  type: 'bar',
                  data: {
                    labels: d.signInsByCountry.map((c) => showText(c.country ?? 'unknown', 40)),
                    datasets: [
                      { label: 'succeeded', data: d.signInsByCountry.map((c) => c.ok), backgroundColor: '#16a34a' },
                      { label: 'failed', data: d.signInsByCountry.map((c) => c.failed), backgroundColor: '#dc2626' },
                    ],
                  },
                  options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
                }}
              />
              <table class="grid small" id="countries">
                <thead><tr><th>Country</th><th>Succeeded</th><th>Failed</th></tr></thead>
                <tbody>
                  {d.signInsByCountry.map((c, i) => (
                    <tr key={i}><td><Txt v={c.country ?? 'unknown'} max={40} /></td><td class="num">{c.ok}</td><td class="num">{c.failed}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div class="card">
              <h2>IP addresses</h2>
              <table class="grid small">
                <thead><tr><th>IP</th><th>Country</th><th>ASN</th><th>Events</th></tr></thead>
                <tbody>
                  {d.ips.slice(0, 100).map((ip) => (
                    <tr key={ip.ip}>
                      <td><AppLink to={ipLink(ip.ip)}><Txt v={ip.ip} max={60} /></AppLink></td>
                      <td><Txt v={ip.country} max={40} /></td>
                      <td><Txt v={ip.asn} max={80} /></td>
                      <td class="num">{ip.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <h2>Alerts</h2>
          <AlertList alerts={d.alerts} />
          <h2>Recent activity</h2>
          <EventTable rows={d.recentEvents} id="recent" />
        </>
      )}
    </section>
  );
}
