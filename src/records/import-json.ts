// Streaming readers for NDJSON (one record per line) and JSON arrays (one or more top-level arrays or
// objects, e.g. saved content blobs). Memory is bounded by the largest single record, never the file.

import { makeRejection } from './normalize.js';
import type { ImportItem } from './import.js';

/** A single record larger than this is refused rather than buffered. */
export const MAX_RECORD_CHARS = 32 * 1024 * 1024;

/**
 * Parses one record's JSON text; an array yields each element (a blob saved on one line). A rejection
 * keeps `original` (the line as read, white space included) as its text.
 */
export function* recordsFromText(text: string, line: number, original = text): Generator<ImportItem> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    yield { line, rejection: makeRejection(`line ${line}: not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`, original) };
    return;
  }
  if (Array.isArray(value)) {
    for (const element of value) yield* recordFromValue(element, line, elementText(element, original));
    return;
  }
  yield* recordFromValue(value, line, typeof value === 'object' && value !== null ? text : original);
}

/** An element's own text for its dead letter; the whole line when it cannot be written alone (too deep). */
function elementText(element: unknown, whole: string): string {
  try {
    return JSON.stringify(element) ?? whole;
  } catch {
    return whole;
  }
}

function* recordFromValue(value: unknown, line: number, text: string): Generator<ImportItem> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    yield { line, record: value, text };
    return;
  }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  yield { line, rejection: makeRejection(`line ${line}: the record is ${kind}, not a JSON object`, text) };
}

/** NDJSON: every non-blank line is one record (or one array of records). */
export async function* readNdjson(chunks: AsyncIterable<string>): AsyncGenerator<ImportItem> {
  let pending = '';
  let line = 1;
  let skipping = false;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const piece = chunk.slice(start, nl);
      if (!skipping) {
        const text = pending.length > 0 ? pending + piece : piece;
        yield* lineItems(text, line);
      }
      pending = '';
      skipping = false;
      start = nl + 1;
      line++;
    }
    if (skipping) continue;
    pending += chunk.slice(start);
    if (pending.length > MAX_RECORD_CHARS) {
      yield { line, rejection: makeRejection(`line ${line}: longer than ${MAX_RECORD_CHARS} characters; skipped`, pending) };
      pending = '';
      skipping = true;
    }
  }
  if (!skipping && pending.length > 0) yield* lineItems(pending, line);
}

function* lineItems(text: string, line: number): Generator<ImportItem> {
  const t = text.trim();
  if (t.length === 0) return;
  // The line without its terminator (CRLF files): what a dead letter keeps.
  yield* recordsFromText(t, line, text.endsWith('\r') ? text.slice(0, -1) : text);
}

const enum Ch {
  Quote = 34,
  Backslash = 92,
  OpenBrace = 123,
  CloseBrace = 125,
  OpenBracket = 91,
  CloseBracket = 93,
  Comma = 44,
  Newline = 10,
}

const SPECIAL = /["\\\n]/g;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * JSON arrays: a structural scanner (strings, escapes, nesting) cuts each element of a top-level
 * array — or each top-level object — out of the stream and parses it alone.
 */
export async function* readJsonValues(chunks: AsyncIterable<string>): AsyncGenerator<ImportItem> {
  let line = 1;
  let arrayDepth = 0; // 1 while inside a top-level array
  let depth = 0; // nesting inside the element being collected
  let inString = false;
  let escaped = false;
  let collecting = false;
  let scalar = false;
  let oversize = false;
  let parts: string[] = [];
  let size = 0;
  let elementLine = 1;
  const finish = function* (text: string): Generator<ImportItem> {
    if (oversize) {
      yield { line: elementLine, rejection: makeRejection(`line ${elementLine}: a record longer than ${MAX_RECORD_CHARS} characters; skipped`, parts.join('')) };
    } else {
      yield* recordsFromText(text, elementLine);
    }
    collecting = false;
    scalar = false;
    oversize = false;
    parts = [];
    size = 0;
  };
  for await (const chunk of chunks) {
    let start = collecting ? 0 : -1; // start of the collected slice within this chunk
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === Ch.Newline) line++;
      if (collecting) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === Ch.Backslash) escaped = true;
          else if (c === Ch.Quote) inString = false;
          else {
            // Skip to the next quote or backslash at once (JSON strings hold no raw newlines to count).
            SPECIAL.lastIndex = i + 1;
            const m = SPECIAL.exec(chunk);
            i = (m === null ? n : m.index) - 1;
          }
          continue;
        }
        if (scalar) {
          if (c === Ch.Comma || c === Ch.CloseBracket || isBlank(c)) {
            const text = parts.join('') + chunk.slice(start, i);
            yield* finish(text);
            start = -1;
            if (c === Ch.CloseBracket) arrayDepth = 0;
          } else if (c === Ch.Quote) inString = true;
          continue;
        }
        if (c === Ch.Quote) inString = true;
        else if (c === Ch.OpenBrace || c === Ch.OpenBracket) depth++;
        else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
          depth--;
          if (depth === 0) {
            const text = parts.join('') + chunk.slice(start, i + 1);
            yield* finish(text);
            start = -1;
          }
        }
        continue;
      }
      if (isBlank(c) || c === Ch.Comma) continue;
      if (arrayDepth === 0 && c === Ch.OpenBracket) {
        arrayDepth = 1;
        continue;
      }
      if (arrayDepth === 1 && c === Ch.CloseBracket) {
        arrayDepth = 0;
        continue;
      }
      collecting = true;
      elementLine = line;
      start = i;
      if (c === Ch.OpenBrace || c === Ch.OpenBracket) depth = 1;
      else {
        scalar = true;
        if (c === Ch.Quote) inString = true;
      }
    }
    if (collecting && start >= 0) {
      const rest = chunk.slice(start);
      size += rest.length;
      if (size > MAX_RECORD_CHARS) {
        if (!oversize) parts = [parts.join('').slice(0, 1024 * 1024)];
        oversize = true;
      } else {
        parts.push(rest);
      }
    }
  }
  if (collecting) {
    if (scalar && !inString) yield* finish(parts.join(''));
    else {
      const text = parts.join('');
      yield { line: elementLine, rejection: makeRejection(`line ${elementLine}: the file ends inside a record (truncated?)`, text) };
    }
  } else if (arrayDepth === 1) {
    yield { line, rejection: makeRejection(`line ${line}: the file ends before the JSON array is closed (truncated?)`, '') };
  }
}
