// Collection completeness: per tenant × content type and per hour, the records stored (by event time),
// the blobs ingested (by contentCreated) and the gaps recorded, so that silence and lost content show.
// Reads the collector's tables (events, blob_ledger, gaps, dead_letters) through the Store interface.

import { HOUR } from '../../core/index.js';
import { CONTENT_TYPES } from '../../records/index.js';
import { ident, sql, type Row } from '../../store/index.js';
import type { QueryContext, ReportDefinition } from '../types.js';
import { bucket, col, fromEvents, inPeriod } from './common.js';

const key = (r: Row, at: unknown) => `${String(r['tenant'])}\u0000${String(r['content_type'])}\u0000${String(at)}`;

interface Hourly {
  records: Row[];
  blobs: Row[];
  gaps: Row[];
}

/**
 * The collector's own tables (blob_ledger, gaps, dead_letters, cursors) are read with plain SQL — no
 * engine function, times as values — because the store may keep them apart from the events (ClickHouse
 * with PostgreSQL) and answers them there; their hours are counted here.
 */
const since = (ctx: QueryContext) => new Date(ctx.period.from);
const until = (ctx: QueryContext) => new Date(ctx.period.to);

async function hourly(ctx: QueryContext): Promise<Hourly> {
  const [records, ledger, gaps] = await Promise.all([
    ctx.store.query(sql`SELECT tenant_id AS tenant, content_type, ${bucket(ctx, 'hour', col('creation_time'))} AS hour, count(*) AS n
${fromEvents(ctx, inPeriod(ctx))} GROUP BY tenant_id, content_type, hour`),
    ctx.store.query(sql`SELECT tenant_id AS tenant, content_type, content_created FROM ${ident('blob_ledger')}
WHERE content_created >= ${since(ctx)} AND content_created < ${until(ctx)}`),
    ctx.store.query(sql`SELECT tenant_id AS tenant, content_type, window_start, window_end, code FROM ${ident('gaps')}
WHERE window_end > ${since(ctx)} AND window_start < ${until(ctx)}`),
  ]);
  const blobs = new Map<string, Row>();
  for (const b of ledger) {
    const hour = new Date(hourOf(b['content_created'])).toISOString();
    const k = key(b, hour);
    const row = blobs.get(k) ?? { tenant: b['tenant'] ?? null, content_type: b['content_type'] ?? null, hour, n: 0 };
    row['n'] = Number(row['n']) + 1;
    blobs.set(k, row);
  }
  return { records, blobs: [...blobs.values()], gaps };
}

/** Every (tenant, content type) seen in the period or in the cursors (a type that is silent still shows). */
async function streams(ctx: QueryContext, h: Hourly): Promise<{ tenant: string; content_type: string }[]> {
  const cursors = await ctx.store.query(sql`SELECT tenant_id AS tenant, content_type FROM ${ident('cursors')}`);
  const seen = new Map<string, { tenant: string; content_type: string }>();
  for (const r of [...cursors, ...h.records, ...h.blobs, ...h.gaps]) {
    const s = { tenant: String(r['tenant']), content_type: String(r['content_type'] ?? '(unknown)') };
    seen.set(`${s.tenant}\u0000${s.content_type}`, s);
  }
  return [...seen.values()].sort((a, b) => a.tenant.localeCompare(b.tenant) || a.content_type.localeCompare(b.content_type));
}

const hourOf = (iso: unknown) => Math.floor(Date.parse(String(iso)) / HOUR) * HOUR;

function gapHours(g: Row, from: number, to: number): number[] {
  const start = Math.max(from, hourOf(g['window_start']));
  const end = Math.min(to, Date.parse(String(g['window_end'])));
  const out: number[] = [];
  for (let t = start; t < end && out.length < 24 * 31; t += HOUR) out.push(t);
  return out;
}

