// Test support for CLI tests: runs a command in-process through main() and captures its exit code,
// stdout and stderr; and the path of an entry file to spawn the CLI as a child process.

import { main } from './main.js';
import { io } from './shared/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let busy = false;

/**
 * Runs `auditwatch …argv` in this process. Results (io.out) and everything written to stderr meanwhile
 * (errors, logs) are captured; process.stdout is left alone for the test runner.
 */
export async function runCli(argv: string[]): Promise<CliResult> {
  if (busy) throw new Error('runCli calls must not overlap');
  busy = true;
  const out: string[] = [];
  const err: string[] = [];
  const origOut = io.out;
  const origErr = process.stderr.write.bind(process.stderr);
  const capture = (sink: string[]) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  io.out = (text: string) => {
    out.push(text);
  };
  process.stderr.write = capture(err);
  try {
    const code = await main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    io.out = origOut;
    process.stderr.write = origErr;
    busy = false;
  }
}

/** The CLI entry beside this file (entry.ts under tsx, entry.js once compiled), for spawning. */
export function entryPath(): string {
  const self = new URL(import.meta.url);
  return new URL(self.pathname.endsWith('.ts') ? './entry.ts' : './entry.js', self).pathname;
}
