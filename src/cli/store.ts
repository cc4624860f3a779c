// auditwatch store copy --to CONFIG: moves the store of --config (a DuckDB store) into the store of
// another config (ClickHouse + PostgreSQL, or another DuckDB file): every event and all the state.
// Safe to stop and run again: it continues where it was, and nothing is doubled (service/store-copy.ts).

import { resolve } from 'node:path';
import { AppError, safeLine, systemClock } from '../core/index.js';
import { copyStore, isStoreLocked, loadConfig, openConfiguredStore, type Config, type CopyResult } from '../service/index.js';
import type { Store } from '../store/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, cliLogger, configPath, loadCliConfig } from './shared/context.js';

const HELP = `Usage: auditwatch store copy --to CONFIG [--config FILE] [--batch N]

Copies the store of --config (default ./auditwatch.yaml; a DuckDB store) into the store configured in
CONFIG (e.g. store.engine: clickhouse with store.state in PostgreSQL, or another DuckDB file): every event as it
was stored (ids, source, ingest time, enrichment), the blob ledger, cursors, gaps, dead letters,
collector state, identities, detection state, alerts with their evidence and history, suppressions,
the outbox, report runs, accounts, sessions and rule settings. The target must be empty, or a copy of
this store that was stopped: then the copy continues where it was, and nothing is doubled. Stop the
collect daemon of the source first. At the end the counts of both stores are compared.
  --to CONFIG  the config of the store to copy into
  --batch N    events (and table rows) per page, default 5000
Exit codes: 0 copied and the counts agree, 1 failure (one line naming the fix), 2 usage.`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.out(`${HELP}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'copy') throw new AppError('usage', `Unknown store command "${safeLine(sub, 40)}"; use: auditwatch store copy --to CONFIG.`);
  const parsed = parseOptions(rest, { ...CONFIG_OPTION, to: { type: 'string' }, batch: { type: 'string' } }, HELP, io);
  if (!parsed) return 0;
  const to = parsed.values.to;
  if (typeof to !== 'string' || to === '') throw new AppError('usage', 'Name the config of the store to copy into with --to CONFIG; see --help.');
  const batch = parsed.values.batch === undefined ? 5000 : Number(parsed.values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new AppError('usage', '--batch must be a whole number from 1 to 100000.');
  if (resolve(configPath(parsed.values)) === resolve(to)) throw new AppError('usage', '--to names the config of the source itself; give the config of the store to copy into.');

  const from = loadCliConfig(parsed.values, io, { readSecrets: false });
  const into = loadConfig(to, { readSecrets: false });
  for (const w of into.warnings) io.err(`${w}\n`);
  if (from.store.engine === 'duckdb' && into.store.engine === 'duckdb' && from.store.path === into.store.path) {
    throw new AppError('usage', `Both configs name the store ${safeLine(from.store.path, 200)}; give --to the config of another store.`);
  }
  const logger = cliLogger(from, io, { command: 'store copy' });
  const source = await open(from, 'source', () => openConfiguredStore(from, { logger }));
  let target: Store | undefined;
  try {
    await source.copy.identity(); // a store that cannot be a source stops here, before the target is touched
    target = await open(into, 'target', () => openConfiguredStore(into, { logger }));
    let shown = 0;
    const result = await copyStore(source, target, {
      clock: systemClock,
      batch,
      onProgress: (step, copied, total) => {
        const now = Date.now();
        if (now - shown < 1000 && copied < total) return;
        shown = now;
        io.err(`auditwatch store copy: ${step} ${copied}/${total}\n`);
      },
    });
    io.out(summary(result, to));
    return 0;
  } finally {
    await target?.close();
    await source.close();
  }
}

async function open(config: Config, which: 'source' | 'target', fn: () => Promise<Store>): Promise<Store> {
  try {
    return await fn();
  } catch (err) {
    if (isStoreLocked(err)) {
      throw new AppError('store_locked', `The ${which} store ${safeLine(config.store.path, 200)} is held by another auditwatch process (the collect daemon?); stop it, then run the copy again.`, { cause: err });
    }
    throw err;
  }
}

function summary(r: CopyResult, to: string): string {
  const events = r.counts.find((c) => c.step === 'events')!;
  const rows = r.counts.filter((c) => c.step !== 'events' && c.target > 0).map((c) => `${c.step} ${c.target}`);
  const how = { new: 'Copied', resumed: 'Finished the interrupted copy:', restarted: 'The source had changed since the last run; copied it again:', complete: 'Already a complete copy:' }[r.start];
  const end = r.start === 'complete' ? 'Nothing was copied again.' : 'The counts of both stores agree.';
  return `${how} ${events.target} events (${r.inserted} stored now) into the store of ${safeLine(to, 200)}; state: ${rows.length > 0 ? rows.join(', ') : 'none'}. ${end}\n`;
}
