// The registry of commands. Add one line per command; the module is imported only when it runs.

import type { CommandEntry } from './command.js';

export const COMMANDS: CommandEntry[] = [
  { name: 'init', summary: 'Write a commented example config (or one for an emulator\'s tenants).', load: () => import('./init.js') },
  { name: 'validate', summary: 'Check the config file and print every mistake with its line.', load: () => import('./validate.js') },
  { name: 'collect', summary: 'Collect audit records: a daemon polling every interval, or --once.', load: () => import('./collect.js') },
  { name: 'serve', summary: 'The dashboard and HTTP API over the store, without collecting (--listen HOST:PORT).', load: () => import('./serve.js') },
  { name: 'backfill', summary: 'Collect everything the API still holds from --since (up to 7d) ago.', load: () => import('./backfill.js') },
  { name: 'status', summary: 'Collection state per tenant and content type: lag, errors, gaps.', load: () => import('./status.js') },
  { name: 'import', summary: 'Import NDJSON, JSON arrays or Purview CSV exports into the store.', load: () => import('./import.js') },
  { name: 'store', summary: 'Move the store into another: store copy --to CONFIG (e.g. DuckDB into ClickHouse + PostgreSQL), resumable.', load: () => import('./store.js') },
  { name: 'query', summary: 'Run a read-only SQL query over the store.', load: () => import('./query.js') },
  { name: 'emulator', summary: 'Serve simulated tenants through a local Management Activity API (with --json, a JSON first line).', load: () => import('./emulator.js') },
  { name: 'alerts', summary: 'List, show and work on alerts (ack, assign, comment, resolve); suppression rules.', load: () => import('./alerts.js') },
  { name: 'notify', summary: 'Send a sample alert through one destination now: notify test DESTINATION.', load: () => import('./notify.js') },
  { name: 'detect', summary: 'Run the detection rules over a period, store new alerts and print them.', load: () => import('./detect.js') },
  { name: 'rules', summary: 'The rule pack: list, validate FILE…, test [ID…] (each rule\'s own test records).', load: () => import('./rules.js') },
  { name: 'hunt', summary: 'Run ad-hoc Sigma rules over history (--since 30d); prints hits, stores nothing.', load: () => import('./hunt.js') },
  { name: 'report', summary: 'Built-in reports (self-grants, failed sign-ins, access denied, …) as CSV, JSON or HTML; report list.', load: () => import('./report.js') },
  { name: 'demo', summary: 'The whole system on a local emulated tenant: collect, detect, alert, report (--once: one cycle).', load: () => import('./demo.js') },
  { name: 'users', summary: 'Local accounts for the dashboard and API: users add NAME --role R | passwd NAME | remove NAME | list.', load: () => import('./users.js') },
  { name: 'eval', summary: 'Measure the rules against the emulator\'s ground truth: recall, false positives.', load: () => import('./eval.js') },
  { name: 'search', summary: 'Search events by time, user, IP, operation, workload, result, tenant, text (table, json, csv).', load: () => import('./search.js') },
];
