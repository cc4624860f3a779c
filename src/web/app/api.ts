// The page's one way to the daemon: fetch on /api/v1 with the session cookie (same origin), the
// session's CSRF token on every write, and `{ error: { code, message } }` answers turned into ApiError.
// The page calls nothing else but /auth/* (OIDC sign-in, a navigation).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
export const setCsrf = (token: string): void => {
  csrfToken = token;
};

/** Called when an answer says the session ended (401), so the shell shows the sign-in page. */
let onSignedOut: () => void = () => {};
export const whenSignedOut = (f: () => void): void => {
  onSignedOut = f;
};

type Query = Record<string, string | number | boolean | null | undefined | string[]>;

/** `/api/v1<path>?query`, with empty values left out and lists comma-joined. */
export function apiUrl(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return `/api/v1${path}${s ? `?${s}` : ''}`;
}

async function send<T>(method: string, url: string, body?: unknown, quiet401 = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad_answer', `The daemon answered ${res.status} with something that is not JSON.`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && !quiet401) onSignedOut();
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? `The daemon answered ${res.status}.`);
  }
  return (json as { data: T }).data;
}

export const get = <T>(path: string, query: Query = {}): Promise<T> => send<T>('GET', apiUrl(path, query));
export const post = <T>(path: string, body: unknown = {}): Promise<T> => send<T>('POST', apiUrl(path), body);
export const del = <T>(path: string): Promise<T> => send<T>('DELETE', apiUrl(path));
/** A GET whose 401 is an answer (am I signed in?), not a reason to leave the page. */
export const probe = <T>(path: string): Promise<T> => send<T>('GET', apiUrl(path), undefined, true);
export const login = <T>(username: string, password: string): Promise<T> => send<T>('POST', apiUrl('/session'), { username, password }, true);

export const enc = encodeURIComponent;
