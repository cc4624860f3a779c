// Test support for CLI tests: runs a command in-process through main() and captures its exit code,
// stdout and stderr; and the path of an entry file to spawn the CLI as a child process.

import { main } from './main.js';
import { Readable } from 'node:stream';
import type { CliIO } from './command.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `auditwatch …argv` in this process with a capturing CliIO: results (out) and notices, warnings
 * and logs (err) are captured; process.stdout is left alone for the test runner. `stdin` is what
 * `import -` reads (empty by default).
 */
export async function runCli(argv: string[], stdin: string = ''): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    errIsTTY: false,
    stdin: Readable.from([Buffer.from(stdin)]),
  };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The CLI entry beside this file (entry.ts under tsx, entry.js once compiled), for spawning. */
export function entryPath(): string {
  const self = new URL(import.meta.url);
  return new URL(self.pathname.endsWith('.ts') ? './entry.ts' : './entry.js', self).pathname;
}
