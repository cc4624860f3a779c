// What a command module exports, and the shared helpers for parsing options (node:util parseArgs).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../core/index.js';
import { io } from './shared/io.js';

export interface CommandModule {
  /** Runs the command with its arguments; resolves to the exit code. */
  run(args: string[]): Promise<number>;
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
