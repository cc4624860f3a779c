// The facts of an alert as label/value lines, bounded and stripped of control characters, that the
// chat and email notifiers render in their own markup (and escape for it).

import { safeLine } from '../../core/index.js';
import type { AlertPayload } from '../types.js';

export interface Fact {
  label: string;
  value: string;
}

const LIST_SHOWN = 10;

function list(values: readonly string[] | undefined, max = 200): string | null {
  if (!values || values.length === 0) return null;
  const shown = values.slice(0, LIST_SHOWN).map((v) => safeLine(v, max));
  return `${shown.join(', ')}${values.length > LIST_SHOWN ? ` (+${values.length - LIST_SHOWN} more)` : ''}`;
}

export function alertTitle(a: AlertPayload, max = 150): string {
  return safeLine(`[${a.severity.toUpperCase()}] ${a.title}`, max);
}

export function alertFacts(a: AlertPayload): Fact[] {
  const facts: (Fact | null)[] = [
    { label: 'Rule', value: safeLine(a.rule, 200) },
    { label: 'Severity', value: a.severity },
    { label: 'Status', value: `${a.status}${a.assignee ? ` (assigned to ${safeLine(a.assignee, 100)})` : ''}` },
    { label: 'Tenant', value: safeLine(a.tenant, 100) },
    { label: 'First seen', value: a.firstSeen },
    { label: 'Last seen', value: a.lastSeen },
    { label: 'Count', value: String(a.count) },
    ...(['users', 'ips', 'mailboxes', 'files', 'applications'] as const).map((k) => {
      const v = list(a.entities[k]);
      return v === null ? null : { label: k[0]!.toUpperCase() + k.slice(1), value: v };
    }),
    a.tags.length > 0 ? { label: 'Tags', value: list(a.tags, 100)! } : null,
    { label: 'Alert', value: safeLine(a.id, 100) },
  ];
  return facts.filter((f): f is Fact => f !== null);
}

export function evidenceLine(a: AlertPayload): string {
  return `${list(a.evidence, 100) ?? 'none'}${a.evidenceTotal > a.evidence.length ? ` (${a.evidenceTotal} in all)` : ''}`;
}
