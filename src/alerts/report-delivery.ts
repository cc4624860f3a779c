// deliverReport: sends a finished report through an alert destination — email with the report files
// attached (HTML, CSV, ...), or a generic webhook with the report's JSON, signed like alerts. One attempt;
// the caller (the report scheduler) keeps the state and retries what is retryable. Other destination
// kinds (Teams, Slack, syslog) carry no attachments: they get a non-retryable failure naming the fix.

import { collectSecrets, escapeHtml, fail, ok, safeLine, scrub, type MaybeSecret, type Outcome } from '../core/index.js';
import { postBody } from './notifiers/common.js';
import { createSmtpTransport, smtpFailure, type EmailConfig } from './notifiers/email/index.js';
import type { DestinationConfig } from './notifiers/registry.js';
import type { NotifierContext } from './notifiers/types.js';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER, type WebhookConfig } from './notifiers/webhook/index.js';

export interface ReportAttachment {
  filename: string;
  contentType: string;
  content: string;
}

export interface ReportMessage {
  /** The report's name (e.g. mailbox-self-grants) and title. */
  name: string;
  title: string;
  /** One line: the period covered, e.g. "2026-02-01 00:00 – 2026-03-01 00:00 UTC". */
  period: string;
  /** Plain-text summary lines (section titles and row counts). */
  summary: string[];
  /** The report as a JSON object (what a webhook receives under `report`). */
  json: unknown;
  /** Files attached to an email (HTML, CSV, ...). */
  attachments: ReportAttachment[];
  /** Stable per (schedule, due time, destination): repeats carry the same key. */
  idempotencyKey: string;
}


async function viaEmail(c: EmailConfig, m: ReportMessage, ctx: NotifierContext): Promise<Outcome> {
  const secrets = collectSecrets(c);
  const transport = createSmtpTransport(c, ctx, 60_000);
  const subject = safeLine(`${c.subjectPrefix} Report: ${m.title} (${m.period})`, 250);
  const text = [`${m.title}`, `Period: ${m.period}`, '', ...m.summary, '', `Attached: ${m.attachments.map((a) => a.filename).join(', ')}`].join('\n');
  const html = `<p><strong>${escapeHtml(m.title, 200)}</strong><br>Period: ${escapeHtml(m.period, 100)}</p><ul>${m.summary
    .map((l) => `<li>${escapeHtml(l, 300)}</li>`)
    .join('')}</ul><p>The full report is attached (${escapeHtml(m.attachments.map((a) => a.filename).join(', '), 300)}).</p>`;
  try {
    await transport.sendMail({
      from: c.from,
      to: c.to,
      subject,
      text,
      html,
      messageId: `<${m.idempotencyKey}@auditwatch>`,
      headers: { 'X-Auditwatch-Report': m.name, 'X-Auditwatch-Idempotency-Key': m.idempotencyKey },
      attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'utf8') })),
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return ok(undefined);
  } catch (err) {
    const { why, retryable } = smtpFailure(err);
    return fail(new Error(scrub(`SMTP delivery of report ${m.name} to ${c.host} failed (${why})`, secrets)), retryable);
  } finally {
    transport.close();
  }
}

async function viaWebhook(c: WebhookConfig, m: ReportMessage, ctx: NotifierContext, signal: AbortSignal): Promise<Outcome> {
  const body = JSON.stringify({ type: 'report', report: m.json, idempotencyKey: m.idempotencyKey });
  const timestamp = String(Math.floor(ctx.clock.now() / 1000));
  const headers: Record<string, MaybeSecret> = {
    ...c.headers,
    'content-type': 'application/json',
    'user-agent': 'auditwatch',
    [TIMESTAMP_HEADER]: timestamp,
    [IDEMPOTENCY_HEADER]: m.idempotencyKey,
  };
  if (c.secret) headers[SIGNATURE_HEADER] = signWebhook(c.secret.reveal(), timestamp, body);
  return postBody(c.url, body, headers, signal, collectSecrets(c));
}

/** Sends a report through one destination (email or webhook); one attempt. */
export async function deliverReport(
  destination: DestinationConfig,
  message: ReportMessage,
  ctx: NotifierContext & { signal?: AbortSignal; timeoutMs?: number },
): Promise<Outcome> {
  const signal = ctx.signal ?? AbortSignal.timeout(ctx.timeoutMs ?? destination.timeout ?? 60_000);
  switch (destination.type) {
    case 'email':
      return viaEmail(destination, message, ctx);
    case 'webhook':
      return viaWebhook(destination, message, ctx, signal);
    default:
      return fail(
        new Error(`Destination ${destination.name} is a ${destination.type} destination, which cannot carry a report; deliver reports to an email or webhook destination.`),
        false,
      );
  }
}

/** Destination kinds that can carry a report. */
export const REPORT_DESTINATION_KINDS: readonly string[] = ['email', 'webhook'];
