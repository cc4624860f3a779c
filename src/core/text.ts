// Audit data is hostile. This is the one output-safety layer for text shown to people, terminals and
// spreadsheets: bounded length, no active control characters (ESC sequences, OSC titles and links, C1
// controls, bidi overrides, line separators), escaped for HTML, no formula injection for spreadsheets,
// and JSON whose strings carry the same characters only as \u escapes. Every renderer builds on these.

/** Cuts to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  // Walk code points (a surrogate pair is one); stop as soon as there is one more than max.
  let i = 0;
  let cut = 0;
  for (let n = 0; i < text.length; n++) {
    if (n === max - 1) cut = i;
    if (n === max) return `${text.slice(0, cut)}…`;
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return text;
}

/**
 * Characters a terminal, editor or viewer acts on instead of showing: C0 controls (ESC starts every
 * CSI/OSC sequence), DEL, C1 controls (U+009B is a one-character CSI), Arabic letter mark, zero-width
 * and directional marks, bidi embeddings, overrides and isolates (Trojan Source), and the line and
 * paragraph separators. Tab, LF and CR are in the set; each caller says which of them it keeps.
 */
// eslint-disable-next-line no-control-regex
export const ACTIVE_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const ACTIVE_IN_CELL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\r(?!\n)/g;
// Outside strings, JSON text holds none of these, so a replace over the whole text only touches strings.
const ACTIVE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Whether a text holds a character a terminal or viewer would act on (see ACTIVE_CONTROLS); tab and LF count too. */
export function hasActiveControl(text: string, allow: { tab?: boolean; newline?: boolean } = {}): boolean {
  ACTIVE_CONTROLS.lastIndex = 0;
  for (let m = ACTIVE_CONTROLS.exec(text); m !== null; m = ACTIVE_CONTROLS.exec(text)) {
    const c = m[0];
    if (allow.tab && c === '\t') continue;
    if (allow.newline && (c === '\n' || (c === '\r' && text[m.index + 1] === '\n'))) continue;
    return true;
  }
  return false;
}

/** For terminals and one-line fields: control characters (incl. CR/LF, ESC, bidi overrides) become visible escapes. */
export function safeLine(value: unknown, max = 200): string {
  const text = value === null || value === undefined ? '' : String(value);
  const cleaned = text.replace(ACTIVE_CONTROLS, (c) => (c === '\t' ? ' ' : hex4(c)));
  return truncate(cleaned, max);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes for HTML text and quoted attribute values, after bounding the length. */
export function escapeHtml(value: unknown, max = 2000): string {
  return safeLine(value, max).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A CSV cell that Excel opens as text and a terminal shows as text (CSV goes to stdout by default):
 * quoted; a leading = + - @ | % tab or CR neutralised; control characters as visible \uXXXX escapes,
 * except tab and line breaks (LF, CRLF), which a quoted cell holds as data.
 */
export function csvCell(value: unknown, max = 32_000): string {
  let text = value === null || value === undefined ? '' : String(value);
  text = truncate(text, max);
  if (/^[=+\-@\t\r|%]/.test(text)) text = `'${text}`;
  text = text.replace(ACTIVE_IN_CELL, hex4);
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * JSON for a terminal or a log viewer: JSON.stringify, then every character of ACTIVE_CONTROLS that
 * JSON.stringify leaves raw (DEL, C1, bidi, U+2028/9) written as a \u escape. The same value parses
 * back; lone surrogates are escaped by JSON.stringify itself.
 */
export function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  return text.replace(ACTIVE_IN_JSON, hex4);
}
