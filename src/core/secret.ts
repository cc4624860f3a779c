// A secret prints as <redacted> everywhere (String(), JSON, util.inspect); only reveal() gives the value.
// scrub() is the one path that takes secrets out of third-party text (HTTP answers, library errors, log
// lines): it knows every piece of a secret that can show up alone, e.g. a webhook URL's path token.

import { inspect } from 'node:util';

const REDACTED = '<redacted>';
const values = new WeakMap<Secret, string>();

export class Secret {
  constructor(value: string) {
    values.set(this, value);
  }
  reveal(): string {
    return values.get(this) ?? '';
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A value that may be a Secret (from { env } or { file }) or plain config text. */
export type MaybeSecret = string | Secret;

export function reveal(value: MaybeSecret): string {
  return value instanceof Secret ? value.reveal() : value;
}

const MIN_FRAGMENT = 4;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Every piece of a secret value that a receiver, proxy or library may echo on its own. For a URL (a
 * Slack or Teams webhook, a URL with user:pass@ or ?token=): the whole URL, its path and query, each
 * token-like path segment (16+ characters, or 8+ with a digit), each query value of 6+ characters, the
 * user name, the password and the Basic credential made of them; each raw and percent-decoded.
 */
export function secretFragments(value: string): string[] {
  const out = new Set<string>([value]);
  let url: URL | null = null;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
  }
  if (url) {
    const add = (s: string) => {
      out.add(s);
      out.add(decoded(s));
    };
    if (url.username) add(url.username);
    if (url.password) {
      add(url.password);
      const user = decoded(url.username);
      const pass = decoded(url.password);
      add(`${url.username}:${url.password}`);
      out.add(Buffer.from(`${user}:${pass}`).toString('base64'));
    }
    if (url.pathname.length > 1) add(url.pathname);
    if (url.search) add(`${url.pathname}${url.search}`);
    if (url.search.length > 1) add(url.search.slice(1));
    for (const segment of url.pathname.split('/')) {
      if (segment.length >= 16 || (segment.length >= 8 && /\d/.test(segment))) add(segment);
    }
    for (const [, v] of url.searchParams) if (v.length >= 6) add(v);
    for (const part of url.search.slice(1).split('&')) {
      const v = part.slice(part.indexOf('=') + 1);
      if (part.includes('=') && v.length >= 6) add(v);
    }
  }
  return [...out].filter((s) => s.length >= MIN_FRAGMENT);
}

/** Replaces every occurrence of the given secrets, and of each of their fragments, in a text. */
export function scrub(text: string, secrets: Iterable<Secret | string | undefined>): string {
  const fragments = new Set<string>();
  for (const s of secrets) {
    const v = s instanceof Secret ? s.reveal() : s;
    if (v && v.length >= MIN_FRAGMENT) for (const f of secretFragments(v)) fragments.add(f);
  }
  let out = text;
  // Longest first, so a whole URL goes as one <redacted> before its pieces are looked for.
  for (const f of [...fragments].sort((a, b) => b.length - a.length)) if (out.includes(f)) out = out.split(f).join(REDACTED);
  return out;
}

/** Every Secret inside a value (a destination's config, the whole config): walks objects and arrays. */
export function collectSecrets(value: unknown, found: Secret[] = [], seen = new Set<object>()): Secret[] {
  if (value instanceof Secret) {
    found.push(value);
    return found;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) collectSecrets(v, found, seen);
  return found;
}
