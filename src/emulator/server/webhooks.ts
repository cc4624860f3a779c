// Webhook calls the service makes: the validation POST when /subscriptions/start sets a webhook
// (Webhook-ValidationCode, Webhook-AuthID, body {"validationCode"}; anything but 200 refuses it), and
// notification POSTs (an array of {tenantId, clientId, contentType, contentId, contentUri, contentCreated,
// contentExpiration}) when new blobs become available. Plain node:http/https, bounded by a timeout.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface WebhookOptions {
  /** Refuse webhook addresses that are not https:// (production does; default false for local receivers). */
  requireHttps?: boolean;
  /** Accept a self-signed certificate on an https:// webhook (default false). */
  insecureTls?: boolean;
  /** Timeout of one webhook call, ms of real time (default 10,000). */
  timeoutMs?: number;
}

export interface PostResult {
  ok: boolean;
  status: number | null;
  error?: string;
}

export function postJson(address: string, headers: Record<string, string>, body: unknown, options: WebhookOptions = {}): Promise<PostResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      resolve({ ok: false, status: null, error: 'The address is not a URL.' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      resolve({ ok: false, status: null, error: 'The address must be an http(s) URL.' });
      return;
    }
    const text = JSON.stringify(body);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers },
        timeout: options.timeoutMs ?? 10_000,
        ...(url.protocol === 'https:' && options.insecureTls ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ok: res.statusCode === 200, status: res.statusCode ?? null }));
        res.on('error', (err) => resolve({ ok: false, status: res.statusCode ?? null, error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('The webhook did not answer in time.')));
    req.on('error', (err) => resolve({ ok: false, status: null, error: err.message }));
    req.end(text);
  });
}

/** Validates a webhook the way the service does; null when it is accepted, else the reason. */
export async function validateWebhook(
  address: string,
  authId: string | null,
  validationCode: string,
  options: WebhookOptions,
): Promise<string | null> {
  if (options.requireHttps && !address.toLowerCase().startsWith('https://')) return 'The webhook address must use HTTPS.';
  const headers: Record<string, string> = { 'Webhook-ValidationCode': validationCode };
  if (authId) headers['Webhook-AuthID'] = authId;
  const result = await postJson(address, headers, { validationCode }, options);
  if (result.ok) return null;
  return result.status !== null ? `The endpoint answered HTTP ${result.status}, not 200.` : (result.error ?? 'The endpoint could not be reached.');
}
