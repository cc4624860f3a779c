// The `detect` section: which rule folders to load besides the built-in pack, which rules to turn off,
// and per-rule parameters (the threshold X and the span Y of a correlation such as "X failed sign-ins
// in Y minutes").

import { z } from 'zod';
import { filePath } from '../fields.js';

const count = (what: string) => z.number({ error: `${what} must be a whole number` }).int({ error: `${what} must be a whole number` }).min(0, { error: `${what} must be 0 or more` });

const override = z.strictObject({
  /** The correlation's span, e.g. 5m (a number and s, m, h or d). */
  timespan: z
    .string({ error: 'must be a span like 5m' })
    .regex(/^\d+[smhd]$/, { error: 'must be a number and s, m, h or d, like 5m' })
    .optional(),
  /** A first_seen rule's history (how long a value stays known) and learning period, e.g. 30d, 7d. */
  history: z
    .string({ error: 'must be a duration like 30d' })
    .regex(/^\d+[smhd]$/, { error: 'must be a number and s, m, h or d, like 30d' })
    .optional(),
  learning: z
    .string({ error: 'must be a duration like 7d' })
    .regex(/^\d+[smhd]$/, { error: 'must be a number and s, m, h or d, like 7d' })
    .optional(),
  gt: count('gt').optional(),
  gte: count('gte').optional(),
  lt: count('lt').optional(),
  lte: count('lte').optional(),
  eq: count('eq').optional(),
});

export const detectSection = z
  .strictObject({
    /** Load the built-in rule pack (the package's rules/ folder). */
    builtin: z.boolean({ error: 'must be true or false' }).default(true),
    /** More folders (or files) of Sigma rules; relative paths start at the config file's folder. */
    ruleDirs: z.array(filePath(), { error: 'must be a list of folders' }).default([]),
    /** Rule ids (or names) not to run. */
    disabled: z.array(z.string().min(1), { error: 'must be a list of rule ids' }).default([]),
    /** Per-rule parameters by rule id: { timespan, gte, … } replace the correlation's own. */
    parameters: z.record(z.string(), override, { error: 'must be a map of rule id → {timespan, gte, …}' }).default({}),
  })
  .prefault({});

export type DetectConfig = z.output<typeof detectSection>;
