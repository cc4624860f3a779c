// The dashboard's overview from the alert summary (state port), the collection status and the rules
// skipped: open alerts by severity, alerts per day, collection health per tenant × content type, and
// what needs attention first (critical and high alerts, rules that do not run, gaps, errors, dead
// letters, lag), in that order.

import { DAY, safeLine } from '../core/index.js';
import { SEVERITIES } from '../detect/index.js';
import type { AlertSummary } from '../store/index.js';
import type { Overview } from './operations.js';
import type { RuleProblem } from './pipeline.js';
import type { StatusReport } from './status-report.js';

/** Days of alerts per day on the overview. */
export const OVERVIEW_DAYS = 14;
/** A tenant × content type this far behind is listed as needing attention. */
const LAG_ATTENTION_S = 2 * 3600;
/** Skipped rules named one by one among what needs attention; the rest are counted. */
const SHOWN_RULES = 5;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function overviewSince(now: number): number {
  return Math.floor(now / DAY) * DAY - (OVERVIEW_DAYS - 1) * DAY;
}

/** A skipped rule as the overview lists it: `location` is file:line. */
function ruleFailure(p: RuleProblem): Overview['ruleFailures'][number] {
  const m = /^(.*):(\d+)$/.exec(p.location);
  const file = m ? m[1]! : p.location;
  return { rule: p.rule ?? (file.split('/').pop() ?? file), file, line: m ? Number(m[2]) : null, error: `${p.stage}: ${p.message}`, since: null };
}

export function buildOverview(summary: AlertSummary, status: StatusReport, problems: readonly RuleProblem[]): Overview {
  const openBySeverity: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const o of summary.openBySeverity) openBySeverity[o.severity] = (openBySeverity[o.severity] ?? 0) + o.count;
  const collection = status.entries.map((e) => ({
    tenant: e.tenant,
    contentType: e.contentType,
    lagSeconds: e.lagSeconds,
    lastBlobAt: e.newestContentCreated,
    gaps: e.gaps,
    deadLetters: e.deadLetters,
    errors: e.lastError ? safeLine(`${e.lastError.code}: ${e.lastError.message}`, 300) : 0,
  }));
  const ruleFailures = problems.map(ruleFailure);
  const attention: Overview['attention'] = [];
  for (const sev of ['critical', 'high'] as const) {
    const n = openBySeverity[sev] ?? 0;
    if (n) attention.push({ kind: 'alerts', message: `${plural(n, `open ${sev} alert`)}`, link: `/alerts?status=new,acknowledged&severity=${sev}` });
  }
  for (const r of ruleFailures.slice(0, SHOWN_RULES)) attention.push({ kind: 'rule', message: safeLine(`rule ${r.rule} (${r.file}${r.line ? `:${r.line}` : ''}) is skipped: ${r.error}`, 300), link: '/rules' });
  if (ruleFailures.length > SHOWN_RULES) attention.push({ kind: 'rule', message: `and ${plural(ruleFailures.length - SHOWN_RULES, 'more skipped rule')}`, link: '/rules' });
  for (const c of collection) {
    const where = `${c.tenant} ${c.contentType}`;
    if (c.gaps) attention.push({ kind: 'gap', message: `${where}: ${plural(c.gaps, 'gap')} in collection (content lost before it was fetched)`, link: null });
    if (c.errors) attention.push({ kind: 'error', message: `${where}: the last pass failed (${c.errors})`, link: null });
    if (c.deadLetters) attention.push({ kind: 'dead_letters', message: `${where}: ${plural(c.deadLetters, 'dead-lettered record')}`, link: null });
    if (c.lagSeconds !== null && c.lagSeconds > LAG_ATTENTION_S) attention.push({ kind: 'lag', message: `${where}: collection is ${(c.lagSeconds / 3600).toFixed(1)} h behind`, link: null });
  }
  return { openBySeverity, alertsPerDay: summary.perDay, collection, ruleFailures, attention };
}
