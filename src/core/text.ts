// Audit data is hostile. These helpers make a string safe for the place it is shown: bounded length,
// no control characters for terminals, escaped for HTML, no formula injection for spreadsheets.

/** Cuts to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text.slice(0, max + 1));
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** For terminals and one-line fields: control characters (incl. CR/LF, ESC, bidi overrides) become visible escapes. */
export function safeLine(value: unknown, max = 200): string {
  const text = value === null || value === undefined ? '' : String(value);
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (c) =>
    c === '\t' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return truncate(cleaned, max);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes for HTML text and quoted attribute values, after bounding the length. */
export function escapeHtml(value: unknown, max = 2000): string {
  return safeLine(value, max).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/** A CSV cell that Excel opens as text: quoted, and a leading = + - @ tab or CR neutralised. */
export function csvCell(value: unknown, max = 32_000): string {
  let text = value === null || value === undefined ? '' : String(value);
  text = truncate(text, max);
  if (/^[=+\-@\t\r|%]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}
