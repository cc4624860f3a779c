// Small node:http helpers for the emulator: JSON replies with an exact Content-Length, bounded request
// bodies, case-insensitive query parameters (the real service is ASP.NET, which binds them so), and the
// error bodies of the two services we imitate (the Management Activity API and Entra ID's token endpoint).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export const JSON_TYPE = 'application/json; charset=utf-8';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, typeof body === 'string' ? body : JSON.stringify(body), headers);
}

/**
 * Sends already serialised JSON text (blob bodies are sent as the source made them, never re-stringified).
 * The text is encoded to a Buffer here: a string handed to the socket is encoded inside writev far more
 * slowly (it was the largest cost of serving blobs), and ASCII text (byte length = length) is a plain copy.
 */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const length = Buffer.byteLength(text);
  const body = Buffer.from(text, length === text.length ? 'latin1' : 'utf8');
  res.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': length,
    ...headers,
  });
  res.end(body);
}

export class BodyTooLarge extends Error {}

/** Reads a request body of at most `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Query parameters looked up without regard to case; the first value of a repeated name wins. */
export class Query {
  private readonly map = new Map<string, string>();
  constructor(readonly params: URLSearchParams) {
    for (const [k, v] of params) if (!this.map.has(k.toLowerCase())) this.map.set(k.toLowerCase(), v);
  }
  get(name: string): string | undefined {
    return this.map.get(name.toLowerCase());
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
}

// ---- Management Activity API errors: {"error":{"code":"AF…","message":"…"}} ----

export interface ApiError {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

export function apiError(status: number, code: string, message: string, headers?: Record<string, string>): ApiError {
  return headers ? { status, code, message, headers } : { status, code, message };
}

export function sendApiError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers ?? {});
}

/** What the real service (ASP.NET Web API) answers for a missing, malformed or expired bearer token. */
export function sendUnauthorized(res: ServerResponse, reason: string): void {
  sendJson(res, 401, { Message: 'Authorization has been denied for this request.' }, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/["\\\r\n]/g, ' ')}"`,
  });
}

// ---- Entra ID (AAD) token endpoint errors ----

export interface EntraError {
  status: number;
  error: string;
  code: number;
  description: string;
}

export function entraError(status: number, error: string, code: number, description: string): EntraError {
  return { status, error, code, description };
}

export function sendEntraError(res: ServerResponse, err: EntraError, now: number): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(now).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  sendJson(res, err.status, {
    error: err.error,
    error_description: `AADSTS${err.code}: ${err.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [err.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${err.code}`,
  });
}

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
