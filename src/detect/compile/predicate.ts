// Compiles a detection rule's selections and condition into one SQL predicate over `events`, for a
// detection backend. Field names go through mapping/ first; an unmapped field is an error with the
// rule's file, line and column. Every field test is wrapped in coalesce(…, FALSE) so `not` behaves as
// Sigma means it (a missing field is "not equal"), not as SQL's three-valued logic.

import { AppError } from '../../core/index.js';
import { ipv6ToHex } from '../../records/index.js';
import { ident, join, raw, sql, sqlFalse, sqlTrue, type Sql } from '../../store/index.js';
import { mapField, serviceOf, type FieldRef, type MappedField, type ServiceMapping } from '../mapping/index.js';
import type { ConditionNode, DetectionRule, FieldMatch, Matcher, Selection, StrPart } from '../sigma/ast.js';
import { nameMatches } from '../sigma/condition.js';
import { ruleError } from '../sigma/parse.js';
import type { DetectDialect } from './dialects.js';

/** The table of learned identities (migration 002). */
export const IDENTITIES_TABLE = 'identities';

export type CompileResult<T> = { ok: true; value: T } | { ok: false; errors: AppError[] };

/** The predicate selecting the events a detection rule matches (log source filter included). */
export function compilePredicate(rule: DetectionRule, d: DetectDialect): CompileResult<Sql> {
  const errors: AppError[] = [];
  const svc = serviceOf(rule.logsource);
  if (!svc.ok) return { ok: false, errors: [ruleError(rule.file, rule.logsource.pos, 'logsource', svc.error)] };
  const c = new PredicateCompiler(rule, svc.value, d, errors);
  const selections = new Map<string, Sql>();
  for (const [name, { selection }] of rule.selections) selections.set(name, c.selection(selection, `detection.${name}`));
  const condition = c.condition(rule.condition, selections);
  const filter = c.logsourceFilter();
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: filter ? sql`(${filter}) AND (${condition})` : condition };
}

class PredicateCompiler {
  constructor(
    readonly rule: DetectionRule,
    readonly service: ServiceMapping,
    readonly d: DetectDialect,
    readonly errors: AppError[],
  ) {}

  private mapped(name: string, m: { pos: { line: number; column: number } }, path: string): MappedField | null {
    const r = mapField(this.service, name);
    if (!r.ok) {
      this.errors.push(ruleError(this.rule.file, m.pos, path, r.error));
      return null;
    }
    return r.value;
  }

  logsourceFilter(): Sql | null {
    const parts: Sql[] = [];
    for (const [field, values] of Object.entries(this.service.filter)) {
      const r = mapField({ filter: {}, fields: {} }, field);
      if (!r.ok) continue;
      const e = this.expr(r.value);
      parts.push(sql`${this.d.lower(e)} IN (${join(values.map((v) => sql`${v.toLowerCase()}`))})`);
    }
    return parts.length ? join(parts, raw(' AND ')) : null;
  }

  condition(node: ConditionNode, selections: Map<string, Sql>): Sql {
    switch (node.t) {
      case 'ref':
        return selections.get(node.name) ?? sqlFalse;
      case 'not':
        return sql`NOT (${this.condition(node.item, selections)})`;
      case 'of': {
        const names = [...selections.keys()].filter((n) => nameMatches(node.pattern, n));
        if (names.length === 0) return node.quantifier === 'all' ? sqlTrue : sqlFalse;
        const items = names.map((n) => sql`(${selections.get(n)!})`);
        return items.length === 1 ? items[0]! : sql`(${join(items, raw(node.quantifier === 'all' ? ' AND ' : ' OR '))})`;
      }
      default: {
        const items = node.items.map((i) => sql`(${this.condition(i, selections)})`);
        return join(items, raw(node.t === 'and' ? ' AND ' : ' OR '));
      }
    }
  }

  selection(sel: Selection, path: string): Sql {
    if (sel.kind === 'or') {
      const items = sel.items.map((s, i) => sql`(${this.selection(s, `${path}[${i}]`)})`);
      return items.length === 1 ? items[0]! : sql`(${join(items, raw(' OR '))})`;
    }
    const items = sel.items.map((fm) => this.fieldMatch(fm, path));
    return items.length === 1 ? items[0]! : join(items, raw(' AND '));
  }

  expr(f: MappedField): Sql {
    return scalarExpr(this.d, f.ref) ?? sqlFalse;
  }

  /** A scalar field's expression, or an error (and null) where one value is needed and a list is given. */
  private scalar(f: MappedField, m: { pos: { line: number; column: number } }, where: string): Sql | null {
    const e = scalarExpr(this.d, f.ref);
    if (e === null) this.errors.push(ruleError(this.rule.file, m.pos, where, `${f.canonical} stands for every member of a Name/Value list; compare one field with another by naming a key (Parameters.ForwardTo)`));
    return e;
  }

