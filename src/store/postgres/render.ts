// `Sql` rendered for PostgreSQL: $n placeholders and double-quoted identifiers. The state store writes
// only text, values and identifiers; dialect fragments (the analytics functions of the rule compiler and
// reports) have no PostgreSQL spelling yet and are refused rather than rendered wrong.

import { AppError } from '../../core/index.js';
import type { CompiledSql, Sql } from '../sql/index.js';

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function renderPostgres(q: Sql): CompiledSql {
  const params: CompiledSql['params'] = [];
  let text = '';
  for (const p of q.parts) {
    if (p.kind === 'text') text += p.text;
    else if (p.kind === 'ident') text += quoteIdent(p.name);
    else if (p.kind === 'value') {
      params.push(p.value);
      text += `$${params.length}`;
    } else throw new AppError('store_engine', 'A dialect fragment was sent to the PostgreSQL state store, which runs state SQL only; render it for the events store instead.');
  }
  return { text, params };
}
