// Sign-in reports: failed sign-ins (accounts and IPs over a threshold, top error codes with their names,
// failures per day) and sign-ins by country. Failures key on Operation UserLoginFailed and ErrorNumber,
// never on ResultStatus, which Microsoft fills inconsistently on failures (ual-schema.md §4.1).

import { raw, sql, type Row } from '../../store/index.js';
import type { QueryContext, ReportDefinition } from '../types.js';
import { bucket, col, distinct, fromEvents, inPeriod, limit, listOf, oneOf, SIGNIN_ERRORS } from './common.js';

const failed = (ctx: QueryContext) => sql`${inPeriod(ctx)} AND ${oneOf(ctx, col('operation'), ['UserLoginFailed'])}`;
const threshold = (ctx: QueryContext) => Math.max(1, Math.floor(ctx.params.threshold ?? 5));

export const failedSignins: ReportDefinition = {
  name: 'failed-signins',
  title: 'Failed sign-ins',
  description:
    'Entra ID sign-in failures (UserLoginFailed): accounts and client IPs with at least the threshold of failures in the period (--threshold, default 5), the most frequent error codes with their names, and failures per day.',
  defaultPeriod: 'last-7d',
  sections: [
    {
      id: 'per-day',
      title: 'Failures per day',
      columns: [
        { key: 'day', label: 'Day (UTC)', kind: 'day' },
        { key: 'failures', label: 'Failures', kind: 'number' },
        { key: 'accounts', label: 'Accounts', kind: 'number' },
      ],
      chart: { x: 'day', y: ['failures'], title: 'Failed sign-ins per day', fill: 'day' },
      rows: (ctx) =>
        ctx.store.query(sql`SELECT ${bucket(ctx, 'day', col('creation_time'))} AS day, count(*) AS failures, ${distinct(ctx, col('user_id'))} AS accounts
${fromEvents(ctx, failed(ctx))} GROUP BY day ORDER BY day${limit(ctx)}`),
    },
    {
      id: 'accounts',
      title: 'Accounts over the threshold',
      columns: [
        { key: 'account', label: 'Account' },
        { key: 'failures', label: 'Failures', kind: 'number' },
        { key: 'ips', label: 'Client IPs', kind: 'number' },
        { key: 'ip_list', label: 'IPs (first 20)', max: 300 },
        { key: 'errors', label: 'Error codes', max: 200 },
        { key: 'succeeded_after', label: 'Successful sign-ins', kind: 'number' },
        { key: 'first_seen', label: 'First', kind: 'time' },
        { key: 'last_seen', label: 'Last', kind: 'time' },
        { key: 'tenant', label: 'Tenant' },
      ],
      rows: (ctx) =>
        // Successes joined per account (no correlated subquery: ClickHouse has none).
        ctx.store.query(sql`SELECT f.account AS account, f.failures AS failures, f.ips AS ips, f.ip_list AS ip_list, f.errors AS errors,
  ${ctx.d.coalesce(raw('s.n'), raw('0'))} AS succeeded_after, f.first_seen AS first_seen, f.last_seen AS last_seen, f.tenant AS tenant
FROM (SELECT user_id AS account, ${ctx.d.coalesce(ctx.d.lower(col('user_id')), sql`''`)} AS account_key, tenant_id AS tenant, count(*) AS failures, ${distinct(ctx, col('client_ip'))} AS ips,
    ${listOf(ctx, col('client_ip'))} AS ip_list, ${listOf(ctx, col('error_number'), 10)} AS errors,
    min(creation_time) AS first_seen, max(creation_time) AS last_seen
  ${fromEvents(ctx, failed(ctx))} GROUP BY user_id, tenant_id HAVING count(*) >= ${threshold(ctx)}) f
LEFT JOIN (SELECT tenant_id AS tenant, ${ctx.d.coalesce(ctx.d.lower(col('user_id')), sql`''`)} AS account_key, count(*) AS n
  ${fromEvents(ctx, sql`${inPeriod(ctx)} AND ${oneOf(ctx, col('operation'), ['UserLoggedIn'])}`)} GROUP BY tenant_id, account_key) s
  ON f.tenant = s.tenant AND f.account_key = s.account_key
ORDER BY f.failures DESC, f.account${limit(ctx)}`),
    },
    {
      id: 'ips',
      title: 'Client IPs over the threshold',
      columns: [
        { key: 'client_ip', label: 'Client IP' },
        { key: 'country', label: 'Country' },
        { key: 'as_org', label: 'Network' },
        { key: 'failures', label: 'Failures', kind: 'number' },
        { key: 'accounts', label: 'Accounts', kind: 'number' },
        { key: 'account_list', label: 'Accounts (first 20)', max: 400 },
        { key: 'first_seen', label: 'First', kind: 'time' },
        { key: 'last_seen', label: 'Last', kind: 'time' },
      ],
      rows: async (ctx) => {
        const rows = await ctx.store.query(sql`SELECT client_ip, max(country) AS country, max(as_org) AS as_org, count(*) AS failures,
  ${distinct(ctx, col('user_id'))} AS accounts, ${listOf(ctx, col('user_id'))} AS account_list,
  min(creation_time) AS first_seen, max(creation_time) AS last_seen
${fromEvents(ctx, sql`${failed(ctx)} AND client_ip IS NOT NULL`)} GROUP BY client_ip HAVING count(*) >= ${threshold(ctx)}
ORDER BY failures DESC, client_ip${limit(ctx)}`);
        const lookup = ctx.params.countryOf;
        return lookup ? rows.map((r): Row => ({ ...r, country: r['country'] ?? lookup(String(r['client_ip'])) })) : rows;
      },
    },
    {
      id: 'errors',
      title: 'Top error codes',
      columns: [
        { key: 'error_number', label: 'Error code' },
        { key: 'error_name', label: 'Name' },
        { key: 'failures', label: 'Failures', kind: 'number' },
        { key: 'accounts', label: 'Accounts', kind: 'number' },
      ],
      chart: { x: 'error_name', y: ['failures'], title: 'Failures by error' },
      rows: async (ctx) => {
        const rows = await ctx.store.query(sql`SELECT coalesce(error_number, '(none)') AS error_number, max(logon_error) AS error_name,
  count(*) AS failures, ${distinct(ctx, col('user_id'))} AS accounts
${fromEvents(ctx, failed(ctx))} GROUP BY error_number ORDER BY failures DESC, error_number${limit(ctx)}`);
        return rows.map((r): Row => ({ ...r, error_name: r['error_name'] ?? SIGNIN_ERRORS[String(r['error_number'])] ?? '(unknown)' }));
      },
    },
  ],
};