  private fieldMatch(fm: FieldMatch, path: string): Sql {
    const where = `${path}.${[fm.field ?? 'keywords', ...fm.modifiers].join('|')}`;
    if (fm.field === null) {
      // Keywords: a case-insensitive search anywhere in the raw record.
      const tests = fm.matchers.map((m) => this.keyword(m, fm, where)).filter((t): t is Sql => t !== null);
      if (tests.length === 0) return sqlFalse;
      return sql`coalesce(${join(tests, raw(fm.all ? ' AND ' : ' OR '))}, ${sqlFalse})`;
    }
    const f = this.mapped(fm.field, fm, where);
    if (!f) return sqlFalse;
    const tests: Sql[] = [];
    for (const m of fm.matchers) {
      const t = f.ref.kind === 'members' || f.ref.kind === 'elements' ? this.memberMatcher(f, f.ref, m, fm.cased, where, fm) : this.matcher(this.target(f), m, fm.cased, where, fm);
      if (t) tests.push(t);
    }
    if (tests.length === 0) return sqlFalse;
    const combined = tests.length === 1 ? tests[0]! : sql`(${join(tests, raw(fm.all ? ' AND ' : ' OR '))})`;
    return sql`coalesce(${combined}, ${sqlFalse})`;
  }

  /** A keyword: found anywhere in the whole record, case-insensitively (modifiers such as |re apply too). */
  private keyword(m: Matcher, fm: FieldMatch, where: string): Sql | null {
    const t = this.target({ ref: { kind: 'record' }, canonical: 'raw', jsonText: true });
    if (m.kind === 'str') return this.matcher(t, { kind: 'str', parts: [{ t: 'any' }, ...m.parts, { t: 'any' }] }, fm.cased, where, fm);
    if (m.kind === 'num' || m.kind === 'bool') return this.matcher(t, { kind: 'str', parts: [{ t: 'any' }, { t: 'lit', s: this.scalarText(m) }, { t: 'any' }] }, fm.cased, where, fm);
    if (m.kind === 're') return this.matcher(t, m, fm.cased, where, fm);
    this.errors.push(ruleError(this.rule.file, fm.pos, where, 'a keyword is text (or a number) searched in the whole record; write field: value for other tests'));
    return null;
  }

  private target(f: MappedField): Target {
    const e = this.expr(f);
    return { e, numeric: f.ref.kind === 'column' && f.ref.type !== 'text', record: f.jsonText === true, ...(f.values ? { values: f.values } : {}) };
  }

  /**
   * A test on every member of a Name/Value list (SigmaHQ's `Parameters.Name: ForwardTo`): true when some
   * member passes, or the member literally called Name/Value does.
   */
  private memberMatcher(f: MappedField, ref: Extract<FieldRef, { kind: 'members' | 'elements' }>, m: Matcher, cased: boolean, where: string, fm: FieldMatch): Sql | null {
    if (ref.kind === 'elements' && m.kind !== 'str' && m.kind !== 're') return this.matcher(this.target(f), m, cased, where, fm);
    if (m.kind === 'fieldref' || m.kind === 'sameperson' || m.kind === 'samedomain') {
      this.errors.push(ruleError(this.rule.file, fm.pos, where, `${f.canonical} stands for every member of a Name/Value list; |${m.kind} needs one value, so name a key (Parameters.ForwardTo)`));
      return null;
    }
    const list = ref.kind === 'elements' ? this.d.jsonStrings(ref.column, ref.path) : ref.part === 'names' ? this.d.jsonNames(ref.column) : this.d.jsonValues(ref.column, ref.sub ?? null);
    if (m.kind === 'exists' || m.kind === 'null') {
      const some = this.d.anyOf(list, (x) => sql`${x} IS NOT NULL`);
      return (m.kind === 'exists' && m.value) ? some : sql`NOT coalesce(${some}, ${sqlFalse})`;
    }
    let failed = false;
    const any = this.d.anyOf(list, (x) => {
      const t = this.matcher({ e: x, numeric: false, record: false }, m, cased, where, fm);
      if (t === null) failed = true;
      return t ?? sqlFalse;
    });
    if (failed) return null;
    const alsoRef = ref.kind === 'elements' ? ({ kind: 'json', column: ref.column, path: ref.path } as const) : ref.also;
    if (!alsoRef) return any;
    const also = this.matcher({ e: scalarExpr(this.d, alsoRef)!, numeric: false, record: false }, m, cased, where, fm);
    return also ? sql`(coalesce(${any}, ${sqlFalse}) OR coalesce(${also}, ${sqlFalse}))` : any;
  }

