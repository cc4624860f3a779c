// The auditwatch command line: a table of commands, each in its own file, loaded only when used.

import { AppError, errorMessage, isAppError } from '../core/index.js';
import { FORWARDED_COMMANDS, forwardToDaemon } from './shared/forward.js';
import { COMMANDS } from './commands.js';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`auditwatch: unknown command "${name.slice(0, 40)}"; run "auditwatch --help" for the list.\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (isAppError(err, 'store_locked') && FORWARDED_COMMANDS.has(name)) {
      try {
        return await forwardToDaemon(name, rest);
      } catch (forwardErr) {
        process.stderr.write(`auditwatch ${name}: ${errorMessage(forwardErr)}\n`);
        return 1;
      }
    }
    process.stderr.write(`auditwatch ${name}: ${errorMessage(err)}\n`);
    if (process.env.AUDITWATCH_DEBUG && err instanceof Error && !(err instanceof AppError)) {
      process.stderr.write(`${err.stack ?? ''}\n`);
    }
    return err instanceof AppError && err.code === 'usage' ? 2 : 1;
  }
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: auditwatch <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "auditwatch <command> --help" for a command's options.\n`;
}