export const signinsByCountry: ReportDefinition = {
  name: 'signins-by-country',
  title: 'Sign-ins by country',
  description:
    'Successful (UserLoggedIn) and failed (UserLoginFailed) Entra ID sign-ins per country of the client IP (GeoIP at ingest, or looked up when the report runs), with the accounts and IPs behind them.',
  defaultPeriod: 'last-7d',
  sections: [
    {
      id: 'countries',
      title: 'Countries',
      columns: [
        { key: 'country', label: 'Country' },
        { key: 'signins', label: 'Sign-ins', kind: 'number' },
        { key: 'failures', label: 'Failures', kind: 'number' },
        { key: 'accounts', label: 'Accounts', kind: 'number' },
        { key: 'ips', label: 'Client IPs', kind: 'number' },
        { key: 'account_list', label: 'Accounts (first 20)', max: 400 },
      ],
      chart: { x: 'country', y: ['signins', 'failures'], title: 'Sign-ins and failures by country' },
      rows: async (ctx) => {
        // Per IP first: rows without a stored country are looked up here (when an enricher is given).
        const perIp = await ctx.store.query(sql`SELECT client_ip, max(country) AS country,
  sum(CASE WHEN lower(operation) = 'userloggedin' THEN 1 ELSE 0 END) AS signins,
  sum(CASE WHEN lower(operation) = 'userloginfailed' THEN 1 ELSE 0 END) AS failures,
  ${listOf(ctx, col('user_id'), 200)} AS users
${fromEvents(ctx, sql`${inPeriod(ctx)} AND ${oneOf(ctx, col('operation'), ['UserLoggedIn', 'UserLoginFailed'])}`)}
GROUP BY client_ip LIMIT 200000`);
        const byCountry = new Map<string, { signins: number; failures: number; users: Set<string>; ips: number }>();
        for (const r of perIp) {
          const ip = r['client_ip'] === null ? null : String(r['client_ip']);
          const country = (r['country'] as string | null) ?? (ip && ctx.params.countryOf ? ctx.params.countryOf(ip) : null) ?? '(unknown)';
          const c = byCountry.get(country) ?? { signins: 0, failures: 0, users: new Set<string>(), ips: 0 };
          c.signins += Number(r['signins'] ?? 0);
          c.failures += Number(r['failures'] ?? 0);
          c.ips += ip ? 1 : 0;
          for (const u of String(r['users'] ?? '').split('; ')) if (u) c.users.add(u);
          byCountry.set(country, c);
        }
        return [...byCountry.entries()]
          .map(([country, c]): Row => ({
            country,
            signins: c.signins,
            failures: c.failures,
            accounts: c.users.size,
            ips: c.ips,
            account_list: [...c.users].sort().slice(0, 20).join('; '),
          }))
          .sort((a, b) => Number(b['signins']) + Number(b['failures']) - Number(a['signins']) - Number(a['failures']) || String(a['country']).localeCompare(String(b['country'])))
          .slice(0, (ctx.params.limit ?? 1000) + 1);
      },
    },
  ],
};
