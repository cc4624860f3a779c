// The `reports` section: where scheduled reports are kept, the failed sign-in threshold, and the
// schedules (cron expressions) that run a report and deliver it through alert destinations.
//
//   reports:
//     folder: ./data/reports
//     schedules:
//       - report: mailbox-self-grants
//         cron: "0 6 1 * *"          # 06:00 UTC on the 1st of every month
//         formats: [html, csv]
//         period: last-month         # default: the report's own
//         deliver: [soc-email]       # names from alerts.destinations (email or webhook)

import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { filePathOr } from '../fields.js';

const PERIODS = ['last-month', 'this-month', 'last-week', 'last-7d', 'last-day', 'last-24h', 'last-30d'] as const;
const FORMATS = ['html', 'csv', 'json'] as const;

const schedule = z
  .strictObject({
    /** A stable name for the schedule (its runs are recorded under it); default "<report>@<cron>". */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@ *\/,-]{0,99}$/, { error: 'must be a short name (letters, digits, . _ - @)' }).optional(),
    /** The report to run (auditwatch report list). */
    report: z.string({ error: 'must name a report (auditwatch report list)' }).min(1),
    /** Five-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 6 * * 1". */
    cron: z.string({ error: 'must be a cron expression like "0 6 * * 1"' }).superRefine((v, ctx) => {
      if (v.trim().split(/\s+/).length !== 5) {
        ctx.addIssue({ code: 'custom', message: 'must be a cron expression of five fields (minute hour day month weekday), like "0 6 * * 1"' });
        return;
      }
      try {
        CronExpressionParser.parse(v, { tz: 'UTC' });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `is not a valid cron expression (${(err as Error).message.slice(0, 120)}); e.g. "0 6 * * 1" for Mondays at 06:00` });
      }
    }),
    /** Time zone of the cron expression (IANA name); default UTC. */
    timezone: z.string().min(1).max(64).default('UTC'),
    formats: z.array(z.enum(FORMATS, { error: `must be among ${FORMATS.join(', ')}` }), { error: 'must be a list of formats: html, csv, json' }).min(1).default(['html', 'csv']),
    /** The period each run covers, relative to its due time; default the report's own. */
    period: z.enum(PERIODS, { error: `must be one of ${PERIODS.join(', ')}` }).optional(),
    /** Destinations (names from alerts.destinations; email gets HTML + CSV attached, webhook the JSON). */
    deliver: z.array(z.string().min(1), { error: 'must be a list of destination names' }).default([]),
  })
  .superRefine((s, ctx) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: s.timezone });
    } catch {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'is not a time zone; use an IANA name like UTC or Europe/Paris' });
    }
  });

export const reportsSection = z
  .strictObject({
    /** Where scheduled reports are written (kept for download); relative paths start at the config's folder. */
    folder: filePathOr('./data/reports'),
    /** Failed sign-ins: accounts and IPs with at least this many failures are listed. */
    threshold: z.number({ error: 'must be a whole number of at least 1' }).int().min(1, { error: 'must be a whole number of at least 1' }).default(5),
    schedules: z.array(schedule, { error: 'must be a list of schedules (report, cron, formats, period, deliver)' }).default([]),
  })
  .prefault({})
  .superRefine((r, ctx) => {
    const names = new Map<string, number>();
    r.schedules.forEach((s, i) => {
      const name = s.name ?? `${s.report}@${s.cron}`;
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'name'], message: `repeats schedules[${names.get(name)}]; give each schedule its own name` });
      else names.set(name, i);
    });
  });

export type ReportsConfig = z.output<typeof reportsSection>;
export type ReportSchedule = ReportsConfig['schedules'][number];
