// The investigation operations: event search (a page as JSON, or up to 100,000 rows as CSV), one
// event with its raw record, and the user and IP pages' aggregates with the alerts naming them. The
// queries are the store's (store/search.ts); this part turns options into a filter and names mistakes.

import { AppError, csvCell, safeLine, type Clock } from '../core/index.js';
import { createAlertService, toPayload, type AlertPayload } from '../alerts/index.js';
import { getEvent, ipAggregates, SEARCH_MAX_ROWS, searchEvents, userAggregates, type EventFilter, type EventListRow, type Store } from '../store/index.js';
import type { Config } from './config.js';
import type { EventSearchInput, Operations, Reply } from './operations.js';
import { timeOption } from './times.js';

const DAY = 86_400_000;
const PAGE = 100;
const MAX_PAGE = 1000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Alerts read to find those naming an entity (newest first). */
const ALERTS_SCANNED = 10_000;
const ALERTS_SHOWN = 100;

type InvestigateOps = Pick<Operations, 'eventsSearch' | 'eventGet' | 'eventsCsv' | 'entityUser' | 'entityIp'>;

export interface InvestigateContext {
  config: Config;
  store: Store;
  clock: Clock;
  logger: import('../core/index.js').Logger;
}

const reply = <T>(data: T, warnings: string[] = []): Reply<T> => ({ data, warnings });

/** A configured tenant's id for its name; anything else is taken as a tenant id. */
function tenantIdOf(config: Config, given: string): string {
  const byName = config.tenants.find((t) => t.name === given);
  if (byName) return byName.tenantId;
  return GUID.test(given) ? given.toLowerCase() : given;
}

function filterOf(config: Config, input: EventSearchInput, now: number): EventFilter {
  const to = timeOption(input.until || undefined, now, now, '--until');
  const from = timeOption(input.since || undefined, now - 7 * DAY, now, '--since');
  if (from >= to) throw new AppError('usage', '--since must be before --until.');
  const pick = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);
  const f: EventFilter = { from, to };
  const user = pick(input.user);
  const ip = pick(input.ip);
  const operation = pick(input.operation);
  const workload = pick(input.workload);
  const result = pick(input.result);
  const tenant = pick(input.tenant);
  const text = input.q !== undefined && input.q !== '' ? input.q : undefined;
  if (user) f.user = user;
  if (ip) f.ip = ip;
  if (operation) f.operation = operation;
  if (workload) f.workload = workload;
  if (result) f.result = result;
  if (tenant) f.tenantId = tenantIdOf(config, tenant);
  if (text) f.text = text;
  return f;
}

const CSV_COLUMNS: { label: string; get: (e: EventListRow) => unknown }[] = [
  { label: 'Time (UTC)', get: (e) => e.time },
  { label: 'Tenant', get: (e) => e.tenant },
  { label: 'User', get: (e) => e.user },
  { label: 'Client IP', get: (e) => e.ip },
  { label: 'Country', get: (e) => e.country },
  { label: 'ASN', get: (e) => e.asn },
  { label: 'Operation', get: (e) => e.operation },
  { label: 'Workload', get: (e) => e.workload },
  { label: 'Result', get: (e) => e.result },
  { label: 'Record type', get: (e) => e.recordType },
  { label: 'Id', get: (e) => e.id },
];

/** CSV that a spreadsheet opens safely: BOM, CRLF, every cell quoted, formula starts neutralised (csvCell). */
export function eventsCsvText(events: readonly EventListRow[], truncated: boolean): string {
  const lines = [CSV_COLUMNS.map((c) => csvCell(c.label)).join(',')];
  for (const e of events) lines.push(CSV_COLUMNS.map((c) => csvCell(c.get(e), 2000)).join(','));
  if (truncated) lines.push(csvCell(`(only the first ${events.length} events; narrow the search for the rest)`));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

export function investigateOperations(ctx: InvestigateContext): InvestigateOps {
  const { config, store, clock, logger } = ctx;
  const namingAlerts = async (kind: 'users' | 'ips', value: string): Promise<AlertPayload[]> => {
    const alerts = createAlertService({ store, clock, logger: logger.child({ part: 'alerts' }), config: config.alerts });
    const wanted = kind === 'users' ? value.toLowerCase() : value;
    const named = (await alerts.list({ limit: ALERTS_SCANNED })).filter((a) => (a.entities[kind] ?? []).some((v) => (kind === 'users' ? v.toLowerCase() : v) === wanted));
    return named.slice(0, ALERTS_SHOWN).map(toPayload);
  };
  const since = (text: string | undefined, now: number) => timeOption(text || undefined, now - 30 * DAY, now, '--since');

  return {
    async eventsSearch(input) {
      const now = clock.now();
      const limit = Math.min(MAX_PAGE, input.limit ?? PAGE);
      return reply(await searchEvents(store, filterOf(config, input, now), { limit, ...(input.cursor ? { cursor: input.cursor } : {}) }));
    },
    async eventGet({ tenant, id }) {
      const e = await getEvent(store, tenantIdOf(config, tenant), id);
      if (!e) throw new AppError('not_found', `No event ${safeLine(id, 80)} in tenant ${safeLine(tenant, 60)} is stored; it may be past retention or never collected.`);
      return reply(e);
    },
    async eventsCsv(input) {
      const now = clock.now();
      const limit = Math.min(SEARCH_MAX_ROWS, input.limit ?? SEARCH_MAX_ROWS);
      const page = await searchEvents(store, filterOf(config, input, now), { limit });
      const truncated = page.nextCursor !== null;
      const warnings = truncated ? [`more than ${limit} events match; the newest ${limit} are in the file (narrow the search for the rest)`] : [];
      return reply({ filename: `events-${stamp(now)}.csv`, contentType: 'text/csv; charset=utf-8', content: eventsCsvText(page.events, truncated) }, warnings);
    },
    async entityUser({ user, since: s }) {
      const now = clock.now();
      const from = since(s, now);
      const aggregates = await userAggregates(store, user, from, now);
      return reply({ user, ...aggregates, alerts: await namingAlerts('users', user) });
    },
    async entityIp({ ip, since: s }) {
      const now = clock.now();
      const from = since(s, now);
      const aggregates = await ipAggregates(store, ip, from, now);
      return reply({ ip, ...aggregates, alerts: await namingAlerts('ips', ip) });
    },
  };
}
