// Structured logging: one JSON object a line on stderr (or a sink a test gives). A message is a sentence;
// ERROR means data loss or that an operator must act. Secrets never reach a log: Secret values print
// as <redacted>, fields named like credentials are dropped, and every text is scrubbed of the secrets
// the logger was given (the config's: tenants' and every destination's, URL tokens included).

import { scrub, type Secret } from './secret.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /secret|password|passwd|token|assertion|authorization|private.?key|api.?key/i;

export interface LogRecord extends LogFields {
  time: string;
  level: LogLevel;
  msg: string;
}

export function createLogger(
  options: { level?: LogLevel; sink?: (record: LogRecord) => void; now?: () => number; base?: LogFields; secrets?: readonly Secret[] } = {},
): Logger {
  const secrets = options.secrets ?? [];
  const clean = (fields: LogFields): LogFields => scrubFields(dropSecretFields(fields), secrets);
  const min = ORDER[options.level ?? 'info'];
  const sink = options.sink ?? ((r: LogRecord) => process.stderr.write(`${safeStringify(r)}\n`));
  const now = options.now ?? Date.now;
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (ORDER[level] < min) return;
      sink({ time: new Date(now()).toISOString(), level, msg: secrets.length ? scrub(msg, secrets) : msg, ...clean(base), ...clean(fields ?? {}) });
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (f) => make({ ...base, ...f }),
    };
  };
  return make(options.base ?? {});
}

export const silentLogger: Logger = createLogger({ sink: () => {} });

function scrubFields(fields: LogFields, secrets: readonly Secret[]): LogFields {
  if (secrets.length === 0) return fields;
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') out[k] = scrub(v, secrets);
    else if (v !== null && typeof v === 'object') {
      try {
        out[k] = JSON.parse(scrub(JSON.stringify(v), secrets)) as unknown;
      } catch {
        out[k] = '<not loggable>';
      }
    }
    else out[k] = v;
  }
  return out;
}

function dropSecretFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEY.test(k)) continue;
    out[k] = v instanceof Error ? v.message : v;
  }
  return out;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ level: 'error', msg: 'A log record could not be serialised.' });
  }
}
