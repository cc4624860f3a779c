// auditwatch import FILE… (or - for stdin): NDJSON, JSON arrays and the Purview audit-search CSV export,
// normalised and stored, de-duplicated by (tenant, Id) against everything already stored; rejected
// records go to the dead-letter table with their reason. Prints counts per file and in total.

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { AppError, errorMessage, safeLine, systemClock } from '../core/index.js';
import { normalize, readImport, type EventRow, type Rejection } from '../records/index.js';
import type { Store } from '../store/index.js';
import type { Config } from '../service/index.js';
import { parseOptions } from './command.js';
import { CONFIG_OPTION, loadCliConfig, openConfiguredStore } from '../service/open-store.js';
import { io } from './shared/io.js';
import { ingestTransform, type RowTransform } from '../service/ingest.js';

const HELP = `Usage: auditwatch import [--config FILE] [--tenant NAME|ID] FILE… (or - for stdin)

Imports audit records from files: NDJSON (one record a line), JSON arrays (e.g. saved content blobs),
or the Purview audit-search CSV export (its AuditData column). Records already stored, collected or
imported, are not stored twice; records that cannot be read go to the dead-letter table with a reason.
This is how history older than the API's 7 days is kept. While the collect daemon holds the store, the
import runs inside it (files only: stop the daemon to import stdin).
  --tenant NAME|ID  the tenant the records belong to (a configured name or a tenant id); needed when
                    the records carry no OrganizationId`;

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
    for (const file of files) {
      const counts = await importOne(store, file, tenantId, enrich);
      io.out(`${safeLine(file === '-' ? 'stdin' : file, 200)}: ${line(counts)}\n`);
      for (const k of Object.keys(total) as (keyof ImportCounts)[]) total[k] += counts[k];
    }
    if (files.length > 1) io.out(`total: ${line(total)}\n`);
  } finally {
    await store.close();
  }
  return 0;
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

export async function importOne(store: Store, file: string, tenantId: string | null, enrich?: RowTransform): Promise<ImportCounts> {
  const sourceId = `import:${file === '-' ? 'stdin' : file}`.slice(0, 500);
  const source = { tenantId: tenantId ?? '', contentType: null, sourceId };
  const counts: ImportCounts = { read: 0, inserted: 0, duplicates: 0, rejected: 0 };
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
    for await (const item of readImport(input, file === '-' ? 'stdin' : file)) {
      counts.read += 1;
      // Every rejected record is counted; the dead-letter table keeps one copy per source and text.
      if ('rejection' in item) {
        rejects.push(item.rejection);
        counts.rejected += 1;
      } else {
        const n = normalize(item.record, source);
        if (n.ok) rows.push(enrich ? enrich(n.row) : n.row);
        else {
          rejects.push(n.rejection);
          counts.rejected += 1;
        }
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
