// auditwatch import FILE… (or - for stdin): NDJSON, JSON arrays and the Purview audit-search CSV export,
// normalised and stored, de-duplicated by (tenant, Id) against everything already stored; rejected
// records go to the dead-letter table with their reason. Prints counts per file and in total.

import { resolve } from 'node:path';
import { AppError, safeLine } from '../core/index.js';
import { checkReadable, importSourceId, type ImportCounts } from '../service/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { answer, withOperations } from './shared/session.js';

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

/** The command's options besides --config. */
export const IMPORT_OPTIONS = { tenant: { type: 'string' } } as const;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, ...IMPORT_OPTIONS }, HELP, io, true);
  if (!parsed) return 0;
  const files = parsed.positionals;
  if (files.length === 0) throw new AppError('usage', 'Name at least one file to import (or - for stdin); see --help.');
  if (files.filter((f) => f === '-').length > 1) throw new AppError('usage', 'Stdin (-) can be imported once per run.');
  await checkReadable(files);
  const config = loadCliConfig(parsed.values, io, { readSecrets: false });
  // The daemon reads the files when it holds the store: absolute paths (its working folder may differ);
  // the source of the rows keeps the name as given.
  const result = await withOperations(config, io, { label: 'import', notice: 'run' }, async (ops, remote) =>
    answer(io, 'import', await ops.importFiles({ files: remote ? files.map((f) => (f === '-' ? f : resolve(f))) : files, ...(parsed.values.tenant !== undefined ? { tenant: parsed.values.tenant } : {}) })),
  );
  const sources: string[] = [];
  result.files.forEach(({ counts }, i) => {
    const file = files[i]!;
    io.out(`${safeLine(file === '-' ? 'stdin' : file, 200)}: ${line(counts)}\n`);
    // Rejection reasons already start with the file and line ("a.ndjson: line 3: not valid JSON").
    for (const r of counts.rejections) io.out(`  rejected: ${safeLine(r.reason, 400)}\n`);
    if (counts.rejected > counts.rejections.length) io.out(`  … and ${counts.rejected - counts.rejections.length} more rejected\n`);
    if (counts.rejected > 0) sources.push(importSourceId(result.files[i]!.file));
  });
  const total = result.total;
  if (files.length > 1) io.out(`total: ${line(total)}\n`);
  if (total.rejected > 0) {
    const where = sources.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ');
    io.out(
      `${total.rejected} record${total.rejected === 1 ? ' was' : 's were'} rejected and kept with the reason and original text in the dead_letters table: ` +
        `auditwatch query "SELECT reason, raw FROM dead_letters WHERE source_id IN (${safeLine(where, 600)})"\n`,
    );
    return EXIT_REJECTED;
  }
  return 0;
}

/** The source_id of an import's rows and dead letters. */
export const sourceIdOf = importSourceId;

function line(c: ImportCounts): string {
  return `${c.read} read, ${c.inserted} inserted, ${c.duplicates} duplicates, ${c.rejected} rejected`;
}
