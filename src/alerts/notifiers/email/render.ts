// The email of an alert: a one-line subject (no CR/LF can reach a header), an HTML part where every
// value is escaped, and a plain-text part.

import { escapeHtml, safeLine } from '../../../core/index.js';
import type { AlertPayload } from '../../types.js';
import { alertFacts, evidenceLine } from '../facts.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function renderEmail(a: AlertPayload, subjectPrefix: string): RenderedEmail {
  const subject = safeLine(`${subjectPrefix ? `${subjectPrefix} ` : ''}${a.severity.toUpperCase()}: ${a.title}`, 200);
  const facts = alertFacts(a);
  const evidence = evidenceLine(a);
  const text = [
    safeLine(`${a.severity.toUpperCase()}: ${a.title}`, 300),
    '',
    ...facts.map((f) => `${f.label}: ${f.value}`),
    '',
    `Evidence: ${evidence}`,
    '',
    `Work on it with: auditwatch alerts show ${safeLine(a.id, 60)}`,
    '',
  ].join('\n');
  const rows = facts
    .map((f) => `<tr><th style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">${escapeHtml(f.label)}</th><td style="padding:2px 0">${escapeHtml(f.value, 4000)}</td></tr>`)
    .join('\n');
  const html = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(a.title, 300)}</title></head>
<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222">
<h2 style="margin:0 0 12px 0">${escapeHtml(a.severity.toUpperCase())}: ${escapeHtml(a.title, 300)}</h2>
<table style="border-collapse:collapse">
${rows}
</table>
<p style="color:#555;font-size:12px">Evidence: ${escapeHtml(evidence, 4000)}</p>
<p style="color:#555;font-size:12px">Work on it with <code>auditwatch alerts show ${escapeHtml(a.id, 60)}</code></p>
</body></html>
`;
  return { subject, text, html };
}
