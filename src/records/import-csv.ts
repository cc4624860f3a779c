// The Purview audit-search CSV export (CreationDate, UserIds, Operations, AuditData, …; newer exports
// add RecordId, RecordType, …): RFC 4180 with quoted multi-line fields and "" escapes. The record is the
// JSON in the AuditData column. Streaming; memory bounded by the largest row.

import { makeRejection } from './normalize.js';
import { MAX_RECORD_CHARS, recordsFromText } from './import-json.js';
import type { ImportItem } from './import.js';

interface Row {
  fields: string[];
  line: number;
  oversize: boolean;
}

const UNQUOTED_END = /[,\n]/g;

/** RFC 4180 rows from text chunks: comma-separated, CRLF or LF, quoted fields may hold commas, quotes and newlines. */
export async function* csvRows(chunks: AsyncIterable<string>): AsyncGenerator<Row> {
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let quoteSeen = false; // a quote inside a quoted field: either "" or the end of the quotes
  let rowLine = 1;
  let line = 1;
  let rowSize = 0;
  let oversize = false;
  let rowStarted = false;
  let hadQuotes = false;
  const take = (): string => {
    const value = oversize ? '' : hadQuotes ? field.replace(/""/g, '"') : field;
    hadQuotes = false;
    return value;
  };
  for await (const chunk of chunks) {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const c = chunk[i]!;
      if (quoted) {
        if (quoteSeen) {
          quoteSeen = false;
          if (c === '"') {
            if (!oversize) field += '""'; // kept doubled; un-doubled once when the field ends
            i++;
            continue;
          }
          quoted = false; // fall through to the unquoted handling of c
        } else {
          // Jump to the closing quote, stepping over "" pairs: one slice per field and chunk.
          let k = i;
          let q = -1;
          for (;;) {
            q = chunk.indexOf('"', k);
            if (q < 0 || q + 1 >= n || chunk.charCodeAt(q + 1) !== 34) break;
            k = q + 2;
          }
          const end = q < 0 ? n : q;
          const run = chunk.slice(i, end);
          if (!oversize) field += run;
          rowSize += run.length;
          for (let nl = run.indexOf('\n'); nl >= 0; nl = run.indexOf('\n', nl + 1)) line++;
          if (rowSize > MAX_RECORD_CHARS) {
            oversize = true;
            field = '';
          }
          i = end;
          if (q >= 0) {
            quoteSeen = true;
            i++;
          }
          continue;
        }
      }
      if (c === ',') {
        fields.push(take());
        field = '';
        rowStarted = true;
      } else if (c === '\n') {
        if (field.endsWith('\r')) field = field.slice(0, -1);
        if (rowStarted || field.length > 0) {
          fields.push(take());
          yield { fields, line: rowLine, oversize };
        }
        line++;
        fields = [];
        field = '';
        rowStarted = false;
        rowSize = 0;
        oversize = false;
        rowLine = line;
      } else if (c === '"' && field.length === 0) {
        quoted = true;
        hadQuotes = true;
        rowStarted = true;
      } else {
        // An unquoted run up to the next comma or line end, taken as one slice (building it one
        // character at a time made a rope of millions of one-character strings: 1.3 GB for a 1 GB line).
        UNQUOTED_END.lastIndex = i;
        const m = UNQUOTED_END.exec(chunk);
        const end = m === null ? n : m.index;
        rowSize += end - i;
        rowStarted = true;
        if (rowSize > MAX_RECORD_CHARS) oversize = true;
        if (oversize) field = '';
        else field += chunk.slice(i, end);
        i = end;
        continue;
      }
      i++;
    }
  }
  if (field.endsWith('\r')) field = field.slice(0, -1);
  if (rowStarted || field.length > 0 || fields.length > 0) {
    fields.push(take());
    yield { fields, line: rowLine, oversize: oversize || (quoted && !quoteSeen) };
  }
}

/** Whether a header row is a Purview audit export's: it has an AuditData column. */
export function auditDataColumn(header: string[]): number {
  return header.findIndex((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase() === 'auditdata');
}

/** Records from a Purview CSV export; the first row is the header. */
export async function* readPurviewCsv(chunks: AsyncIterable<string>): AsyncGenerator<ImportItem> {
  let column = -1;
  let header: string[] | null = null;
  for await (const row of csvRows(chunks)) {
    if (header === null) {
      header = row.fields;
      column = auditDataColumn(header);
      if (column < 0) {
        yield {
          line: row.line,
          rejection: makeRejection(
            `line ${row.line}: not an audit export: the CSV header has no AuditData column (expected NDJSON, a JSON array, or a Purview audit-search CSV)`,
            row.fields.join(','),
          ),
        };
        return;
      }
      continue;
    }
    if (row.oversize) {
      yield { line: row.line, rejection: makeRejection(`line ${row.line}: row longer than ${MAX_RECORD_CHARS} characters or an unclosed quote; skipped`, row.fields.join(',')) };
      continue;
    }
    const value = row.fields[column];
    if (value === undefined || value.trim() === '') {
      if (row.fields.every((f) => f.trim() === '')) continue;
      yield { line: row.line, rejection: makeRejection(`line ${row.line}: the row has no AuditData value (${row.fields.length} columns, the header has ${header.length})`, row.fields.join(',')) };
      continue;
    }
    if (value.trim().toLowerCase() === 'auditdata') continue; // a repeated header (concatenated exports)
    yield* recordsFromText(value.trim(), row.line, value);
  }
}
