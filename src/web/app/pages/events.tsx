// A table of event rows (search results, a user's recent activity) with pivots to user and IP pages.
import type { EventRow } from '../types.js';
import { AppLink, ipLink, Txt, userLink, When } from '../ui.js';

export function EventTable({ rows, id }: { rows: EventRow[]; id?: string }) {
  return (
    <table class="grid" id={id}>
      <thead>
        <tr><th>Time</th><th>User</th><th>IP</th><th>Country</th><th>ASN</th><th>Operation</th><th>Workload</th><th>Result</th><th>Tenant</th></tr>
      </thead>
      <tbody>
        {rows.map((e, i) => (
          <tr key={`${e.tenant}/${e.id}/${i}`}>
            <td><When t={e.time} /></td>
            <td>{e.user ? <AppLink to={userLink(e.user)}><Txt v={e.user} max={120} /></AppLink> : null}</td>
            <td>{e.ip ? <AppLink to={ipLink(e.ip)}><Txt v={e.ip} max={60} /></AppLink> : null}</td>
            <td><Txt v={e.country} max={40} /></td>
            <td><Txt v={e.asn} max={80} /></td>
            <td><Txt v={e.operation} max={120} /></td>
            <td><Txt v={e.workload} max={60} /></td>
            <td><Txt v={e.result} max={60} /></td>
            <td><Txt v={e.tenant} max={40} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
