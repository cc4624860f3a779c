// Loads auditwatch.yaml: parses the YAML keeping line numbers, validates it against the schema with
// every error collected, resolves relative paths against the file's folder and reads secrets from the
// environment or files. The result is typed; nothing in it prints a secret.

import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError } from '../core/index.js';
import { ConfigError, formatPath, type ConfigIssue } from './errors.js';
import { withResolveContext, type ResolveContext } from './fields.js';
import { lineOf } from './locate.js';

export const DEFAULT_CONFIG_FILE = 'auditwatch.yaml';

/**
 * A loaded file: the sections of `S` plus where it came from. `config` knows no part it configures:
 * the whole schema is assembled above them (service/config.ts) and handed to the loader.
 */
export type LoadedConfig<S extends z.ZodType> = z.output<S> & {
  /** Absolute path of the file loaded. */
  file: string;
  /** The file's folder (where relative paths start). */
  dir: string;
  /** Remarks that do not stop auditwatch (e.g. a secret file readable by others), formatted like errors. */
  warnings: string[];
};

export interface LoadOptions {
  /** Environment to read `{ env: NAME }` secrets from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Read secrets and certificates (default true). `false` checks the file's shape only. */
  readSecrets?: boolean;
  /** How the file is named in messages (default: the path as given). */
  displayName?: string;
}

export function loadConfigWith<S extends z.ZodType>(schema: S, path: string, options: LoadOptions = {}): LoadedConfig<S> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      'config_missing',
      code === 'ENOENT'
        ? `The config file ${path} does not exist; run "auditwatch init" to write one, or pass --config FILE.`
        : `The config file ${path} cannot be read (${code ?? 'error'}); check its permissions.`,
    );
  }
  return parseConfigWith(schema, text, { ...options, file, displayName: options.displayName ?? path });
}

/** Parses config text as if it were the file `file` (whose folder anchors relative paths). */
export function parseConfigWith<S extends z.ZodType>(schema: S, text: string, options: LoadOptions & { file: string }): LoadedConfig<S> {
  const file = resolve(options.file);
  const dir = dirname(file);
  const name = options.displayName ?? basename(file);
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const issues: ConfigIssue[] = doc.errors.map((e) => ({
    file: name,
    line: e.linePos?.[0]?.line ?? 0,
    path: '',
    message: `is not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}; fix the syntax (indent with spaces, quote values that contain ": " or "#")`,
  }));
  if (issues.length > 0) throw new ConfigError(issues);

  const data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const ctx: ResolveContext = { dir, env: options.env ?? process.env, readSecrets: options.readSecrets ?? true, warnings: [] };
  const result = withResolveContext(ctx, () => schema.safeParse(data, { error: defaultMessage }));
  if (!result.success) {
    for (const iss of result.error.issues) {
      if (iss.code === 'unrecognized_keys') {
        for (const key of iss.keys) {
          const at = [...iss.path, key];
          issues.push({ file: name, line: lineOf(doc, counter, at), path: formatPath(at), message: unknownKeyMessage(iss.path, schema) });
        }
      } else {
        issues.push({ file: name, line: lineOf(doc, counter, iss.path), path: formatPath(iss.path), message: iss.message });
      }
    }
    issues.sort((a, b) => a.line - b.line);
    throw new ConfigError(issues);
  }
  return {
    ...(result.data as object),
    file,
    dir,
    warnings: ctx.warnings.map((w) => `${name}: warning: ${w.message}`),
  } as LoadedConfig<S>;
}

function unknownKeyMessage(parent: readonly PropertyKey[], schema: z.ZodType): string {
  const sections = Object.keys((schema as unknown as { shape?: Record<string, unknown> }).shape ?? {});
  if (parent.length === 0) return `is not a section auditwatch knows; the sections are ${sections.join(', ')}`;
  return 'is not a setting auditwatch knows here; check the spelling against "auditwatch init" or the README';
}

/** Messages for issues a field did not word itself: short predicates naming what is expected. */
function defaultMessage(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `is missing; add it (a ${String(iss.expected)})`;
      return `must be a ${String(iss.expected)}${iss.expected === 'object' ? ' (a map of keys)' : ''}`;
    case 'too_small':
      return `must be at least ${String(iss.minimum)}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${String(iss.format)}`;
    case 'invalid_union':
      return 'does not have a form auditwatch accepts here; see the README\'s configuration reference';
    default:
      return 'is not valid here; see the README\'s configuration reference';
  }
}
