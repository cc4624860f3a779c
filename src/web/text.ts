// Audit strings are hostile: this makes one fit to show to a person. Control characters (C0, C1,
// DEL, ESC of ANSI sequences), bidi overrides and isolates, zero-width and line/paragraph separators
// become visible escapes (`\u{202E}`), so text can neither reorder nor hide what surrounds it; then the
// string is cut to a length with an ellipsis. The page puts the result in the DOM as text only
// (Preact text nodes, never innerHTML), so markup in it stays characters.

/** Lists and tables: this many characters at most. */
export const LIST_MAX = 500;
/** Detail views: this many before "show more". */
export const DETAIL_MAX = 4000;

// C0 (but tab/newline kept where allowed), DEL, C1, bidi marks/overrides/isolates, zero-width,
// line and paragraph separators, BOM, interlinear annotations.
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFFF9-\uFFFB]/g;
const UNSAFE_OR_NL = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF\uFFF9-\uFFFB]/g;

const escapeOf = (ch: string): string => `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`;

/** Control and bidi characters as visible escapes; `multiline` keeps \n and \t. */
export function neutralise(s: string, multiline = false): string {
  return s.replace(multiline ? UNSAFE : UNSAFE_OR_NL, escapeOf);
}

/** At most `max` characters (code points), with an ellipsis when cut; never splits a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  // A code point is at most two UTF-16 units: this slice holds max + 1 code points when the text has them.
  const chars = Array.from(s.slice(0, 2 * max + 2));
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** Any value as a safe, bounded line of text: strings neutralised and cut, others as JSON. */
export function showText(v: unknown, max = LIST_MAX, multiline = false): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : safeJson(v);
  // Cut first (bounded work on 1 MB values), neutralise, cut again (escapes lengthen the text).
  return cut(neutralise(cut(s, max + 1), multiline), max);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}
