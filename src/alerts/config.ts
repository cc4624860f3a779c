// The `alerts` section of auditwatch.yaml, owned by alerts: the de-duplication window, the destinations
// (each a notifier kind from notifiers/registry.ts with its own keys) and the routes that pick
// destinations per alert. service/config.ts adds it to the root schema.

import { z } from 'zod';
import { duration } from '../config/index.js';
import { SEVERITIES } from '../detect/index.js';
import { NOTIFIER_KINDS, type DestinationConfig } from './notifiers/registry.js';

const destination = z.discriminatedUnion('type', Object.values(NOTIFIER_KINDS).map((k) => k.schema) as unknown as [z.ZodObject, ...z.ZodObject[]], {
  error: (iss) => (iss.code === 'invalid_union' ? `must have a type: one of ${Object.keys(NOTIFIER_KINDS).join(', ')}` : undefined),
}) as unknown as z.ZodType<DestinationConfig, unknown>;

const patterns = (what: string) =>
  z.array(z.string().min(1).max(200), { error: `must be a list of ${what} (\`*\` matches any characters)` }).optional();

const route = z.strictObject({
  /** Destination names this route sends to. */
  destinations: z.array(z.string(), { error: 'must be a list of destination names' }).min(1, { error: 'must name at least one destination' }),
  /** Only alerts of this severity or higher. */
  minSeverity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
  rules: patterns('rule ids'),
  tags: patterns('tags, like attack.t1098*'),
  tenants: patterns('tenant ids'),
});

export const alertsSection = z
  .strictObject({
    /** Hits of one rule and grouping key within this span of an alert's evidence update it instead of opening another. */
    window: duration('24h', { min: '1m', max: '90d' }),
    destinations: z.array(destination, { error: 'must be a list of destinations (each a map with name and type)' }).default([]),
    /** No routes: every destination gets every alert. Otherwise the union of every matching route. */
    routes: z.array(route, { error: 'must be a list of routes (each a map with destinations and conditions)' }).default([]),
    /** How often the outbox worker looks for deliveries when idle. */
    pollInterval: duration('5s', { min: '100ms', max: '10m' }),
  })
  .prefault({})
  .superRefine((a, ctx) => {
    const names = new Map<string, number>();
    a.destinations.forEach((d, i) => {
      const name = d.name;
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['destinations', i, 'name'], message: `repeats the name of destinations[${names.get(name)}]; give each destination its own name` });
      else names.set(name, i);
    });
    a.routes.forEach((r, i) =>
      r.destinations.forEach((d, j) => {
        if (!names.has(d)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'destinations', j], message: `names "${d.slice(0, 64)}", which is not a destination; use one of ${[...names.keys()].join(', ') || '(none defined)'}` });
      }),
    );
  });

export type AlertsConfig = z.output<typeof alertsSection>;
