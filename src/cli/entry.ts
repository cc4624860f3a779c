// Runs the CLI as a process from the compiled tree or the sources (tests spawn this to get a real
// second process, e.g. a collect daemon that holds the store). bin/auditwatch.js is the user's entry.
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`auditwatch: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