  private scalarText(m: Matcher): string {
    if (m.kind === 'num' || m.kind === 'bool') return String(m.value);
    return '';
  }

  private matcher(t: Target, m: Matcher, cased: boolean, where: string, fm: FieldMatch): Sql | null {
    const { e, numeric } = t;
    switch (m.kind) {
      case 'null':
        return sql`${e} IS NULL`;
      case 'exists':
        return m.value ? sql`${e} IS NOT NULL` : sql`${e} IS NULL`;
      case 'num':
        if (numeric) return sql`${e} = ${m.value}`;
        return this.stringTest(e, [{ t: 'lit', s: String(m.value) }], cased);
      case 'bool':
        return this.stringTest(numeric ? this.d.text(e) : e, [{ t: 'lit', s: String(m.value) }], false);
      case 'cmp': {
        const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[m.op];
        return sql`${numeric ? e : this.d.number(e)} ${raw(op)} ${m.value}`;
      }
      case 're': {
        const flags = m.flags ? `(?${[...new Set(m.flags)].join('')})` : '';
        return this.d.regex(numeric ? this.d.text(e) : e, sql`${flags + m.pattern}`);
      }
      case 'cidr': {
        if (m.v6) {
          // The first prefix/4 hex digits equal the network's; a partial last digit is one of the values it allows.
          const net = ipv6ToHex(m.network);
          if (net === null) {
            this.errors.push(ruleError(this.rule.file, fm.pos, where, `"${m.network.slice(0, 60)}" is not an IPv6 network address; write it like 2001:db8::/32`));
            return null;
          }
          const hex = this.d.ipv6Hex(e);
          const full = Math.floor(m.prefix / 4);
          const rest = m.prefix % 4;
          const parts: Sql[] = [full > 0 ? this.d.startsWith(hex, sql`${net.slice(0, full)}`) : sql`${hex} IS NOT NULL`];
          if (rest > 0) {
            const mask = (0xf << (4 - rest)) & 0xf;
            const want = Number.parseInt(net[full]!, 16) & mask;
            const digits = Array.from({ length: 16 }, (_, v) => v).filter((v) => (v & mask) === want).map((v) => sql`${v.toString(16)}`);
            parts.push(sql`substring(${hex}, ${full + 1}, 1) IN (${join(digits)})`);
          }
          return parts.length === 1 ? parts[0]! : sql`(${join(parts, raw(' AND '))})`;
        }
        const [a, b, c, dd] = m.network.split('.').map(Number) as [number, number, number, number];
        const base = ((a * 256 + b) * 256 + c) * 256 + dd;
        const size = 2 ** (32 - m.prefix);
        const lo = Math.floor(base / size) * size;
        return sql`${this.d.ipv4Number(e)} BETWEEN ${lo} AND ${lo + size - 1}`;
      }
      case 'fieldref': {
        const other = this.mapped(m.field, m, `${where}: ${m.field}`);
        if (!other) return null;
        const o = this.scalar(other, m, `${where}: ${m.field}`);
        if (!o) return null;
        return cased ? sql`${e} = ${o}` : sql`${this.d.lower(this.d.text(e))} = ${this.d.lower(this.d.text(o))}`;
      }
      case 'sameperson': {
        const other = this.mapped(m.field, m, `${where}: ${m.field}`);
        const o = other && this.scalar(other, m, `${where}: ${m.field}`);
        if (!o) return null;
        return samePerson(this.d, e, o);
      }
      case 'samedomain': {
        // Every address in the field (one or several, `smtp:` prefixes, `;` lists) is in the domain of the other field's address.
        const other = this.mapped(m.field, m, `${where}: ${m.field}`);
        const o = other && this.scalar(other, m, `${where}: ${m.field}`);
        if (!o) return null;
        return this.d.sameEmailDomain(e, o);
      }
      case 'str': {
        if (t.values) {
          const lit = litOnly(m.parts);
          const mapped = lit !== null ? t.values[lit.toLowerCase()] : undefined;
          if (mapped) return sql`${this.d.lower(e)} IN (${join(mapped.map((v) => sql`${v.toLowerCase()}`))})`;
        }
        if (numeric) {
          const lit = litOnly(m.parts);
          if (lit !== null && /^-?\d+(\.\d+)?$/.test(lit.trim())) return sql`${e} = ${Number(lit)}`;
          return this.stringTest(this.d.text(e), m.parts, cased);
        }
        if (t.record) {
          // JSON text: a quote, backslash or control character of a value is escaped there, and a rule
          // may copy JSON printed with spaces (`Enabled", "Value": "False`) that the log writes without.
          const variants = [m.parts, jsonEscapedParts(m.parts), compactJsonParts(m.parts)];
          const seen = new Set<string>();
          const tests: Sql[] = [];
          for (const parts of variants) {
            const key = JSON.stringify(parts);
            if (seen.has(key)) continue;
            seen.add(key);
            tests.push(this.stringTest(e, parts, cased));
          }
          return tests.length === 1 ? tests[0]! : sql`(${join(tests, raw(' OR '))})`;
        }
        return this.stringTest(e, m.parts, cased);
      }
    }
  }

