// auditwatch users: local accounts of the dashboard and the HTTP API — add, remove, passwd, list. The
// password comes from stdin (--password-stdin) or an environment variable (--password-env NAME), never
// from argv; it is stored only as a scrypt hash and never printed. Thin: parses, calls the service.

import { AppError, safeJson, safeLine } from '../core/index.js';
import { accountName, ACCOUNT_ROLES, checkPassword, type Operations } from '../service/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { parseFormat, table } from './shared/format.js';
import { answer, withOperations } from './shared/session.js';

const HELP = `Usage: auditwatch users <action> [options]   (every action takes --config FILE)

  add NAME --role viewer|analyst|admin (--password-stdin | --password-env VAR)
  passwd NAME (--password-stdin | --password-env VAR)
  remove NAME
  list [--format table|json]

Local accounts for signing in to the dashboard and the HTTP API. Names are 1-64 letters, digits and
. _ @ - (kept in lower case). Passwords have at least 12 characters and are read from stdin (its first
line) or from the environment variable VAR, never from the command line; only a scrypt hash is stored.
list shows name, role and times, never a hash.`;

const OPTIONS = {
  ...CONFIG_OPTION,
  role: { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
  'password-env': { type: 'string' },
  format: { type: 'string' },
} as const;

type Values = { config?: string; role?: string; 'password-stdin'?: boolean; 'password-env'?: string; format?: string };

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    chunks.push(b);
    size += b.length;
    if (size > 64 * 1024) throw new AppError('usage', 'Stdin holds more than 64 KiB; pipe only the password (one line).');
  }
  // The first line, without its line ending.
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function passwordOf(v: Values, io: CliIO): Promise<string> {
  const fromStdin = v['password-stdin'] === true;
  const env = v['password-env'];
  if (fromStdin === (env !== undefined)) {
    throw new AppError('usage', 'Give the password with exactly one of --password-stdin (pipe it in) or --password-env VAR (an environment variable); never on the command line.');
  }
  if (env !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) throw new AppError('usage', `--password-env takes the name of an environment variable (like AW_PASSWORD), not "${safeLine(env, 30)}".`);
    const value = process.env[env];
    if (value === undefined || value === '') throw new AppError('usage', `The environment variable ${env} is not set; export it with the password, or use --password-stdin.`);
    return checkPassword(value);
  }
  return checkPassword(await readStdin(io.stdin));
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, OPTIONS, HELP, io, true);
  if (!parsed) return 0;
  const v = parsed.values as Values;
  const [action, ...rest] = parsed.positionals;
  if (!action) throw new AppError('usage', 'Give an action: add, remove, passwd or list; see "auditwatch users --help".');
  if (!['add', 'remove', 'passwd', 'list'].includes(action)) throw new AppError('usage', `Unknown action "${safeLine(action, 30)}"; give add, remove, passwd or list.`);
  const wanted = action === 'list' ? 0 : 1;
  if (rest.length !== wanted) throw new AppError('usage', wanted === 0 ? 'users list takes no name; see --help.' : `Give one account name: auditwatch users ${action} NAME.`);
  // Everything checked before the store opens (and before the password is asked for).
  const name = wanted ? accountName(rest[0]!) : '';
  if (action === 'add' && (v.role === undefined || !(ACCOUNT_ROLES as readonly string[]).includes(v.role))) {
    throw new AppError('usage', `Give the account's role: --role ${ACCOUNT_ROLES.join('|')}.`);
  }
  if (action !== 'add' && v.role !== undefined) throw new AppError('usage', '--role is only for users add (to change a role, remove the account and add it again).');
  const format = parseFormat(v.format, ['table', 'json']);
  const password = action === 'add' || action === 'passwd' ? await passwordOf(v, io) : '';
  const config = loadCliConfig(v, io);
  return withOperations(config, io, { label: 'users', notice: 'run' }, (ops) => act(ops, io, action, name, v, password, format));
}

async function act(ops: Operations, io: CliIO, action: string, name: string, v: Values, password: string, format: 'table' | 'json' | 'csv'): Promise<number> {
  const got = <T>(r: { data: T; warnings: string[] }) => answer(io, 'users', r);
  switch (action) {
    case 'add': {
      const a = got(await ops.usersAdd({ name, role: v.role!, password }));
      io.out(`Added ${a.name} (${a.role}).\n`);
      return 0;
    }
    case 'passwd': {
      const a = got(await ops.usersPasswd({ name, password }));
      io.out(`Changed the password of ${a.name}.\n`);
      return 0;
    }
    case 'remove': {
      got(await ops.usersRemove({ name }));
      io.out(`Removed ${name}.\n`);
      return 0;
    }
    default: {
      const accounts = got(await ops.usersList({}));
      if (format === 'json') {
        for (const a of accounts) io.out(`${safeJson(a)}\n`);
      } else if (accounts.length === 0) {
        io.out('No local accounts; add one with auditwatch users add NAME --role admin --password-stdin.\n');
      } else {
        io.out(table(accounts.map((a) => ({ name: a.name, role: a.role, created: a.createdAt, changed: a.changedAt }))));
      }
      return 0;
    }
  }
}
