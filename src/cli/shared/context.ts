// What every command shares: the --config option, loading the config (its warnings on stderr) and a
// logger at the configured level that writes to the command's stderr.

import { collectSecrets, createLogger, type Logger } from '../../core/index.js';
import { DEFAULT_CONFIG_FILE, loadConfig, type Config, type LoadOptions } from '../../service/index.js';
import type { CliIO } from '../command.js';

export const CONFIG_OPTION = {
  config: { type: 'string', short: 'c', default: DEFAULT_CONFIG_FILE },
} as const;

export function configPath(values: { config?: string | boolean | undefined }): string {
  return typeof values.config === 'string' && values.config !== '' ? values.config : DEFAULT_CONFIG_FILE;
}

export function loadCliConfig(values: { config?: string | boolean | undefined }, io: CliIO, options: LoadOptions = {}): Config {
  const config = loadConfig(configPath(values), options);
  for (const w of config.warnings) io.err(`${w}\n`);
  return config;
}

export function cliLogger(config: Pick<Config, 'log'> & Parameters<typeof collectSecrets>[0], io: CliIO, base: Record<string, unknown> = {}): Logger {
  return createLogger({ level: config.log.level, base, secrets: collectSecrets(config), sink: (r) => io.err(`${safeJson(r)}\n`) });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify({ level: 'error', msg: 'A log record could not be serialised.' });
  }
}