  /** Equality / wildcard match, case-insensitive unless `cased`. */
  private stringTest(e: Sql, parts: StrPart[], cased: boolean): Sql {
    const norm = (s: string) => (cased ? s : s.toLowerCase());
    const subject = cased ? e : this.d.lower(e);
    const lit = litOnly(parts);
    if (lit !== null) return sql`${subject} = ${norm(lit)}`;
    // Fast paths for contains / startswith / endswith of a plain literal.
    const inner = parts.slice(1, -1);
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    if (parts.length === 3 && first.t === 'any' && last.t === 'any' && inner[0]!.t === 'lit') {
      return this.d.contains(subject, sql`${norm(inner[0]!.s)}`);
    }
    if (parts.length === 2 && first.t === 'lit' && last.t === 'any') return this.d.startsWith(subject, sql`${norm(first.s)}`);
    if (parts.length === 2 && first.t === 'any' && last.t === 'lit') return this.d.endsWith(subject, sql`${norm(last.s)}`);
    const pattern = parts
      .map((p) => (p.t === 'any' ? '%' : p.t === 'one' ? '_' : norm(p.s).replace(/[\\%_]/g, (c) => `\\${c}`)))
      .join('');
    if (pattern === '%') return sql`${e} IS NOT NULL`;
    return this.d.like(subject, sql`${pattern}`);
  }
}

/** What a field test compares: the expression, whether it is a number column, the whole record, value spellings. */
interface Target {
  e: Sql;
  numeric: boolean;
  record: boolean;
  values?: Record<string, string[]>;
}

/** The SQL expression of a field that holds one value; null for a list (every Name/Value member). */
export function scalarExpr(d: DetectDialect, ref: FieldRef): Sql | null {
  switch (ref.kind) {
    case 'column':
      return ident(ref.column);
    case 'json':
      return d.json(ref.column, ref.path);
    case 'record':
      return ident('raw');
    case 'first': {
      const parts = ref.refs.map((r) => scalarExpr(d, r)).filter((x): x is Sql => x !== null);
      return d.firstOf(parts);
    }
    case 'elements':
      return d.json(ref.column, ref.path);
    case 'members':
      return null;
  }
}

function jsonEscapedParts(parts: StrPart[]): StrPart[] {
  return parts.map((p) => (p.t === 'lit' ? { t: 'lit', s: JSON.stringify(p.s).slice(1, -1) } : p));
}

/** Spaces around JSON's `:` and `,` between quoted strings dropped, as the log's compact JSON has none. */
function compactJsonParts(parts: StrPart[]): StrPart[] {
  return parts.map((p) => (p.t === 'lit' ? { t: 'lit', s: p.s.replace(/"\s*([,:])\s*"/g, '"$1"') } : p));
}

function litOnly(parts: StrPart[]): string | null {
  if (parts.length === 0) return '';
  if (parts.length === 1 && parts[0]!.t === 'lit') return parts[0]!.s;
  return null;
}

/** Normalised identity text: trimmed and lower-cased, the same on both sides of the identities table. */
export function identityKey(d: DetectDialect, e: Sql): Sql {
  return d.lower(d.trim(e));
}

/**
 * Whether two expressions name the same person: equal text, or both found in the identities table
 * with the same person id in the record's tenant.
 */
export function samePerson(d: DetectDialect, a: Sql, b: Sql): Sql {
  const ka = identityKey(d, a);
  const kb = identityKey(d, b);
  const t = ident(IDENTITIES_TABLE);
  return sql`(${ka} = ${kb} OR (${ident('tenant_id')}, ${ka}, ${kb}) IN (SELECT x.tenant_id, x.${ident('value')}, y.${ident('value')} FROM ${t} x JOIN ${t} y ON x.tenant_id = y.tenant_id AND x.person_id = y.person_id WHERE x.person_id <> ''))`;
}

export function compileErrorsOf(errors: AppError[]): string {
  return errors.map((e) => e.display()).join('\n');
}
