// The report scheduler as a plug-in of the collect daemon (see cli/shared/plugins.ts): fires scheduled
// reports while the daemon runs, or once (`collect --once`: the reports due now). Null when no schedule
// is configured.

import type { Clock, Logger } from '../core/index.js';
import type { DestinationConfig } from '../alerts/index.js';
import type { ReportsConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { createReportScheduler } from './schedule/scheduler.js';

export interface ReportsPluginContext {
  config: { reports: ReportsConfig; alerts: { destinations: readonly DestinationConfig[] } };
  store: Store;
  logger: Logger;
  clock: Clock;
}

export function reportsPlugin(ctx: ReportsPluginContext): { name: string; run(signal: AbortSignal): Promise<void>; once(): Promise<void> } | null {
  if (ctx.config.reports.schedules.length === 0) return null;
  const scheduler = createReportScheduler({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, config: ctx.config });
  return {
    name: 'reports',
    run: (signal) => scheduler.run(signal),
    once: async () => {
      await scheduler.runDue();
    },
  };
}
