// Config problems: every mistake in auditwatch.yaml becomes one ConfigIssue with the file, line and key
// path, and loading reports all of them at once in one ConfigError.

import { AppError } from '../core/index.js';

export interface ConfigIssue {
  file: string;
  /** 1-based line of the key (or of its nearest parent that exists); 0 when the file itself is at fault. */
  line: number;
  /** Key path as written in messages: `tenants[0].tenantId`; empty for the whole file. */
  path: string;
  /** A predicate that names the fix: "must be a GUID (…)". */
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  return `${where}: ${issue.path ? `${issue.path} ` : ''}${issue.message}`;
}

/** Thrown by loadConfig when the file has mistakes; `issues` holds every one of them. */
export class ConfigError extends AppError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const first = issues[0] ? formatIssue(issues[0]) : 'the config is not valid';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more; run "auditwatch validate" to list them)` : '';
    super('config', `${first}${more}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** Every issue, one line each. */
  lines(): string[] {
    return this.issues.map(formatIssue);
  }

  /** ConfigError prints its own location inside each line. */
  override display(): string {
    return `${this.message} [${this.code}]`;
  }
}

/** `["tenants", 0, "tenantId"]` → `tenants[0].tenantId`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}
