// One collection pass for `collect --once` and `backfill`: runs the collector once (optionally from a
// given time, with a progress bar), prints a summary on stdout and each distinct failure as one line
// on stderr, and returns the exit code.

import { safeLine, type Clock, type Logger } from '../../core/index.js';
import type { Config } from '../../service/index.js';
import type { Store } from '../../store/index.js';
import type { CollectorInput, PassProgress, PassSummary } from '../../collect/index.js';
import { configuredCollector } from '../../service/index.js';
import { createProgress } from './progress.js';
import type { CliIO } from '../command.js';

export interface PassOptions {
  io: CliIO;
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  label: string;
  since?: number;
  progress?: boolean;
  /** The collector's hooks and registry (the daemon's services, for `collect --once`). */
  collector?: Pick<CollectorInput, 'registry' | 'hooks'>;
  /** After the pass, before the summary is printed: both kinds of line go to stderr; failures fail the run. */
  afterPass?: (summary: PassSummary) => Promise<{ failures: string[]; warnings: string[] }>;
}

export async function runPass(o: PassOptions): Promise<number> {
  const collector = await configuredCollector(o, o.collector);
  const bar = o.progress ? createProgress({ write: (t: string) => (o.io.err(t), true), isTTY: o.io.errIsTTY } as unknown as NodeJS.WritableStream) : null;
  const snapshot = (p: PassProgress) => ({
    records: p.records,
    blobs: p.blobs,
    fraction: p.windowsTotal > 0 ? p.windowsDone / p.windowsTotal : undefined,
  });
  let last: PassProgress | null = null;
  let summary: PassSummary;
  try {
    summary = await collector.runOnce({
      ...(o.since === undefined ? {} : { since: o.since }),
      signal: o.signal,
      onProgress: (p) => {
        last = p;
        bar?.update(snapshot(p));
      },
    });
  } catch (err) {
    if (!o.signal.aborted) throw err;
    o.io.err(`\nauditwatch ${o.label}: interrupted; everything committed so far is kept, run it again to go on.\n`);
    return 130;
  } finally {
    await collector.close(); // its leases, on a shared store, go back for the other processes
  }
  if (bar) bar.done(last ? snapshot(last) : { records: summary.records, blobs: summary.blobs });
  const after = o.afterPass ? await o.afterPass(summary) : { failures: [], warnings: [] };
  o.io.out(`${describe(summary, o.label)}\n`);
  printErrors(o.io, summary, o.config, o.label);
  for (const line of [...after.warnings, ...after.failures]) o.io.err(`auditwatch ${o.label}: ${safeLine(line, 500)}\n`);
  return summary.ok && after.failures.length === 0 ? 0 : 1;
}

export function describe(s: PassSummary, label: string): string {
  const secs = Math.max(0.001, (s.finishedAt - s.startedAt) / 1000);
  return `${label}: ${s.records} new records from ${s.blobs} blobs (${s.duplicates} duplicates, ${s.deadLetters} dead letters, ${s.gaps} gaps) in ${secs.toFixed(1)}s${s.ok ? '' : '; some content failed, see below'}`;
}

function printErrors(io: CliIO, s: PassSummary, config: Config, label: string): void {
  const seen = new Set<string>();
  for (const e of s.errors) {
    const name = config.tenants.find((t) => t.tenantId === e.tenantId)?.name ?? e.tenantId;
    const line = `auditwatch ${label}: tenant ${name}: ${safeLine(e.error.message, 500)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    io.err(`${line}\n`);
  }
  const failed = s.workers.filter((w) => !w.ok && !s.errors.some((e) => e.tenantId === w.tenantId && (e.contentType === null || e.contentType === w.contentType)));
  for (const w of failed) {
    const name = config.tenants.find((t) => t.tenantId === w.tenantId)?.name ?? w.tenantId;
    io.err(`auditwatch ${label}: tenant ${name} ${w.contentType}: ${w.failedBlobs} blobs failed and are retried on the next pass${w.error ? ` (${safeLine(w.error.message, 300)})` : ''}.\n`);
  }
}
