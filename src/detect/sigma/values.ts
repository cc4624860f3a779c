// Values and modifiers of a Sigma field line: wildcards with escaping, contains / startswith /
// endswith, all, re (with i / m / s), cidr, exists, fieldref, gt / gte / lt / lte, cased, and the
// auditwatch extension `sameperson` (identity resolution). Returns matchers or an error message.

import { isIPv4, isIPv6 } from 'node:net';
import type { CompareOp, Matcher, Pos, StrPart } from './ast.js';

export const MODIFIERS = [
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'cidr',
  'exists',
  'fieldref',
  'gt',
  'gte',
  'lt',
  'lte',
  'cased',
  'sameperson',
  'samedomain',
] as const;

const VALUE_KINDS = ['re', 'cidr', 'exists', 'fieldref', 'gt', 'gte', 'lt', 'lte', 'sameperson', 'samedomain'] as const;
const POSITIONAL = ['contains', 'startswith', 'endswith'] as const;

/** Splits a Sigma string into literal text and wildcards. `\*`, `\?` and `\\` are literal. */
export function parseWildcards(value: string): StrPart[] {
  const parts: StrPart[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ t: 'lit', s: lit });
    lit = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const n = value[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else lit += c;
    } else if (c === '*' || c === '?') {
      flush();
      parts.push(c === '*' ? { t: 'any' } : { t: 'one' });
    } else lit += c;
  }
  flush();
  return parts;
}

export type YamlScalar = string | number | boolean | null;

export interface ModifierResult {
  matchers: Matcher[];
  all: boolean;
  cased: boolean;
  error?: string;
}

/** Applies a field line's modifiers to its values. */
export function applyModifiers(modifiers: string[], values: YamlScalar[], pos: Pos): ModifierResult {
  const unknown = modifiers.find((m) => !(MODIFIERS as readonly string[]).includes(m));
  const result: ModifierResult = { matchers: [], all: modifiers.includes('all'), cased: modifiers.includes('cased') };
  if (unknown === 'expand') {
    const names = values.filter((v): v is string => typeof v === 'string').map((v) => v.slice(0, 40)).join(', ');
    return { ...result, error: `the expand modifier stands for placeholders (${names}) that auditwatch does not fill; copy the rule and write the values in place of the placeholder` };
  }
  if (unknown !== undefined) {
    return { ...result, error: `unknown modifier "${unknown}"; supported: ${MODIFIERS.filter((m) => m.length > 1).join(', ')}` };
  }
  const kinds = modifiers.filter((m) => (VALUE_KINDS as readonly string[]).includes(m));
  const positional = modifiers.filter((m) => (POSITIONAL as readonly string[]).includes(m));
  if (kinds.length > 1) return { ...result, error: `modifiers "${kinds.join('" and "')}" cannot be combined` };
  if (positional.length > 1) return { ...result, error: `modifiers "${positional.join('" and "')}" cannot be combined` };
  const kind = kinds[0];
  if (kind && positional.length) return { ...result, error: `modifier "${positional[0]}" cannot be combined with "${kind}"` };
  const reFlags = modifiers.filter((m) => m === 'i' || m === 'm' || m === 's');
  if (reFlags.length && kind !== 're') return { ...result, error: `modifier "${reFlags[0]}" is a sub-modifier of "re" (write |re|${reFlags[0]})` };
  if (values.length === 0) return { ...result, error: 'an empty value list matches nothing; give at least one value' };

  for (const v of values) {
    const m = toMatcher(kind, positional[0], reFlags.join(''), v, pos);
    if (typeof m === 'string') return { ...result, error: m };
    result.matchers.push(m);
  }
  return result;
}

function toMatcher(kind: string | undefined, positional: string | undefined, flags: string, v: YamlScalar, pos: Pos): Matcher | string {
  switch (kind) {
    case 're': {
      if (typeof v !== 'string') return 'modifier "re" needs a string pattern';
      try {
        new RegExp(v, flags);
      } catch (err) {
        return `invalid regular expression "${v.slice(0, 60)}": ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
      }
      return { kind: 're', pattern: v, flags };
    }
    case 'cidr': {
      if (typeof v !== 'string') return 'modifier "cidr" needs a network like 10.0.0.0/8';
      const [net, bits] = v.split('/');
      const v6 = isIPv6(net ?? '');
      const prefix = bits === undefined ? (v6 ? 128 : 32) : Number(bits);
      if (!(isIPv4(net ?? '') || v6) || !Number.isInteger(prefix) || prefix < 0 || prefix > (v6 ? 128 : 32)) {
        return `"${String(v).slice(0, 60)}" is not a network; write it like 10.0.0.0/8 or 2001:db8::/32`;
      }
      return { kind: 'cidr', network: net!, prefix, v6 };
    }
    case 'exists':
      if (typeof v !== 'boolean') return 'modifier "exists" needs true or false';
      return { kind: 'exists', value: v };
    case 'fieldref':
    case 'sameperson':
    case 'samedomain':
      if (typeof v !== 'string' || v === '') return `modifier "${kind}" needs a field name as its value`;
      return { kind, field: v, pos };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (!Number.isFinite(n)) return `modifier "${kind}" needs a number`;
      return { kind: 'cmp', op: kind as CompareOp, value: n };
    }
    default:
      break;
  }
  if (v === null) {
    if (positional) return `modifier "${positional}" cannot take null`;
    return { kind: 'null' };
  }
  if (typeof v === 'boolean' && !positional) return { kind: 'bool', value: v };
  if (typeof v === 'number' && !positional) return { kind: 'num', value: v };
  const parts = parseWildcards(String(v));
  if (positional === 'contains') return { kind: 'str', parts: [{ t: 'any' }, ...parts, { t: 'any' }] };
  if (positional === 'startswith') return { kind: 'str', parts: [...parts, { t: 'any' }] };
  if (positional === 'endswith') return { kind: 'str', parts: [{ t: 'any' }, ...parts] };
  return { kind: 'str', parts };
}
