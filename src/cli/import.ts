// auditwatch import FILE… (or - for stdin): NDJSON, JSON arrays and the Purview audit-search CSV export,
// normalised and stored, de-duplicated by (tenant, Id) against everything already stored; rejected
// records go to the dead-letter table with their reason. Prints counts per file and in total.

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { AppError, errorMessage, safeLine, systemClock } from '../core/index.js';
import { importReason, normalize, readImport, type EventRow, type Rejection } from '../records/index.js';
import type { Store } from '../store/index.js';
import type { Config } from '../config/index.js';
import { parseOptions } from './command.js';
import { CONFIG_OPTION, loadCliConfig, openConfiguredStore } from './shared/context.js';
import { io } from './shared/io.js';
import { ingestTransform, type RowTransform } from './shared/ingest.js';

const HELP = `Usage: auditwatch import [--config FILE] [--tenant NAME|ID] FILE… (or - for stdin)

Imports audit records from files: NDJSON (one record a line), JSON arrays (e.g. saved content blobs),
or the Purview audit-search CSV export (its AuditData column). Records already stored, collected or
imported, are not stored twice. A record that cannot be read is printed as FILE:LINE: reason and kept,
with its original text, in the dead_letters table; the import goes on and exits with code 3.
This is how history older than the API's 7 days is kept. While the collect daemon holds the store, the
import runs inside it (files only: stop the daemon to import stdin).
  --tenant NAME|ID  the tenant the records belong to (a configured name or a tenant id); needed when
                    the records carry no OrganizationId
Exit codes: 0 every record stored or already there, 3 done but some records rejected (see dead_letters),
1 failure, 2 usage.`;

/** Exit code of an import that finished but rejected records (they are in dead_letters). */
export const EXIT_REJECTED = 3;
/** Rejections printed per file; the rest are counted (all are in dead_letters). */
const SHOWN_REJECTIONS = 20;

/** The command's options besides --config (the daemon reads them too: see shared/forward.ts). */
export const IMPORT_OPTIONS = { tenant: { type: 'string' } } as const;

const BATCH = 5_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ImportCounts {
  read: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

/** The first rejections of a file, each with its line, for printing. */
export interface ImportResult extends ImportCounts {
  rejections: { line: number; reason: string }[];
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, ...IMPORT_OPTIONS }, HELP, true);
  if (!parsed) return 0;
  const files = parsed.positionals;
  if (files.length === 0) throw new AppError('usage', 'Name at least one file to import (or - for stdin); see --help.');
  if (files.filter((f) => f === '-').length > 1) throw new AppError('usage', 'Stdin (-) can be imported once per run.');
  for (const f of files) {
    if (f !== '-') await access(f).catch(() => {
      throw new AppError('import_missing', `Cannot read ${safeLine(f, 200)}; check the path.`);
    });
  }
  const config = loadCliConfig(parsed.values, { readSecrets: false });
  const tenantId = resolveTenant(config, parsed.values.tenant);
  const enrich = await ingestTransform(config);
  const store = await openConfiguredStore(config);
  const total: ImportCounts = { read: 0, inserted: 0, duplicates: 0, rejected: 0 };
  try {
    const sources: string[] = [];
    for (const file of files) {
      const counts = await importOne(store, file, tenantId, enrich);
      io.out(`${safeLine(file === '-' ? 'stdin' : file, 200)}: ${line(counts)}\n`);
      // Rejection reasons already start with the file and line ("a.ndjson: line 3: not valid JSON").
      for (const r of counts.rejections) io.out(`  rejected: ${safeLine(r.reason, 400)}\n`);
      if (counts.rejected > counts.rejections.length) io.out(`  … and ${counts.rejected - counts.rejections.length} more rejected\n`);
      if (counts.rejected > 0) sources.push(sourceIdOf(file));
      for (const k of Object.keys(total) as (keyof ImportCounts)[]) total[k] += counts[k];
    }
    if (files.length > 1) io.out(`total: ${line(total)}\n`);
    if (total.rejected > 0) {
      const where = sources.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ');
      io.out(
        `${total.rejected} record${total.rejected === 1 ? ' was' : 's were'} rejected and kept with the reason and original text in the dead_letters table: ` +
          `auditwatch query "SELECT reason, raw FROM dead_letters WHERE source_id IN (${safeLine(where, 600)})"\n`,
      );
      return EXIT_REJECTED;
    }
  } finally {
    await store.close();
  }
  return 0;
}

/** The source_id of an import's rows and dead letters. */
export function sourceIdOf(file: string): string {
  return `import:${file === '-' ? 'stdin' : file}`.slice(0, 500);
}

function line(c: ImportCounts): string {
  return `${c.read} read, ${c.inserted} inserted, ${c.duplicates} duplicates, ${c.rejected} rejected`;
}

function resolveTenant(config: Config, given: string | undefined): string | null {
  if (given === undefined) return null;
  const byName = config.tenants.find((t) => t.name === given);
  if (byName) return byName.tenantId;
  if (GUID.test(given)) return given.toLowerCase();
  throw new AppError('usage', `--tenant "${safeLine(given, 60)}" is neither a tenant name in ${config.file} nor a tenant id (GUID).`);
}

export async function importOne(store: Store, file: string, tenantId: string | null, enrich?: RowTransform): Promise<ImportResult> {
  const sourceId = sourceIdOf(file);
  const name = file === '-' ? 'stdin' : file;
  const source = { tenantId: tenantId ?? '', contentType: null, sourceId };
  const counts: ImportResult = { read: 0, inserted: 0, duplicates: 0, rejected: 0, rejections: [] };
  let lastLine = 0;
  let onLine = 0;
  // Each rejected record is its own dead letter: keyed by its line and place on the line as well as its
  // text, so two equal bad lines are two rows, and importing the file again adds none.
  const rejectAt = (line: number, rejection: Rejection) => {
    onLine = line === lastLine ? onLine + 1 : 0;
    lastLine = line;
    rejects.push({ ...rejection, key: `line ${line}.${onLine}:${rejection.key ?? rejection.raw}` });
    counts.rejected += 1;
    if (counts.rejections.length < SHOWN_REJECTIONS) counts.rejections.push({ line, reason: rejection.reason });
  };
  let rows: EventRow[] = [];
  let rejects: Rejection[] = [];
  const flush = async () => {
    if (rows.length === 0 && rejects.length === 0) return;
    const r = await store.importRecords({ tenantId, sourceId, rows, rejects, ingestedAt: systemClock.now() });
    counts.inserted += r.inserted;
    counts.duplicates += r.duplicates;
    rows = [];
    rejects = [];
  };
  const input = file === '-' ? process.stdin : createReadStream(file);
  try {
    for await (const item of readImport(input, name)) {
      counts.read += 1;
      if ('rejection' in item) {
        rejectAt(item.line, item.rejection);
      } else {
        const n = normalize(item.record, source, item.text);
        if (n.ok) rows.push(enrich ? enrich(n.row) : n.row);
        else rejectAt(item.line, { ...n.rejection, reason: importReason(name, item.line, n.rejection.reason) });
      }
      if (rows.length + rejects.length >= BATCH) await flush();
    }
    await flush();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('import_read', `Reading ${safeLine(file, 200)} failed after ${counts.read} records (${errorMessage(err)}); what was read before is stored; fix the file and import it again (nothing is stored twice).`);
  }
  return counts;
}
