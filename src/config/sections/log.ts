// The `log` section: structured JSON log lines on stderr, from this level up.

import { z } from 'zod';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export const logSection = z
  .strictObject({
    level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  })
  .prefault({});

export type LogConfig = z.output<typeof logSection>;
