// Splits a blob's body — a JSON array of records — into each record's own JSON text, exactly as sent,
// without parsing it: the normaliser then parses each record once and keeps that text as the raw record
// (no re-serialising, and the key order of the source). Anything that is not a well-bracketed array of
// objects gives null, and the caller falls back to JSON.parse and its error.

const WS = new Uint8Array(128);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c < 128 && WS[c] === 1) i++;
    else return i;
  }
}

export function splitJsonArray(text: string): string[] | null {
  let i = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text.charCodeAt(i) !== 0x5b) return null;
  i = skipWs(text, i + 1);
  const out: string[] = [];
  if (text.charCodeAt(i) === 0x5d) return skipWs(text, i + 1) === text.length ? out : null;
  for (;;) {
    if (text.charCodeAt(i) !== 0x7b) return null;
    const start = i;
    let depth = 0;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        // A string: jump from quote to quote, skipping escaped ones.
        let j = i + 1;
        for (;;) {
          j = text.indexOf('"', j);
          if (j < 0) return null;
          let k = j - 1;
          while (text.charCodeAt(k) === 0x5c) k--;
          if ((j - 1 - k) % 2 === 0) break;
          j++;
        }
        i = j + 1;
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (c !== c) return null; // NaN: the text ended inside a record
      i++;
    }
    out.push(text.slice(start, i));
    i = skipWs(text, i);
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i = skipWs(text, i + 1);
      continue;
    }
    if (c === 0x5d) return skipWs(text, i + 1) === text.length ? out : null;
    return null;
  }
}
