// SQL built with a tagged template into an inspectable { text, params } per dialect, never by
// concatenation. Values become placeholders; identifiers go through ident(); trusted fragments nest.

import type { Dialect } from './dialect.js';

export type SqlValue = string | number | bigint | boolean | null | Date | string[] | number[];

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'value'; value: SqlValue }
  | { kind: 'ident'; name: string }
  | { kind: 'dialect'; render: (d: Dialect, ctx: RenderContext) => string }
  | { kind: 'choose'; pick: (d: Dialect) => Sql };

export interface RenderContext {
  /** Adds a parameter and returns the placeholder text for it. */
  param(value: SqlValue): string;
}

export class Sql {
  constructor(readonly parts: readonly Part[]) {}

  /** Renders for a dialect. */
  render(dialect: Dialect): CompiledSql {
    const params: SqlValue[] = [];
    const ctx: RenderContext = {
      // Without server-side parameters (ClickHouse before 19.11) every value is inlined as a literal.
      param: (value) => {
        if (!dialect.capabilities.serverParams) return dialect.literal(value);
        params.push(value);
        return dialect.placeholder(params.length, value);
      },
    };
    return { text: renderParts(this.parts, dialect, ctx), params };
  }
}

export interface CompiledSql {
  text: string;
  params: SqlValue[];
}

function renderParts(parts: readonly Part[], dialect: Dialect, ctx: RenderContext): string {
  let out = '';
  for (const p of parts) {
    if (p.kind === 'text') out += p.text;
    else if (p.kind === 'value') out += ctx.param(p.value);
    else if (p.kind === 'ident') out += dialect.quoteIdent(p.name);
    else if (p.kind === 'dialect') out += p.render(dialect, ctx);
    else out += renderParts(p.pick(dialect).parts, dialect, ctx);
  }
  return out;
}

export type SqlArg = Sql | SqlValue;

/** sql`SELECT * FROM ${ident('events')} WHERE id = ${id}` */
export function sql(strings: TemplateStringsArray, ...args: SqlArg[]): Sql {
  const parts: Part[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push({ kind: 'text', text: s });
    if (i < args.length) {
      const a = args[i]!;
      if (a instanceof Sql) parts.push(...a.parts);
      else parts.push({ kind: 'value', value: a as SqlValue });
    }
  });
  return new Sql(parts);
}

/** A quoted identifier (table or column name). */
export function ident(name: string): Sql {
  return new Sql([{ kind: 'ident', name }]);
}

/** Trusted SQL text (a keyword, an operator); never audit data or user input. */
export function raw(text: string): Sql {
  return new Sql([{ kind: 'text', text }]);
}

/** A fragment rendered by the dialect (a function whose spelling differs between engines). */
export function dialectFragment(render: (d: Dialect, ctx: RenderContext) => string): Sql {
  return new Sql([{ kind: 'dialect', render }]);
}

/**
 * A fragment chosen when the query is rendered, by the dialect it is rendered for (a construct whose form
 * depends on the server's release: the store's dialect knows the version the compiler does not).
 */
export function byDialect(pick: (d: Dialect) => Sql): Sql {
  return new Sql([{ kind: 'choose', pick }]);
}

/** Joins fragments with a separator: join([a, b], sql`, `). */
export function join(items: readonly Sql[], separator: Sql = raw(', ')): Sql {
  const parts: Part[] = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push(...separator.parts);
    parts.push(...item.parts);
  });
  return new Sql(parts);
}

export const empty = new Sql([]);

/**
 * The same SQL with the identifier `name` written as `schema`.`name`: a table a query names that another
 * session must find in that database (on a ClickHouse cluster a shard runs a subquery in its own session,
 * whose default database is not the store's).
 */
export function qualifyIdent(q: Sql, name: string, schema: string): Sql {
  return new Sql(q.parts.map((p): Part => (p.kind === 'ident' && p.name === name ? { kind: 'dialect', render: (d) => `${d.quoteIdent(schema)}.${d.quoteIdent(name)}` } : p)));
}
