// Reusable field schemas for config sections: GUIDs, durations, paths resolved against the config
// file's folder, listen addresses, URLs, and secret references ({ env } or { file }) read into a Secret.
// Section files (tenants, store, collect, and those other parts add) build on these.

import { AsyncLocalStorage } from 'node:async_hooks';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { AppError, parseDuration, Secret } from '../core/index.js';

/** What a parse needs from outside: where relative paths start, the environment, and whether to read secrets. */
export interface ResolveContext {
  /** The config file's folder. */
  dir: string;
  env: Record<string, string | undefined>;
  /** When false, secret references are checked for shape only and resolve to an empty Secret. */
  readSecrets: boolean;
  /** Non-fatal remarks (e.g. a secret file readable by others). */
  warnings: { path: PropertyKey[]; message: string }[];
}

const contextStore = new AsyncLocalStorage<ResolveContext>();

/** Runs `fn` (a synchronous schema parse) with the context the field schemas read. */
export function withResolveContext<T>(ctx: ResolveContext, fn: () => T): T {
  return contextStore.run(ctx, fn);
}

function context(): ResolveContext {
  return contextStore.getStore() ?? { dir: process.cwd(), env: process.env, readSecrets: false, warnings: [] };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID, lower-cased; `hint` says where to find it, e.g. "the Directory (tenant) ID from the app registration". */
export function guid(hint: string) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `is missing; add it (${hint})` : `must be a GUID (${hint})`) })
    .regex(GUID, { error: `must be a GUID (${hint})` })
    .transform((v) => v.toLowerCase());
}

/** A duration written like 90s, 5m, 24h, 7d → milliseconds, within [min, max]. */
export function duration(defaultText: string, bounds: { min?: string; max?: string } = {}) {
  const min = bounds.min === undefined ? 0 : parseDuration(bounds.min);
  const max = bounds.max === undefined ? Number.POSITIVE_INFINITY : parseDuration(bounds.max);
  const range = `${bounds.min ?? '0s'}${bounds.max ? ` to ${bounds.max}` : ' or more'}`;
  return z
    .union([z.string(), z.number()], { error: 'must be a duration like 90s, 5m, 24h or 7d' })
    .default(defaultText)
    .transform((v, ctx) => {
      try {
        const ms = parseDuration(String(v));
        if (ms < min || ms > max) {
          ctx.issues.push({ code: 'custom', input: v, message: `must be between ${range} (it is ${String(v)})` });
          return z.NEVER;
        }
        return ms;
      } catch {
        ctx.issues.push({ code: 'custom', input: v, message: 'must be a duration like 90s, 5m, 24h or 7d' });
        return z.NEVER;
      }
    });
}

/** A filesystem path; a relative one resolves against the config file's folder. */
export function filePath() {
  return z
    .string({ error: 'must be a path (relative paths start at the config file\'s folder)' })
    .min(1, { error: 'must not be empty' })
    .transform((v) => (isAbsolute(v) ? v : resolve(context().dir, v)));
}

/** A filesystem path with a default (itself relative to the config file's folder). */
export function filePathOr(defaultText: string) {
  return filePath().prefault(defaultText);
}

/** An http(s) URL without a trailing slash. */
export function httpUrl(what: string) {
  return z
    .string({ error: `must be an http:// or https:// URL (${what})` })
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, { error: `must be an http:// or https:// URL (${what})` })
    .transform((v) => v.replace(/\/+$/, ''));
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** host:port to listen on (port 0 picks a free one), or false to turn the listener off. */
export function listenAddress(defaultText: string) {
  const message = 'must be host:port like 127.0.0.1:9464 (port 0 picks a free port), or false to turn it off';
  return z
    .union([z.string(), z.literal(false)], { error: message })
    .default(defaultText)
    .transform((v, ctx): ListenAddress | null => {
      if (v === false) return null;
      const m = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(v.trim());
      const port = m ? Number(m[2]) : Number.NaN;
      if (!m || port > 65535) {
        ctx.issues.push({ code: 'custom', input: v, message });
        return z.NEVER;
      }
      return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
    });
}

type SecretRefInput = { env: string } | { file: string };

/**
 * A secret: `{ env: NAME }` or `{ file: PATH }`, read into a Secret. A literal value in the file is refused
 * (and never echoed). `example` names a good environment variable for the message.
 */
/**
 * `store`: the store's own credentials are read even by commands that load the config without secrets
 * (query, import, status): every command that opens the store needs them.
 */
export interface SecretOptions {
  store?: boolean;
}

