// Reading fields of a hostile record: own properties only, names matched exactly and then
// case-insensitively, values coerced the way ual-schema.md §5 says they drift (numbers as strings,
// JSON inside strings, PowerShell-style parameter strings, Name/Value arrays).

import type { ModifiedValue } from './types.js';

export type Json = Record<string, unknown>;

/**
 * A record's fields, looked up by exact name; case-insensitively too when the record's casing drifts
 * (re-exported data), which is judged once from whether `Id` and `CreationTime` are spelled as the API does.
 */
export class Fields {
  private lower: Map<string, string> | undefined;
  private readonly drift: boolean;
  constructor(readonly obj: Json) {
    this.drift = !Object.hasOwn(obj, 'Id') || !Object.hasOwn(obj, 'CreationTime');
  }

  get(name: string): unknown {
    if (Object.hasOwn(this.obj, name)) return this.obj[name];
    if (!this.drift) return undefined;
    if (this.lower === undefined) {
      this.lower = new Map();
      for (const key of Object.keys(this.obj)) {
        const k = key.toLowerCase();
        if (!this.lower.has(k)) this.lower.set(k, key);
      }
    }
    const key = this.lower.get(name.toLowerCase());
    return key === undefined ? undefined : this.obj[key];
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own, enumerable property even for names like `__proto__` (no prototype pollution). */
export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  // Only the `__proto__` accessor is special on a plain object; every other name assigns an own property.
  if (key !== '__proto__') map[key] = value;
  else Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Text of a scalar or JSON text of anything else; null for null/undefined. */
export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  try {
    const json = JSON.stringify(value);
    return json === undefined ? null : json;
  } catch {
    return null;
  }
}

/** Text with trailing CR/LF and surrounding blanks removed (OriginatingServer-style values); null when empty. */
export function cleanText(value: unknown): string | null {
  const t = text(value);
  if (t === null) return null;
  const trimmed = t.trim();
  return trimmed.length === 0 ? null : trimmed;
}

/** An integer from a number or a numeric string ("15", " 15 "); null otherwise. */
export function toInt(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string') {
    const t = value.trim();
    if (!/^-?\d{1,15}$/.test(t)) return null;
    return Number(t);
  }
  return null;
}

/** Parses JSON text that looks like an array or object; undefined when it is not JSON. */
export function jsonInString(value: string): unknown {
  const t = value.trim();
  if (!(t.startsWith('[') || t.startsWith('{'))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/**
 * A PowerShell-style parameter string (`-Name "value" -Other 'x' -Switch -Count 3`) as pairs.
 * A switch with no value gets "True", as the audit log writes switches in its Name/Value form.
 */
export function parsePowerShellParameters(input: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const s = input;
  let i = 0;
  const n = s.length;
  const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  while (i < n) {
    while (i < n && isSpace(s[i])) i++;
    if (i >= n) break;
    if (s[i] !== '-') {
      // Text not introduced by a name: skip the token so parsing always progresses.
      while (i < n && !isSpace(s[i])) i++;
      continue;
    }
    i++;
    const start = i;
    while (i < n && !isSpace(s[i]) && s[i] !== ':') i++;
    const name = s.slice(start, i);
    let value: string | null = null;
    if (s[i] === ':') i++;
    let j = i;
    while (j < n && isSpace(s[j])) j++;
    const c = s[j];
    if (c === '"' || c === "'") {
      let out = '';
      let k = j + 1;
      while (k < n) {
        const ch = s[k]!;
        if (ch === '\\' && s[k + 1] === c) { out += c; k += 2; continue; }
        if (ch === '`' && k + 1 < n) { out += s[k + 1]; k += 2; continue; }
        if (ch === c) {
          if (s[k + 1] === c) { out += c; k += 2; continue; }
          k++;
          break;
        }
        out += ch;
        k++;
      }
      value = out;
      i = k;
    } else if (j < n && c !== '-' ) {
      let k = j;
      while (k < n && !isSpace(s[k])) k++;
      value = s.slice(j, k);
      i = k;
    } else if (j < n && c === '-' && /^-\d/.test(s.slice(j, j + 2))) {
      let k = j;
      while (k < n && !isSpace(s[k])) k++;
      value = s.slice(j, k);
      i = k;
    }
    if (name.length > 0) pairs.push([name, value ?? 'True']);
  }
  return pairs;
}

function pairName(entry: Json): unknown {
  if (Object.hasOwn(entry, 'Name')) return entry.Name;
  if (Object.hasOwn(entry, 'Key')) return entry.Key;
  if (Object.hasOwn(entry, 'name')) return entry.name;
  if (Object.hasOwn(entry, 'key')) return entry.key;
  return undefined;
}

function pairValue(entry: Json): unknown {
  if (Object.hasOwn(entry, 'Value')) return entry.Value;
  if (Object.hasOwn(entry, 'value')) return entry.value;
  return undefined;
}

/**
 * A Name/Value array (or a JSON text of one, a PowerShell-style string, or an already flat object)
 * as a map of text. The first value of a repeated name wins; the raw JSON keeps every value.
 */
export function pairMap(value: unknown, depth = 0): Record<string, string> {
  const map: Record<string, string> = {};
  if (value === null || value === undefined || depth > 2) return map;
  if (typeof value === 'string') {
    const parsed = jsonInString(value);
    if (parsed !== undefined) return pairMap(parsed, depth + 1);
    for (const [name, v] of parsePowerShellParameters(value)) {
      if (!Object.hasOwn(map, name)) setOwn(map, name, v);
    }
    return map;
  }
  if (Array.isArray(value)) {
    for (const entry of value) {
      if (!isObject(entry)) continue;
      const name = text(pairName(entry));
      if (name === null || name.length === 0 || Object.hasOwn(map, name)) continue;
      setOwn(map, name, text(pairValue(entry)) ?? '');
    }
    return map;
  }
  if (isObject(value)) {
    for (const key of Object.keys(value)) setOwn(map, key, text(value[key]) ?? '');
  }
  return map;
}

/**
 * ModifiedProperties as name → {oldValue, newValue}: the [{Name, OldValue, NewValue}] form, the
 * Exchange mailbox string[] form (names only), or either as JSON text.
 */
export function modifiedMap(value: unknown, depth = 0): Record<string, ModifiedValue> {
  const map: Record<string, ModifiedValue> = {};
  if (value === null || value === undefined || depth > 2) return map;
  if (typeof value === 'string') {
    const parsed = jsonInString(value);
    if (parsed !== undefined) return modifiedMap(parsed, depth + 1);
    for (const name of value.split(',')) {
      const n = name.trim();
      if (n.length > 0 && !Object.hasOwn(map, n)) setOwn(map, n, { oldValue: null, newValue: null });
    }
    return map;
  }
  if (!Array.isArray(value)) return map;
  for (const entry of value) {
    if (typeof entry === 'string') {
      const n = entry.trim();
      if (n.length > 0 && !Object.hasOwn(map, n)) setOwn(map, n, { oldValue: null, newValue: null });
      continue;
    }
    if (!isObject(entry)) continue;
    const name = text(pairName(entry));
    if (name === null || name.length === 0 || Object.hasOwn(map, name)) continue;
    const f = new Fields(entry);
    setOwn(map, name, { oldValue: text(f.get('OldValue')), newValue: text(f.get('NewValue')) });
  }
  return map;
}

/** The first non-empty text among values. */
export function firstText(...values: unknown[]): string | null {
  for (const v of values) {
    const t = cleanText(v);
    if (t !== null) return t;
  }
  return null;
}
