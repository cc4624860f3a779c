// Runs the auditwatch command line in a child process for CLI tests (stdout stays the child's own).
import { main } from '../cli/main.js';

process.exitCode = await main(process.argv.slice(2));
