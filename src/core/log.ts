// Structured logging: one JSON object a line on stderr (or a sink a test gives). A message is a sentence;
// ERROR means data loss or that an operator must act. Secrets never reach a log: Secret values print
// as <redacted>, and fields named like credentials are dropped.

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
  options: { level?: LogLevel; sink?: (record: LogRecord) => void; now?: () => number; base?: LogFields } = {},
): Logger {
  const min = ORDER[options.level ?? 'info'];
  const sink = options.sink ?? ((r: LogRecord) => process.stderr.write(`${safeStringify(r)}\n`));
  const now = options.now ?? Date.now;
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (ORDER[level] < min) return;
      sink({ time: new Date(now()).toISOString(), level, msg, ...clean(base), ...clean(fields ?? {}) });
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

function clean(fields: LogFields): LogFields {
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
