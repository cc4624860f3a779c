// Import-file parsers for `auditwatch import`: the format is detected from the content — NDJSON, a JSON
// array (or several, e.g. saved content blobs), or the Purview audit-search CSV export. A bad line or
// row gives a rejection with its line number and the import goes on.

import type { Readable } from 'node:stream';
import { readJsonValues, readNdjson } from './import-json.js';
import { readPurviewCsv } from './import-csv.js';
import { oneLine, safeLine } from '../core/index.js';
import type { Rejection } from './types.js';

/**
 * One item read from an import file: a parsed record (a JSON object) with its original text (what its
 * dead letter keeps if the normaliser refuses it), or a rejection. `line` is 1-based.
 */
export type ImportItem = { record: unknown; line: number; text: string } | { rejection: Rejection; line: number };

export type ImportFormat = 'ndjson' | 'json-array' | 'csv' | 'empty';

/** Detects the format from the first non-blank character (after a BOM): `{` NDJSON, `[` JSON, else CSV. */
export function detectFormat(head: string): ImportFormat {
  const t = head.replace(/^\uFEFF/, '').trimStart();
  if (t.length === 0) return 'empty';
  if (t.startsWith('{')) return 'ndjson';
  if (t.startsWith('[')) return 'json-array';
  return 'csv';
}

async function* decode(input: AsyncIterable<unknown>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let first = true;
  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield tail;
}

/** Reads records from an import stream, detecting its format. `name` labels the source in reasons. */
export async function* readImport(input: Readable | AsyncIterable<unknown>, name: string): AsyncGenerator<ImportItem> {
  const text = decode(input);
  // Leading white space is looked at once, chunk by chunk (re-joining it on every chunk was quadratic),
  // and only its line breaks are kept, so line numbers stay right and memory stays flat.
  const buffered: string[] = [];
  let format: ImportFormat = 'empty';
  for (;;) {
    const next = await text.next();
    if (next.done) break;
    format = detectFormat(next.value);
    if (format !== 'empty') {
      buffered.push(next.value);
      break;
    }
    const breaks = countNewlines(next.value);
    if (breaks > 0) buffered.push('\n'.repeat(breaks));
  }
  if (format === 'empty') return;
  async function* replay(): AsyncGenerator<string> {
    yield* buffered;
    for (;;) {
      const next = await text.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const reader = format === 'ndjson' ? readNdjson : format === 'json-array' ? readJsonValues : readPurviewCsv;
  for await (const item of reader(replay())) {
    if ('rejection' in item) {
      yield { line: item.line, rejection: { ...item.rejection, reason: oneLine(`${safeLine(name, 120)}: ${item.rejection.reason}`, 400) } };
    } else {
      yield item;
    }
  }
}

/** The reason of a record the normaliser refused, located like a parser rejection: "FILE: line N: why". */
export function importReason(name: string, line: number, reason: string): string {
  return oneLine(`${safeLine(name, 120)}: line ${line}: ${reason}`, 400);
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
