// The Sigma condition language: and / or / not, parentheses, `1 of x*`, `all of x*`, `1 of them`,
// `all of them`. A recursive-descent parser; errors carry the offset of the token at fault.

import type { ConditionNode } from './ast.js';

export class ConditionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type Token = { kind: 'word' | 'lparen' | 'rparen' | 'end'; text: string; offset: number };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\()|(\))|([A-Za-z0-9_*\-.]+)|(\S))/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    const offset = re.lastIndex - m[0].length + (m[0].length - m[0].trimStart().length);
    if (m[1]) out.push({ kind: 'lparen', text: '(', offset });
    else if (m[2]) out.push({ kind: 'rparen', text: ')', offset });
    else if (m[3]) out.push({ kind: 'word', text: m[3], offset });
    else if (m[4]) {
      const hint = m[4] === '|' ? ' (the pipe aggregation syntax is replaced by correlation rules)' : '';
      throw new ConditionSyntaxError(`unexpected character "${m[4]}"${hint}`, offset);
    }
    if (m[0].length === 0) break;
  }
  out.push({ kind: 'end', text: '', offset: text.length });
  return out;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them']);

/** Parses a condition; `pos` maps a character offset in `text` to a position in the file. */
export function parseCondition(text: string): { node: ConditionNode; refs: { name: string; offset: number }[] } {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]!;
  const lower = (t: Token) => t.text.toLowerCase();
  const next = () => tokens[i++]!;

  function orExpr(): ConditionNode {
    const items = [andExpr()];
    while (peek().kind === 'word' && lower(peek()) === 'or') {
      next();
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  }
  function andExpr(): ConditionNode {
    const items = [notExpr()];
    while (peek().kind === 'word' && lower(peek()) === 'and') {
      next();
      items.push(notExpr());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  }
  function notExpr(): ConditionNode {
    if (peek().kind === 'word' && lower(peek()) === 'not') {
      next();
      return { t: 'not', item: notExpr() };
    }
    return primary();
  }
  function primary(): ConditionNode {
    const tok = next();
    if (tok.kind === 'lparen') {
      const inner = orExpr();
      const close = next();
      if (close.kind !== 'rparen') throw new ConditionSyntaxError(`expected ")" to close a "("`, close.offset);
      return inner;
    }
    if (tok.kind === 'end') throw new ConditionSyntaxError('the condition ends where a selection name was expected', tok.offset);
    if (tok.kind === 'rparen') throw new ConditionSyntaxError('unexpected ")"', tok.offset);
    const word = lower(tok);
    if (word === '1' || word === 'all' || word === 'any') {
      const of = peek();
      if (of.kind === 'word' && lower(of) === 'of') {
        next();
        const target = next();
        if (target.kind !== 'word' || (KEYWORDS.has(lower(target)) && lower(target) !== 'them')) {
          throw new ConditionSyntaxError(`"${tok.text} of" needs a selection pattern or "them"`, target.offset);
        }
        return { t: 'of', quantifier: word === 'all' ? 'all' : 'one', pattern: target.text, pos: { line: 0, column: target.offset } };
      }
    }
    if (KEYWORDS.has(word)) throw new ConditionSyntaxError(`unexpected "${tok.text}" where a selection name was expected`, tok.offset);
    if (/^\d+$/.test(word)) throw new ConditionSyntaxError(`"${tok.text} of" is not supported; write "1 of" or "all of"`, tok.offset);
    if (tok.text.includes('*')) throw new ConditionSyntaxError(`a wildcard name "${tok.text}" needs "1 of" or "all of" before it`, tok.offset);
    return { t: 'ref', name: tok.text, pos: { line: 0, column: tok.offset } };
  }

  const node = orExpr();
  const rest = peek();
  if (rest.kind !== 'end') {
    throw new ConditionSyntaxError(`unexpected "${rest.text}" after a complete condition (missing "and" / "or"?)`, rest.offset);
  }
  const refs: { name: string; offset: number }[] = [];
  const walk = (n: ConditionNode) => {
    if (n.t === 'ref') refs.push({ name: n.name, offset: n.pos.column });
    else if (n.t === 'of') refs.push({ name: n.pattern, offset: n.pos.column });
    else if (n.t === 'not') walk(n.item);
    else n.items.forEach(walk);
  };
  walk(node);
  return { node, refs };
}

/** Sigma's selection-name pattern: `*` matches any run of characters. */
export function nameMatches(pattern: string, name: string): boolean {
  if (pattern === 'them') return !name.startsWith('_');
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}