export function secretRef(example: string, check?: (value: string) => string | null, options: SecretOptions = {}) {
  const refused = `must not be written in the config; use { env: ${example} } (an environment variable) or { file: ./auditwatch.secrets/NAME.secret } (a file, mode 0600); never the value itself`;
  const shape = z.union([z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }), z.strictObject({ file: z.string().min(1) })], {
    error: (iss) =>
      iss.input === undefined
        ? `is missing; add { env: ${example} } or { file: PATH }`
        : typeof iss.input === 'string' || typeof iss.input === 'number'
          ? refused
          : `must be { env: NAME } or { file: PATH } (one of the two, nothing else)`,
  });
  return shape.transform((ref: SecretRefInput, ctx) => {
    const c = context();
    if (!c.readSecrets && !options.store) return new Secret('');
    const value = readSecretValue(ref, c, (message) => ctx.issues.push({ code: 'custom', input: undefined, message }));
    if (value === null) return z.NEVER;
    const problem = check?.(value);
    if (problem) {
      ctx.issues.push({ code: 'custom', input: undefined, message: problem });
      return z.NEVER;
    }
    return new Secret(value);
  });
}

/**
 * A value that may be written in the config or come from `{ env }` / `{ file }` (then a Secret): a
 * webhook URL, a header value, an SMTP login. `literal` says what is wrong with a written value (its
 * shape, or that it carries a credential, which must not be written in the file); `check` does the same
 * for a value read from the environment or a file.
 */
export function textOrSecret(example: string, literal: (value: string) => string | null, check?: (value: string) => string | null, options: SecretOptions = {}) {
  const ref = secretRef(example, check, options);
  return z.unknown().transform((v, ctx): string | Secret => {
    if (typeof v === 'string') {
      const problem = literal(v);
      if (problem) {
        ctx.issues.push({ code: 'custom', input: v, message: problem });
        return z.NEVER;
      }
      return v;
    }
    const r = ref.safeParse(v);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.issues.push({ code: 'custom', input: v, message: issue.message, path: issue.path });
      return z.NEVER;
    }
    return r.data;
  });
}

const CREDENTIAL_PARAM = /^(?:sig|code|key|pass|pwd|.*(?:token|secret|passw(?:or)?d|api[-_]?key|auth|credential|signature).*)$/i;

/**
 * What is wrong with a URL written in the config: not http(s), or carrying a credential (user:pass@, or
 * a query parameter named like a token, key, signature or password), which belongs in { env } or { file }.
 */
export function literalUrlProblem(what: string, example: string): (value: string) => string | null {
  return (value) => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      return `must be an http:// or https:// URL (${what}), or { env: ${example} } / { file: PATH } holding one`;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an http:// or https:// URL (${what})`;
    const move = `; a credential must not be written in the config: put the URL in { env: ${example} } or { file: ./auditwatch.secrets/NAME.url }`;
    if (u.username || u.password) return `carries a login (user:pass@)${move}`;
    for (const [name] of u.searchParams) if (CREDENTIAL_PARAM.test(name)) return `carries a credential in its query (${name.slice(0, 40)}=)${move}`;
    return null;
  };
}

/** A non-secret file's text (e.g. a certificate): `{ file: PATH }`. */
export function fileContent(what: string, check?: (value: string) => string | null) {
  return z
    .strictObject({ file: z.string().min(1) }, { error: `must be { file: PATH } (${what})` })
    .transform((ref, ctx) => {
      const c = context();
      if (!c.readSecrets) return '';
      const value = readSecretValue(ref, c, (message) => ctx.issues.push({ code: 'custom', input: undefined, message }));
      if (value === null) return z.NEVER;
      const problem = check?.(value);
      if (problem) {
        ctx.issues.push({ code: 'custom', input: undefined, message: problem });
        return z.NEVER;
      }
      return value;
    });
}

function readSecretValue(ref: SecretRefInput, c: ResolveContext, fail: (message: string) => void): string | null {
  if ('env' in ref) {
    const v = c.env[ref.env];
    if (v === undefined || v === '') {
      fail(`names the environment variable ${ref.env}, which is not set; export ${ref.env} before running auditwatch`);
      return null;
    }
    return v;
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(c.dir, ref.file);
  try {
    accessSync(path, constants.R_OK);
    const st = statSync(path);
    if (!st.isFile()) {
      fail(`names ${ref.file}, which is not a file; point it at the file that holds the value`);
      return null;
    }
    const text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (text.trim() === '') {
      fail(`names ${ref.file}, which is empty; write the value into it`);
      return null;
    }
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      c.warnings.push({ path: [], message: `${ref.file} is readable by other users; run chmod 600 on it` });
    }
    return text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(
      code === 'ENOENT'
        ? `names ${ref.file}, which does not exist (relative paths start at the config file's folder); create it or fix the path`
        : `names ${ref.file}, which cannot be read (${code ?? 'error'}); make it readable by the user running auditwatch`,
    );
    return null;
  }
}

/** Throws an AppError usable outside a parse (e.g. a flag): kept here so messages stay alike. */
export function durationFlag(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new AppError('usage', `${flag} "${text.slice(0, 40)}" is not a duration; write it like 90s, 15m, 24h or 7d.`);
  }
}