export const collectionCompleteness: ReportDefinition = {
  name: 'collection-completeness',
  title: 'Collection completeness',
  description:
    'Per tenant and content type, and per hour: records stored (by event time), blobs ingested (by contentCreated) and gaps (content that expired or could not be fetched). Hours without records are listed so silence shows.',
  defaultPeriod: 'last-24h',
  sections: [
    {
      id: 'summary',
      title: 'Per tenant and content type',
      columns: [
        { key: 'tenant', label: 'Tenant' },
        { key: 'content_type', label: 'Content type' },
        { key: 'records', label: 'Records', kind: 'number' },
        { key: 'blobs', label: 'Blobs', kind: 'number' },
        { key: 'gaps', label: 'Gaps', kind: 'number' },
        { key: 'silent_hours', label: 'Hours without records', kind: 'number' },
        { key: 'dead_letters', label: 'Dead letters', kind: 'number' },
        { key: 'newest_record', label: 'Newest record', kind: 'time' },
      ],
      rows: async (ctx) => {
        const h = await hourly(ctx);
        const dead = await ctx.store.query(sql`SELECT tenant_id AS tenant, content_type, count(*) AS n FROM ${ident('dead_letters')}
WHERE received_at >= ${since(ctx)} AND received_at < ${until(ctx)} GROUP BY tenant_id, content_type`);
        const hours = Math.max(1, Math.ceil((ctx.period.to - Math.floor(ctx.period.from / HOUR) * HOUR) / HOUR));
        return (await streams(ctx, h)).map((s): Row => {
          const match = (r: Row) => String(r['tenant']) === s.tenant && String(r['content_type'] ?? '(unknown)') === s.content_type;
          const rec = h.records.filter(match);
          return {
            tenant: s.tenant,
            content_type: s.content_type,
            records: rec.reduce((n, r) => n + Number(r['n']), 0),
            blobs: h.blobs.filter(match).reduce((n, r) => n + Number(r['n']), 0),
            gaps: h.gaps.filter(match).length,
            silent_hours: Math.max(0, hours - rec.length),
            dead_letters: dead.filter(match).reduce((n, r) => n + Number(r['n']), 0),
            newest_record: rec.length ? rec.map((r) => String(r['hour'])).sort().at(-1)! : null,
          };
        });
      },
    },
    {
      id: 'hourly',
      title: 'Per hour',
      note: 'Records stored per content type for every hour of the period (by event time), with the blobs ingested and gaps recorded in that hour; an hour with no records or with gaps deserves a look.',
      columns: [
        { key: 'hour', label: 'Hour (UTC)', kind: 'hour' },
        { key: 'tenant', label: 'Tenant' },
        ...CONTENT_TYPES.map((ct) => ({ key: ct, label: ct.replace(/^Audit\./, ''), kind: 'number' as const })),
        { key: 'records', label: 'Records', kind: 'number' },
        { key: 'blobs', label: 'Blobs', kind: 'number' },
        { key: 'gaps', label: 'Gaps', kind: 'number' },
      ],
      chart: { x: 'hour', y: ['records'], title: 'Records per hour (all tenants and content types)', fill: 'hour' },
      rows: async (ctx) => {
        const h = await hourly(ctx);
        const rec = new Map(h.records.map((r) => [key(r, hourOf(r['hour'])), Number(r['n'])]));
        const blobs = new Map(h.blobs.map((r) => [key(r, hourOf(r['hour'])), Number(r['n'])]));
        const gaps = new Map<string, number>();
        for (const g of h.gaps) for (const t of gapHours(g, ctx.period.from, ctx.period.to)) gaps.set(key(g, t), (gaps.get(key(g, t)) ?? 0) + 1);
        const tenants = [...new Set((await streams(ctx, h)).map((s) => s.tenant))];
        const out: Row[] = [];
        const cap = (ctx.params.limit ?? 1000) + 1;
        for (let t = Math.floor(ctx.period.from / HOUR) * HOUR; t < ctx.period.to && out.length < cap; t += HOUR) {
          for (const tenant of tenants) {
            const row: Row = { hour: new Date(t).toISOString(), tenant };
            let records = 0;
            let nBlobs = 0;
            let nGaps = 0;
            for (const ct of CONTENT_TYPES) {
              const k = key({ tenant, content_type: ct }, t);
              row[ct] = rec.get(k) ?? 0;
              records += rec.get(k) ?? 0;
              nBlobs += blobs.get(k) ?? 0;
              nGaps += gaps.get(k) ?? 0;
            }
            out.push({ ...row, records, blobs: nBlobs, gaps: nGaps });
          }
        }
        return out.slice(0, cap);
      },
    },
  ],
};
