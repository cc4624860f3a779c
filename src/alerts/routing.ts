// Routing: which destinations an alert goes to, from the config's routes. A route matches when every
// condition it sets matches (minimum severity, rule id, tag, tenant; lists match any of their items,
// `*` is a wildcard); the alert goes to the union of the destinations of every matching route. With no
// routes at all, every destination gets every alert.

import { SEVERITIES, type Severity } from '../detect/index.js';
import { severityRank } from './model.js';

export interface Route {
  destinations: string[];
  minSeverity?: Severity | undefined;
  rules?: string[] | undefined;
  tags?: string[] | undefined;
  tenants?: string[] | undefined;
}

export interface Routable {
  ruleId: string;
  severity: Severity;
  tags: string[];
  tenantId: string;
}

const globCache = new Map<string, RegExp>();

/**
 * Case-insensitive match with `*` as "any characters". A backslash before `*` or another backslash makes
 * that character literal (any other backslash is itself: `NT AUTHORITY\SYSTEM`); globEscape writes a
 * value so that it matches only itself.
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*') source += '.*';
      else {
        const next = pattern[i + 1];
        const literal = c === '\\' && (next === '*' || next === '\\') ? pattern[++i]! : c;
        source += literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
    }
    re = new RegExp(`^${source}$`, 'is');
    if (globCache.size < 1000) globCache.set(pattern, re);
  }
  return re.test(value);
}

/** A value as a glob pattern that matches only that value (`*` and `\\` escaped). */
export const globEscape = (value: string): string => value.replace(/[\\*]/g, '\\$&');

export function routeMatches(route: Route, a: Routable): boolean {
  if (route.minSeverity && severityRank(a.severity) < SEVERITIES.indexOf(route.minSeverity)) return false;
  if (route.rules && route.rules.length > 0 && !route.rules.some((p) => globMatch(p, a.ruleId))) return false;
  if (route.tags && route.tags.length > 0 && !route.tags.some((p) => a.tags.some((t) => globMatch(p, t)))) return false;
  if (route.tenants && route.tenants.length > 0 && !route.tenants.some((p) => globMatch(p, a.tenantId))) return false;
  return true;
}

/** The destination names an alert goes to, in the order the config lists them. */
export function routeAlert(a: Routable, routes: readonly Route[], destinations: readonly string[]): string[] {
  if (routes.length === 0) return [...destinations];
  const chosen = new Set<string>();
  for (const r of routes) if (routeMatches(r, a)) for (const d of r.destinations) chosen.add(d);
  return destinations.filter((d) => chosen.has(d));
}
