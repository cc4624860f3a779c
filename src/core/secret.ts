// A secret prints as <redacted> everywhere (String(), JSON, util.inspect); only reveal() gives the value.

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

/** Replaces every occurrence of the given secrets' values in a text (for messages from third parties). */
export function scrub(text: string, secrets: Iterable<Secret | string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    const v = s instanceof Secret ? s.reveal() : s;
    if (v && v.length >= 4) out = out.split(v).join(REDACTED);
  }
  return out;
}
