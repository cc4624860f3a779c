// AppError: the one error type of auditwatch. A stable code, a one-line message that names the fix,
// an optional cause, and for rules and config the file and position of the mistake.

import { ACTIVE_CONTROLS } from './text.js';

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly location: ErrorLocation | undefined;
  /** Whether repeating the same operation later may succeed. */
  readonly retryable: boolean;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; location?: ErrorLocation; retryable?: boolean } = {},
  ) {
    super(oneLine(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.location = options.location;
    this.retryable = options.retryable ?? false;
  }

  /** The line shown to a person: `file:line:col: message [code]`. */
  display(): string {
    const loc = this.location;
    const where = loc?.file
      ? `${loc.file}${loc.line ? `:${loc.line}${loc.column ? `:${loc.column}` : ''}` : ''}: `
      : '';
    return `${where}${this.message} [${this.code}]`;
  }
}

/** Collapses white space and control characters so a message always stays on one line. */
export function oneLine(text: string, max = 2000): string {
  const flat = text.replace(ACTIVE_CONTROLS, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A message for any thrown value, without stack traces or secrets' values. */
export function errorMessage(err: unknown): string {
  if (err instanceof AppError) return err.display();
  if (err instanceof Error) return oneLine(err.message);
  return oneLine(String(err));
}

export function isAppError(err: unknown, code?: string): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
