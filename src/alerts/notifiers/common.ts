// What every destination shares: its name, its delivery options (time limit, rate limit, back-off,
// give-up age) with documented defaults, and the classification of HTTP answers into retryable or not.

import { z } from 'zod';
import { duration, textOrSecret } from '../../config/index.js';
import { fail, ok, reveal, scrub, type MaybeSecret, type Outcome, type Secret } from '../../core/index.js';
import type { DeliveryOptions } from './types.js';

export const destinationName = z
  .string({ error: 'must be a short name for the destination, like soc-teams (letters, digits, . _ -)' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be a short name for the destination, like soc-teams (letters, digits, . _ -; at most 64)' });

/** The delivery options, as fields any destination may set (zod shape to spread into a kind's schema). */
export const deliveryFields = {
  /** One attempt's time limit. */
  timeout: duration('15s', { min: '100ms', max: '5m' }),
  /** Deliveries a minute to this destination, at most. */
  ratePerMinute: z
    .number({ error: 'must be a whole number from 1 to 100000' })
    .int({ error: 'must be a whole number from 1 to 100000' })
    .min(1, { error: 'must be a whole number from 1 to 100000' })
    .max(100000, { error: 'must be a whole number from 1 to 100000' })
    .default(60),
  /** First retry delay; doubles each attempt, with jitter ... */
  backoffMin: duration('5s', { min: '10ms', max: '1h' }),
  /** ... up to this. */
  backoffMax: duration('10m', { min: '10ms', max: '1d' }),
  /** A delivery still failing this long after it was queued is given up and shown in status. */
  giveUpAfter: duration('7d', { min: '1m', max: '30d' }),
};

export function deliveryOf(c: DeliveryOptions): DeliveryOptions {
  return { timeout: c.timeout, ratePerMinute: c.ratePerMinute, backoffMin: c.backoffMin, backoffMax: c.backoffMax, giveUpAfter: c.giveUpAfter };
}

const HEADER_VALUE = /^[\x20-\x7e\t]{0,2000}$/;
/** Headers that carry a credential: their values must come from { env } or { file }, never the config text. */
const CREDENTIAL_HEADER = /^(?:authorization|proxy-authorization|cookie)$|token|secret|api-?key|auth|passw|signature|session/i;

const headerValue = (name: string) =>
  textOrSecret(
    'AUDITWATCH_WEBHOOK_TOKEN',
    (v) =>
      !HEADER_VALUE.test(v)
        ? 'must be printable ASCII on one line'
        : CREDENTIAL_HEADER.test(name)
          ? `is a credential (${name.slice(0, 40)}) and must not be written in the config; use { env: AUDITWATCH_WEBHOOK_TOKEN } or { file: ./auditwatch.secrets/NAME.secret }`
          : null,
    (v) => (HEADER_VALUE.test(v) ? null : 'holds a value that is not printable ASCII on one line'),
  );

/** Header names we accept in config: RFC 7230 tokens; values: printable, no CR/LF, written or from { env } / { file }. */
export const headerMap = z
  .record(
    z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, { error: 'must be an HTTP header name (letters, digits, -)' }),
    z.unknown(),
    { error: 'must be a map of header name to value' },
  )
  .default({})
  .transform((headers, ctx) => {
    const out: Record<string, MaybeSecret> = {};
    for (const [name, value] of Object.entries(headers)) {
      const r = headerValue(name).safeParse(value);
      if (r.success) out[name] = r.data;
      else for (const issue of r.error.issues) ctx.issues.push({ code: 'custom', input: value, message: issue.message, path: [name, ...issue.path] });
    }
    return out;
  });

/** POSTs a body and turns the answer into an Outcome: 2xx ok; 408, 425, 429 and 5xx retryable; else not. */
export async function postBody(
  url: MaybeSecret,
  body: string,
  headers: Record<string, MaybeSecret>,
  signal: AbortSignal,
  secrets: readonly Secret[],
): Promise<Outcome> {
  const sent: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) sent[k] = reveal(v);
  const target = withoutLogin(reveal(url), sent);
  let res: Response;
  try {
    res = await fetch(target, { method: 'POST', headers: sent, body, signal, redirect: 'manual' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return fail(new Error(scrub(`POST ${safeUrl(url)} failed (${why})`, secrets)), true);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return ok(undefined);
  const retryable = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
  const snippet = text.replace(/\s+/g, ' ').slice(0, 200);
  return fail(new Error(scrub(`POST ${safeUrl(url)} answered HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`, secrets)), retryable);
}

/** fetch refuses a URL with user:pass@: the login moves to an Authorization: Basic header (unless one is set). */
function withoutLogin(url: string, headers: Record<string, string>): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.username && !u.password) return url;
  const login = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) headers['authorization'] = `Basic ${Buffer.from(login).toString('base64')}`;
  u.username = '';
  u.password = '';
  return u.toString();
}

/** A URL for messages: scheme and host only (Slack and Teams webhook URLs carry tokens in path and query). */
export function safeUrl(url: MaybeSecret): string {
  try {
    const u = new URL(reveal(url));
    return `${u.protocol}//${u.host}`;
  } catch {
    return '<invalid url>';
  }
}
