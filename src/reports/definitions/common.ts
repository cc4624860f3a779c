// Query helpers shared by the report definitions: the period filter, time buckets, list aggregation
// and JSON fields, each spelled per engine by the store's dialect table (no SQL by concatenation, no
// branch on an engine's name).

import { ident, join, raw, sql, type Sql } from '../../store/index.js';
import type { QueryContext } from '../types.js';

/** creation_time within the report's period (inclusive start, exclusive end). */
export function inPeriod(ctx: QueryContext, column = 'creation_time'): Sql {
  return sql`${ident(column)} >= ${ctx.d.timestamp(ctx.period.from)} AND ${ident(column)} < ${ctx.d.timestamp(ctx.period.to)}`;
}

/** The start of the day or hour of a timestamp expression. */
export function bucket(ctx: QueryContext, unit: 'day' | 'hour', e: Sql): Sql {
  return ctx.d.truncate(unit, e);
}

/** Distinct non-empty values of an expression joined with "; " (at most `max` values). */
export function listOf(ctx: QueryContext, e: Sql, max = 20): Sql {
  return ctx.d.listOf(e, max);
}

/** COUNT(DISTINCT e). */
export function distinct(ctx: QueryContext, e: Sql): Sql {
  return ctx.d.countDistinct(e);
}

/** A string field of a JSON text column: json(ctx, 'parameters', 'User'). */
export function json(ctx: QueryContext, column: string, ...path: string[]): Sql {
  return ctx.d.json(column, path);
}

/** Case-insensitive membership of a column in a list of values. */
export function oneOf(ctx: QueryContext, e: Sql, values: readonly string[]): Sql {
  return sql`${ctx.d.lower(e)} IN (${join(values.map((v) => sql`${v.toLowerCase()}`))})`;
}

/** LIMIT n (the runner asks for one more row than it shows, to know when a table was cut). */
export function limit(ctx: QueryContext): Sql {
  return sql` LIMIT ${raw(String(Math.max(1, Math.floor(rowLimit(ctx)))))}`;
}

export function rowLimit(ctx: QueryContext): number {
  return (ctx.params.limit ?? 1000) + 1;
}

export const col = ident;

/** `FROM` the events that pass `filter`, each record once (the dialect's fromEvents; GROUP BY, ORDER BY or LIMIT may follow). */
export function fromEvents(ctx: QueryContext, filter: Sql): Sql {
  return ctx.d.fromEvents(filter);
}

/** Names of Entra ID sign-in error codes (ual-schema.md §4.1), for codes whose records lack LogonError. */
export const SIGNIN_ERRORS: Record<string, string> = {
  '50126': 'InvalidUserNameOrPassword',
  '50053': 'IdsLocked',
  '50034': 'UserAccountNotFound',
  '50055': 'InvalidPasswordExpiredPassword',
  '50057': 'UserDisabled',
  '50074': 'UserStrongAuthClientAuthNRequiredInterrupt',
  '50076': 'UserStrongAuthClientAuthNRequired',
  '50079': 'UserStrongAuthEnrollmentRequired',
  '50140': 'KmsiInterrupt',
  '50155': 'DeviceAuthenticationFailed',
  '53003': 'BlockedByConditionalAccess',
  '500121': 'StrongAuthenticationFailed',
};
