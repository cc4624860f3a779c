// The collect daemon's built-in plug-ins (listed in DAEMON_PLUGINS): detection after every committed batch (alerts stored through
// the alert service), the alert outbox delivering to every destination, and scheduled reports.

import { Gauge } from 'prom-client';
import { outboxHealth } from '../alerts/index.js';
import { safeLine } from '../core/index.js';
import { reportsPlugin } from '../reports/index.js';
import type { DaemonPlugin, DaemonService } from './plugins.js';
import { createPipeline, ruleProblemLine } from './pipeline.js';
import { sharedStore } from './cluster.js';

/** Detection and alert delivery share one pipeline (rules, alert service, outbox). */
export const pipelinePlugin: DaemonPlugin = async (ctx) => {
  const logger = ctx.logger.child({ part: 'pipeline' });
  const leader = ctx.leader;
  const pipeline = await createPipeline(ctx.config, ctx.store, ctx.clock, logger, undefined, leader ? { canSend: () => leader.isLeader(), exclusive: (fn) => leader.exclusive(fn) } : {});
  // Shared with other processes: their commits wake no detection here, and the settle lag holds the
  // newest records back, so the leader also runs detection every half settle.
  const detectEvery = sharedStore(ctx.store) ? Math.max(1000, Math.floor(ctx.config.collect.leases.settle / 2)) : null;
  const tick = async (signal: AbortSignal) => {
    if (detectEvery === null) return;
    while (!signal.aborted) {
      pipeline.scheduler.wake();
      await ctx.clock.sleep(detectEvery, signal).catch(() => undefined);
    }
  };
  logger.info('Detection and alerting are running.', { rules: pipeline.rules.length, destinations: ctx.config.alerts.destinations.length });
  // Skipped rules stay visible until fixed: in status (below), here, and in the log when they fail.
  new Gauge({
    name: 'auditwatch_rules_skipped',
    help: 'Rules skipped because they failed to load, to compile or (in the last pass) to run; see auditwatch status.',
    labelNames: ['stage'],
    registers: [ctx.registry],
    collect() {
      this.reset();
      const counts = { load: 0, compile: 0, run: 0 };
      for (const p of pipeline.ruleProblems()) counts[p.stage]++;
      for (const [stage, n] of Object.entries(counts)) this.set({ stage }, n);
    },
  });
  const service: DaemonService = {
    name: 'detect+alerts',
    afterCommit: () => pipeline.scheduler.wake(),
    // A pass ends with detection caught up, so alerts of a pass go out before the next poll.
    afterPass: () => pipeline.scheduler.idle(),
    run: async (signal) => {
      await Promise.all([pipeline.outbox.run(signal), tick(signal)]);
    },
    // One pass: every delivery due now, batch after batch; what is left (a destination backing off or
    // failing) stays in the outbox for the next run, and is said.
    once: async () => {
      let failed = 0;
      for (let i = 0; i < 10_000; i++) {
        const r = await pipeline.outbox.runOnce();
        failed += r.failed;
        if (r.delivered + r.failed + r.retrying === 0) break;
      }
      const lines: string[] = [];
      if (failed > 0) lines.push(`${failed} alert deliveries failed for good; auditwatch status shows the destination's answer.`);
      for (const h of await outboxHealth(ctx.store, ctx.clock.now())) {
        if (h.pending === 0) continue;
        const why = h.lastError ? ` (${safeLine(h.lastError, 200)})` : '';
        lines.push(`${h.pending} alert deliveries to ${safeLine(h.destination, 80)} are not done yet${why}; the next run or the daemon delivers them.`);
      }
      return lines;
    },
    status: () => ({ rules: pipeline.rules.length, skipped: pipeline.ruleProblems() }),
    warnings: () => pipeline.ruleProblems().map(ruleProblemLine),
    close: () => pipeline.close(),
  };
  return service;
};

export const scheduledReportsPlugin: DaemonPlugin = (ctx) => reportsPlugin({ ...ctx, logger: ctx.logger.child({ part: 'reports' }) });
