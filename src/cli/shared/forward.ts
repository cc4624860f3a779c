// DuckDB lets one process open the store. While the collect daemon holds it, the commands that work on
// the store (alerts, report, detect, import) run inside the daemon: the CLI sends the command line to
// the daemon's control API (POST /command, bearer token from the endpoint file) and prints what it
// printed.

import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import { AppError, errorMessage } from '../../core/index.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/index.js';
import { COMMANDS } from '../commands.js';
import { askDaemon, readEndpoint, type CommandResult } from '../../server/control.js';
import { io } from './io.js';

/** Commands a locked store sends to the daemon. */
export const FORWARDED_COMMANDS: ReadonlySet<string> = new Set(['alerts', 'report', 'detect', 'import']);

/** How long the CLI waits for a forwarded command: an import of millions of records takes minutes. */
const FORWARD_TIMEOUT_MS = 120_000;
const IMPORT_TIMEOUT_MS = 6 * 3_600_000;

/** The value of an option in any of its spellings (--name X, --name=X, -s X), or undefined. */
function optionValue(args: readonly string[], name: string, short?: string): { index: number; value: string; inline: boolean } | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return undefined;
    if (a === `--${name}` || (short && a === `-${short}`)) return args[i + 1] === undefined ? undefined : { index: i, value: args[i + 1]!, inline: false };
    if (a.startsWith(`--${name}=`)) return { index: i, value: a.slice(name.length + 3), inline: true };
  }
  return undefined;
}

function withoutOption(args: readonly string[], name: string, short?: string): string[] {
  const found = optionValue(args, name, short);
  if (!found) return [...args];
  return [...args.slice(0, found.index), ...args.slice(found.index + (found.inline ? 1 : 2))];
}

/**
 * Runs `name args` in the daemon that holds the store. The caller's identity goes along for the alert
 * history (--as), and an output file is made absolute (the daemon's working folder may differ).
 */
export async function forwardToDaemon(name: string, args: string[]): Promise<number> {
  const configFile = optionValue(args, 'config', 'c')?.value ?? DEFAULT_CONFIG_FILE;
  const config = loadConfig(configFile, { readSecrets: false });
  let sent = withoutOption(args, 'config', 'c');
  if (name === 'alerts' && !optionValue(sent, 'as')) sent.push('--as', userInfo().username);
  const out = optionValue(sent, 'out');
  if (out && !isAbsolute(out.value)) {
    sent = withoutOption(sent, 'out');
    sent.push('--out', resolve(out.value));
  }
  if (name === 'import') sent = await importFilesForDaemon(sent);
  const ep = readEndpoint(config.store.path);
  process.stderr.write(`auditwatch ${name}: the store is held by the collect daemon${ep ? ` (pid ${ep.pid})` : ''}; running the command there.\n`);
  const r = await askDaemon<CommandResult>(config.store.path, '/command', { args: [name, ...sent] }, name === 'import' ? IMPORT_TIMEOUT_MS : FORWARD_TIMEOUT_MS);
  io.out(r.stdout);
  process.stderr.write(r.stderr);
  return r.code;
}

/**
 * The daemon reads the files itself: their paths are made absolute (its working folder may differ).
 * Stdin cannot travel with the command line.
 */
async function importFilesForDaemon(args: readonly string[]): Promise<string[]> {
  const { IMPORT_OPTIONS } = await import('../import.js');
  // Lenient here: the daemon parses the command line again, strictly, and reports what is wrong.
  const { tokens } = parseArgs({ args: [...args], options: IMPORT_OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const out = [...args];
  for (const t of tokens) {
    if (t.kind !== 'positional') continue;
    if (t.value === '-') throw new AppError('usage', 'The collect daemon holds the store and cannot read this stdin; save it to a file and import that, or stop the daemon first.');
    out[t.index] = resolve(t.value);
  }
  return out;
}

let chain: Promise<unknown> = Promise.resolve();

/**
 * In the daemon: runs a forwarded command with the daemon's own config (so its store, lent through
 * holdStore), one at a time, capturing what it prints.
 */
export function runForwarded(args: readonly string[], configFile: string): Promise<CommandResult> {
  const run = async (): Promise<CommandResult> => {
    const [name, ...rest] = args;
    const entry = COMMANDS.find((c) => c.name === name);
    if (!name || !entry || !FORWARDED_COMMANDS.has(name)) {
      return { code: 2, stdout: '', stderr: `auditwatch: the daemon runs only ${[...FORWARDED_COMMANDS].join(', ')} for other processes.\n` };
    }
    let stdout = '';
    const previous = io.out;
    io.out = (text) => {
      stdout += text;
    };
    try {
      const code = await (await entry.load()).run([...withoutOption(rest, 'config', 'c'), '--config', configFile]);
      return { code, stdout, stderr: '' };
    } catch (err) {
      return { code: err instanceof AppError && err.code === 'usage' ? 2 : 1, stdout, stderr: `auditwatch ${name}: ${errorMessage(err)}\n` };
    } finally {
      io.out = previous;
    }
  };
  const next = chain.then(run);
  chain = next.catch(() => undefined);
  return next;
}
