// What a command module exports, where it prints (CliIO, given by main: the process's streams, or a
// capture in tests), and the shared helper for parsing options (node:util parseArgs).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../core/index.js';

/** Where a command prints its results (out) and its notices, warnings and logs (err). */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Whether err is a terminal (progress bars redraw in place). */
  errIsTTY: boolean;
  /** What `import -` reads. */
  stdin: NodeJS.ReadableStream;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  get errIsTTY() {
    return Boolean(process.stderr.isTTY);
  },
  get stdin() {
    return process.stdin;
  },
};

export interface CommandModule {
  /** Runs the command with its arguments; resolves to the exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses options strictly; a mistake becomes a usage AppError naming the fix. `--help` prints `help`
 * and returns null so the command exits 0.
 */
export function parseOptions<O extends Options>(
  args: string[],
  options: O,
  help: string,
  io: CliIO,
  allowPositionals = false,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    throw new AppError('usage', `${(err as Error).message.split('\n')[0]}; see --help.`);
  }
  if ((parsed.values as Record<string, unknown>).help) {
    io.out(help.endsWith('\n') ? help : `${help}\n`);
    return null;
  }
  return parsed;
}
