// The auditwatch command line: a table of commands, each in its own file, loaded only when used.

import { AppError, errorMessage } from '../core/index.js';
import { processIO, type CliIO } from './command.js';
import { COMMANDS } from './commands.js';

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    io.out(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`auditwatch: unknown command "${name.slice(0, 40)}"; run "auditwatch --help" for the list.\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (err) {
    if (err instanceof AppError) for (const line of err.details) io.err(`${line}\n`);
    io.err(`auditwatch ${name}: ${errorMessage(err)}\n`);
    if (process.env.AUDITWATCH_DEBUG && err instanceof Error && !(err instanceof AppError)) {
      io.err(`${err.stack ?? ''}\n`);
    }
    return err instanceof AppError && err.code === 'usage' ? 2 : 1;
  }
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: auditwatch <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "auditwatch <command> --help" for a command's options.\n`;
}
