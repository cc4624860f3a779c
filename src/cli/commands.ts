// The registry of commands. Add one line per command; the module is imported only when it runs.

import type { CommandEntry } from './command.js';

export const COMMANDS: CommandEntry[] = [
];
